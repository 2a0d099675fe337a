"""Logos: which files are accepted, and what is stored.

The type is read from the content, never from the name or the browser's claim. The
image is decoded, turned upright, shrunk to fit 400×400 and encoded anew: what is
stored carries no metadata of the original (EXIF, GPS position, comments), and its
name is generated, so an uploaded name can neither collide nor reveal anything.
"""

import io
import math
import uuid
import warnings
from pathlib import PurePosixPath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MO = 1024 * 1024
TAILLE_MAX = 2 * MO
COTE_MAX = 400
# Far above any real logo, far below what would exhaust memory once decoded.
PIXELS_MAX = 25_000_000
# The end of image marker: the last two bytes of a complete JPEG, before any padding.
FIN_JPEG = b"\xff\xd9"
# filetype needs at most the first 262 bytes to recognise these types.
OCTETS_LUS = 2048

# type → (Pillow format, extension)
FORMATS = {
    "image/png": ("PNG", "png"),
    "image/jpeg": ("JPEG", "jpg"),
    "image/webp": ("WEBP", "webp"),
}
TYPE_PAR_EXTENSION = {f".{ext}": mime for mime, (_, ext) in FORMATS.items()}
TYPES_ACCEPTES = ",".join(FORMATS)

MESSAGE_TYPE_REFUSE = (
    "Ce fichier n'est pas une image PNG, JPEG ou WebP : déposez le logo dans l'un de ces formats."
)
MESSAGE_ILLISIBLE = (
    "Cette image est illisible ou endommagée : enregistrez-la de nouveau, en PNG, JPEG ou WebP."
)
MESSAGE_TROP_GRANDE = (
    "Cette image est trop grande ({largeur} × {hauteur} pixels) : réduisez-la avant de la déposer."
)


def _poids(taille):
    # Rounded up, so that a file just over the limit does not read "2,0 Mo".
    return f"{math.ceil(taille * 10 / MO) / 10:.1f}".replace(".", ",")


def logo_prepare(fichier):
    """The logo to store for an uploaded file, as a ContentFile with a generated name;
    ValidationError, in French, when the file is not an acceptable image.

    The size is checked before anything is read, from what the upload handler counted.
    """
    if fichier.size > TAILLE_MAX:
        raise ValidationError(
            f"Ce fichier pèse {_poids(fichier.size)} Mo : un logo ne doit pas dépasser "
            f"{TAILLE_MAX // MO} Mo.",
            code="trop_gros",
        )
    fichier.seek(0)
    entete = fichier.read(OCTETS_LUS)
    fichier.seek(0)
    genre = filetype.guess(bytes(entete)) if entete else None
    if genre is None or genre.mime not in FORMATS:
        raise ValidationError(MESSAGE_TYPE_REFUSE, code="type_refuse")
    format_, extension = FORMATS[genre.mime]
    contenu = fichier.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(contenu), formats=[format_])
            if image.width * image.height > PIXELS_MAX:
                raise ValidationError(
                    MESSAGE_TROP_GRANDE.format(largeur=image.width, hauteur=image.height),
                    code="trop_grande",
                )
            # A truncated file is refused here, whatever ImageFile.LOAD_TRUNCATED_IMAGES
            # says (WeasyPrint turns it on for the whole process when it is imported):
            # verify() checks the PNG and WebP structure, a JPEG must reach its end marker.
            image.verify()
            if format_ == "JPEG" and FIN_JPEG not in contenu[-4096:]:
                raise OSError("JPEG sans marqueur de fin")
            image = Image.open(io.BytesIO(contenu), formats=[format_])
            image.load()
    except ValidationError:
        raise
    except (
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ) as erreur:
        raise ValidationError(MESSAGE_ILLISIBLE, code="illisible") from erreur

    image = ImageOps.exif_transpose(image)
    if image.mode in ("P", "1"):
        # A palette image is resized in full colour, then stored as such.
        image = image.convert("RGBA")
    image.thumbnail((COTE_MAX, COTE_MAX), Image.Resampling.LANCZOS)
    options = {}
    if format_ == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options = {"quality": 88, "optimize": True}
    elif format_ == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        options = {"quality": 88}
    elif image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        image = image.convert("RGBA")
    sortie = io.BytesIO()
    # No exif, icc_profile or pnginfo is passed on: the new file carries no metadata.
    image.save(sortie, format=format_, **options)
    return ContentFile(sortie.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def type_du_logo(nom):
    """The content type to serve a stored logo with, from its extension, or None."""
    return TYPE_PAR_EXTENSION.get(PurePosixPath(nom).suffix.lower())
