"""A file that only starts like a PDF is refused: the audit's polyglot, and its cousins."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from axes.models import Preuve
from axes.uploads import extension_detectee
from commune.fichiers import MESSAGE_PDF_INVALIDE
from tests.axes.test_uploads import envoyer
from tests.roles import verifier_reponse

PDF = (Path(__file__).resolve().parent.parent / "data" / "preuve.pdf").read_bytes()
# The audit's reproduction: PDF magic bytes, then an HTML page with a script.
POLYGLOTTE = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
# A real, readable PDF that also carries a page in a comment.
PDF_AVEC_HTML = PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%<script>alert(1)</script>\n", 1)


@pytest.mark.parametrize(
    "contenu",
    [
        POLYGLOTTE,
        POLYGLOTTE + b"%%EOF\n",
        PDF_AVEC_HTML,
        b"%PDF-1.7\nrien d'autre\n%%EOF\n",
        PDF[: len(PDF) // 2],
    ],
    ids=["polyglotte", "polyglotte-eof", "pdf-avec-html", "sans-structure", "tronque"],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused_in_french(contenu):
    with pytest.raises(ValidationError) as erreur:
        extension_detectee(SimpleUploadedFile("preuve.pdf", contenu))
    assert erreur.value.messages == [MESSAGE_PDF_INVALIDE]


def test_a_real_pdf_is_still_accepted():
    assert extension_detectee(SimpleUploadedFile("preuve.pdf", PDF)) == "pdf"


@pytest.mark.django_db
def test_the_polyglot_upload_is_refused_and_nothing_is_stored(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    reponse = envoyer(
        client, matrice.commune, SimpleUploadedFile("rapport.pdf", POLYGLOTTE, "application/pdf")
    )
    verifier_reponse(reponse, 200)
    assert "Ce fichier se présente comme un PDF mais n&#x27;en est pas un" in (
        reponse.content.decode()
    )
    assert not Preuve.objects.exists()
