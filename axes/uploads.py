"""Evidence files: which ones are accepted, and the name they are stored under.

The type is read from the content, never from the name or the browser's
claim: a PDF renamed `.png` is stored as a PDF, a text file named `.pdf` is
refused, and so is a file that starts like a PDF but is not one. The stored
name is generated, so an uploaded name can neither collide, nor travel
through paths, nor reveal anything in a URL.
"""

import uuid
from pathlib import PurePosixPath

import filetype
from django.core.exceptions import ValidationError

from commune.fichiers import verifier_pdf

TAILLE_MAX = 10 * 1024 * 1024
# filetype needs at most the first 262 bytes to recognise these types.
OCTETS_LUS = 2048

EXTENSION_PAR_TYPE = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
}
TYPE_PAR_EXTENSION = {f".{ext}": mime for mime, ext in EXTENSION_PAR_TYPE.items()}
TYPES_ACCEPTES = ",".join(EXTENSION_PAR_TYPE)

MESSAGE_TROP_GROS = "Ce fichier dépasse 10 Mo : réduisez-le ou donnez plutôt un lien."
MESSAGE_TYPE_REFUSE = "Ce fichier n'est ni un PDF, ni une image PNG ou JPEG."


def extension_detectee(fichier):
    """The extension (without dot) of an accepted evidence file, read from its content.

    The size is checked before anything is read, from what the upload handler
    already counted.
    """
    if fichier.size > TAILLE_MAX:
        raise ValidationError(MESSAGE_TROP_GROS, code="trop_gros")
    fichier.seek(0)
    entete = fichier.read(OCTETS_LUS)
    fichier.seek(0)
    genre = filetype.guess(bytes(entete)) if entete else None
    if genre is None or genre.mime not in EXTENSION_PAR_TYPE:
        raise ValidationError(MESSAGE_TYPE_REFUSE, code="type_refuse")
    if genre.mime == "application/pdf":
        # The first bytes say PDF; the rest must be one too (see commune/fichiers.py).
        verifier_pdf(fichier)
    return EXTENSION_PAR_TYPE[genre.mime]


def nom_genere(extension):
    """A fresh file name; the model's `upload_to` puts it under preuves/<year>/."""
    return f"{uuid.uuid4().hex}.{extension}"


def type_du_fichier(nom):
    """The content type to serve a stored evidence file with, from its extension, or None."""
    return TYPE_PAR_EXTENSION.get(PurePosixPath(nom).suffix.lower())
