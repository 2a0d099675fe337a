"""Evidence files: accepted by content, stored under a generated name, served to whom may see."""

import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from axes.models import Preuve
from axes.uploads import TAILLE_MAX, extension_detectee, nom_genere
from tests.axes.factories import EngagementFactory, PreuveFactory, action_du_guide
from tests.roles import ROLES, verifier_reponse

pytestmark = pytest.mark.django_db

DONNEES = Path(__file__).resolve().parent.parent / "data"
PDF = (DONNEES / "preuve.pdf").read_bytes()
PNG = (DONNEES / "preuve.png").read_bytes()
JPEG = (DONNEES / "preuve.jpg").read_bytes()
TEXTE = b"Ceci n'est pas un PDF, juste du texte.\n"
MESSAGE_TYPE = "Ce fichier n&#x27;est ni un PDF, ni une image PNG ou JPEG."


def url(nom, commune, *args):
    return reverse(f"espace:engagements:{nom}", args=[commune.code_insee, "1.2", *args])


def envoyer(client, commune, fichier, **autres):
    donnees = {
        "preuve-titre": "Convention avec l'ACI",
        "preuve-nature": "convention",
        "preuve-date": "2026-05-04",
        "preuve-publique": "on",
        "preuve-fichier": fichier,
        **autres,
    }
    return client.post(url("preuve_ajouter", commune), donnees)


# --- Validation, without the database -------------------------------------------------


@pytest.mark.parametrize(
    ("nom", "contenu", "extension"),
    [
        ("deliberation.pdf", PDF, "pdf"),
        ("photo.png", PNG, "png"),
        ("photo.jpeg", JPEG, "jpg"),
        # The content decides, not the name.
        ("faux.pdf", PNG, "png"),
        ("sans-extension", PDF, "pdf"),
    ],
)
def test_type_is_detected_from_the_content(nom, contenu, extension):
    assert extension_detectee(SimpleUploadedFile(nom, contenu)) == extension


@pytest.mark.parametrize("contenu", [TEXTE, b"", b"PK\x03\x04 un zip"])
def test_anything_else_is_refused_in_french(contenu):
    with pytest.raises(ValidationError) as erreur:
        extension_detectee(SimpleUploadedFile("document.pdf", contenu))
    assert erreur.value.messages == ["Ce fichier n'est ni un PDF, ni une image PNG ou JPEG."]


def test_size_is_checked_before_reading_the_file():
    fichier = mock.Mock(size=TAILLE_MAX + 1)
    with pytest.raises(ValidationError) as erreur:
        extension_detectee(fichier)
    assert "10 Mo" in erreur.value.messages[0]
    fichier.read.assert_not_called()


def test_exactly_10_mb_is_accepted():
    fichier = SimpleUploadedFile("gros.pdf", PDF + b"0" * (TAILLE_MAX - len(PDF)))
    assert fichier.size == TAILLE_MAX
    assert extension_detectee(fichier) == "pdf"


def test_generated_names_are_fresh_and_keep_only_the_detected_extension():
    premier, second = nom_genere("pdf"), nom_genere("pdf")
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", premier)
    assert premier != second


# --- Through the view -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("nom", "contenu", "extension"),
    [("Délibération 2026.pdf", PDF, "pdf"), ("photo.png", PNG, "png"), ("photo.jpg", JPEG, "jpg")],
)
def test_pdf_png_and_jpeg_are_stored_under_a_generated_name(
    client, guide, matrice, nom, contenu, extension
):
    client = matrice.connecter(client, "editeur")
    reponse = envoyer(client, matrice.commune, SimpleUploadedFile(nom, contenu))
    assert reponse.status_code == 302
    assert reponse["Location"].endswith("#preuves")
    preuve = Preuve.objects.get()
    assert re.fullmatch(rf"preuves/\d{{4}}/[0-9a-f]{{32}}\.{extension}", preuve.fichier.name)
    assert Path(nom).stem not in preuve.fichier.name
    with default_storage.open(preuve.fichier.name) as stocke:
        assert stocke.read() == contenu
    assert preuve.created_by == matrice.users["editeur"]
    assert preuve.url == ""


