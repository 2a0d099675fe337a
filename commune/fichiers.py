"""Uploaded files that the site serves back: what a PDF must be, and how a stored file leaves.

A file is judged by its content. Its first bytes are not enough: a file that starts
with `%PDF` and then carries an HTML page passes a magic-number check, and a browser
that sniffs it would run its script under the site's origin. So a PDF is parsed, and
refused if it carries HTML markup; and whatever is served goes out as a download (images
excepted), with the type it was stored as, no sniffing and a sandboxing policy, so that
even a file that slipped through could not run anything.
"""

import io
import re
import warnings

from django.core.exceptions import ValidationError
from django.http import FileResponse
from pypdf import PdfReader
from pypdf.errors import PyPdfError

MESSAGE_PDF_INVALIDE = (
    "Ce fichier se présente comme un PDF mais n'en est pas un (il est endommagé, protégé "
    "par un mot de passe ou contient autre chose qu'un document) : enregistrez-le de "
    "nouveau au format PDF depuis votre logiciel, puis déposez-le."
)

# What a browser would take for a page or a script, wherever it sits in the file.
BALISES_HTML = re.compile(rb"<\s*(?:html|script|body|iframe|svg|!doctype)\b", re.IGNORECASE)

# Only these are shown in the page; everything else is downloaded.
TYPES_EN_LIGNE = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
# No script, no plugin, no request to anywhere, even if the file is opened on its own.
CSP_FICHIER = "sandbox; default-src 'none'"


def verifier_pdf(fichier) -> None:
    """Refuses, in French, a file announced as a PDF whose content is not a readable PDF.

    The file must start with `%PDF-`, open with pypdf, have at least one page, and carry
    no HTML markup. The caller has already checked its size.
    """
    fichier.seek(0)
    contenu = fichier.read()
    fichier.seek(0)
    if not contenu.startswith(b"%PDF-") or BALISES_HTML.search(contenu):
        raise ValidationError(MESSAGE_PDF_INVALIDE, code="pdf_invalide")
    try:
        with warnings.catch_warnings():
            # pypdf warns about the small defects it repairs; those PDFs are fine.
            warnings.simplefilter("ignore")
            lecteur = PdfReader(io.BytesIO(contenu), strict=False)
            if lecteur.is_encrypted:
                raise ValidationError(MESSAGE_PDF_INVALIDE, code="pdf_invalide")
            pages = len(lecteur.pages)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as erreur:
        raise ValidationError(MESSAGE_PDF_INVALIDE, code="pdf_invalide") from erreur
    if pages < 1:
        raise ValidationError(MESSAGE_PDF_INVALIDE, code="pdf_invalide")


def reponse_fichier(contenu, *, type_mime: str | None, nom: str | None = None) -> FileResponse:
    """A stored file on its way out: an image inline, anything else as an attachment,
    never sniffed, and sandboxed should a browser open it as a document."""
    en_ligne = type_mime in TYPES_EN_LIGNE
    reponse = FileResponse(
        contenu,
        as_attachment=not en_ligne,
        filename=nom or "",
        content_type=type_mime or "application/octet-stream",
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Content-Security-Policy"] = CSP_FICHIER
    return reponse
