import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.axes.factories import SignatureFactory

pytestmark = pytest.mark.django_db


def test_a_council_decision_is_public_and_downloaded_as_a_named_sandboxed_pdf(client, guide):
    signature = SignatureFactory(referentiel=guide)
    signature.deliberation_fichier.save("a1b2.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    url = reverse("fichiers:deliberation", args=[signature.commune.code_insee, signature.pk])
    reponse = client.get(url)
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"].startswith('attachment; filename="deliberation-')
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(reponse.streaming_content).startswith(b"%PDF")


def test_a_signature_without_a_file_or_of_another_commune_gives_404(client, guide):
    signature = SignatureFactory(referentiel=guide)
    url = reverse("fichiers:deliberation", args=[signature.commune.code_insee, signature.pk])
    assert client.get(url).status_code == 404
    signature.deliberation_fichier.save("a1b2.pdf", ContentFile(b"%PDF-1.4\n"))
    assert (
        client.get(reverse("fichiers:deliberation", args=["35999", signature.pk])).status_code
        == 404
    )