def test_png_named_pdf_is_stored_as_png(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    envoyer(client, matrice.commune, SimpleUploadedFile("scan.pdf", PNG))
    assert Preuve.objects.get().fichier.name.endswith(".png")


def test_text_named_pdf_is_refused_and_nothing_is_stored(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    reponse = envoyer(client, matrice.commune, SimpleUploadedFile("rapport.pdf", TEXTE))
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert MESSAGE_TYPE in contenu
    assert 'id="id_preuve-fichier_error"' in contenu
    assert 'href="#id_preuve-fichier"' in contenu
    assert not Preuve.objects.exists()
    assert not (Path(default_storage.location) / "preuves").exists()


def test_file_over_10_mb_is_refused(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    gros = SimpleUploadedFile("gros.pdf", PDF + b"0" * TAILLE_MAX)
    reponse = envoyer(client, matrice.commune, gros)
    assert "Ce fichier dépasse 10 Mo" in reponse.content.decode()
    assert not Preuve.objects.exists()


def test_a_link_and_a_file_together_are_refused(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    reponse = envoyer(
        client,
        matrice.commune,
        SimpleUploadedFile("a.pdf", PDF),
        **{"preuve-url": "https://mairie.test/a.pdf"},
    )
    assert "Une preuve est soit un lien, soit un fichier : retirez l&#x27;un des deux." in (
        reponse.content.decode()
    )
    assert not Preuve.objects.exists()


# --- Serving the files ----------------------------------------------------------------


def preuve_fichier(commune, publique, titre="Compte rendu du comité"):
    engagement = EngagementFactory(commune=commune, action=action_du_guide("1.2"))
    return PreuveFactory(
        engagement=engagement,
        titre=titre,
        url="",
        fichier=SimpleUploadedFile(nom_genere("pdf"), PDF),
        publique=publique,
    )


ATTENDU_PRIVE = {
    "anonyme": 404,
    "exterieur": 404,
    "membre_autre_commune": 404,
    "lecteur": 200,
    "editeur": 200,
    "admin": 200,
    "staff": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_members_only_file_is_served_to_members_and_staff_only(client, guide, matrice, role):
    preuve = preuve_fichier(matrice.commune, publique=False)
    reponse = matrice.connecter(client, role).get(url("preuve_fichier", matrice.commune, preuve.pk))
    verifier_reponse(reponse, ATTENDU_PRIVE[role])
    if reponse.status_code == 200:
        assert b"".join(reponse.streaming_content) == PDF
        assert reponse["Cache-Control"] == "private, no-store"


def test_public_pdf_is_served_to_anyone_as_an_attachment_with_its_title(client, guide, matrice):
    preuve = preuve_fichier(matrice.commune, publique=True, titre="Délibération n° 14")
    reponse = client.get(url("preuve_fichier", matrice.commune, preuve.pk))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"].startswith("attachment; filename")
    assert "D%C3%A9lib%C3%A9ration%20n%C2%B0%2014.pdf" in reponse["Content-Disposition"]
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(reponse.streaming_content) == PDF


def test_png_evidence_is_served_inline_as_an_image(client, guide, matrice):
    engagement = EngagementFactory(commune=matrice.commune, action=action_du_guide("1.2"))
    preuve = PreuveFactory(
        engagement=engagement, url="", fichier=SimpleUploadedFile(nom_genere("png"), PNG)
    )
    reponse = client.get(url("preuve_fichier", matrice.commune, preuve.pk))
    reponse.close()
    assert reponse["Content-Type"] == "image/png"
    assert reponse["Content-Disposition"].startswith("inline; filename")
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_file_of_another_commune_gives_404(client, guide, matrice):
    preuve = preuve_fichier(matrice.autre_commune, publique=True)
    assert client.get(url("preuve_fichier", matrice.commune, preuve.pk)).status_code == 404


def test_link_evidence_has_no_file_to_serve(client, guide, matrice):
    engagement = EngagementFactory(commune=matrice.commune, action=action_du_guide("1.2"))
    preuve = PreuveFactory(engagement=engagement)
    assert client.get(url("preuve_fichier", matrice.commune, preuve.pk)).status_code == 404


def test_action_page_links_files_through_the_checked_view(client, guide, matrice):
    preuve = preuve_fichier(matrice.commune, publique=False)
    client = matrice.connecter(client, "lecteur")
    contenu = client.get(url("action", matrice.commune)).content.decode()
    assert url("preuve_fichier", matrice.commune, preuve.pk) in contenu
    assert preuve.fichier.name not in contenu


def test_deleting_evidence_deletes_its_file_once_committed(
    client, guide, matrice, django_capture_on_commit_callbacks
):
    preuve = preuve_fichier(matrice.commune, publique=True)
    nom = preuve.fichier.name
    assert default_storage.exists(nom)
    client = matrice.connecter(client, "editeur")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url("preuve_supprimer", matrice.commune, preuve.pk))
    assert reponse.status_code == 302
    assert not default_storage.exists(nom)
