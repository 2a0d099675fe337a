"""The signature of a referential and the élu référent: admins write, the scorecard shows."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from axes.enums import TypeReferentiel
from axes.models import Referentiel, Signature
from commune.models import EluReferent
from tests.commune.test_membres import photographie
from tests.roles import ATTENDU_ADMINISTRATION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db

URL_SIGNATURE = reverse("espace:membres:signature", args=["35238"])
URL_REFERENT = reverse("espace:membres:referent", args=["35238"])
URL_REFERENT_RETIRER = reverse("espace:membres:referent_retirer", args=["35238"])
URL_SCORECARD = reverse("commune:scorecard", args=["35238"])
PDF = (Path(__file__).resolve().parent.parent / "data" / "preuve.pdf").read_bytes()
# Starts like a PDF, then a page that a sniffing browser would run.
POLYGLOTTE = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"
DIX_MO = 10 * 1024 * 1024
TROP_GROS = "Ce fichier pèse 10,1 Mo : la délibération ne doit pas dépasser 10 Mo."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def pdf(contenu=PDF, nom="deliberation du conseil.pdf", type_declare="application/pdf"):
    return SimpleUploadedFile(nom, contenu, content_type=type_declare)


def signature(guide, **autres):
    return {
        "referentiel": guide.pk,
        "date_signature": "2026-03-02",
        "deliberation_numero": "2026-014",
        "deliberation_date": "2026-02-26",
        **autres,
    }


def fichiers_deposes(settings):
    dossier = settings.MEDIA_ROOT / "deliberations"
    return sorted(p.name for p in dossier.iterdir()) if dossier.exists() else []


def dans_le_futur(jours=1):
    return (timezone.localdate() + datetime.timedelta(days=jours)).isoformat()


# Role matrices -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_signature_role_matrix(client, matrice, guide, settings, role):
    avant = photographie()
    client = matrice.connecter(client, role)
    page = client.get(URL_SIGNATURE)
    reponse = client.post(URL_SIGNATURE, signature(guide, deliberation_fichier=pdf()))
    attendu = ATTENDU_ADMINISTRATION[role]
    verifier_reponse(page, attendu)
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert Signature.objects.filter(commune=matrice.commune).count() == 1
    else:
        assert photographie() == avant
        assert fichiers_deposes(settings) == []


@pytest.mark.parametrize("role", ROLES)
def test_referent_role_matrix(client, matrice, role):
    avant = photographie()
    client = matrice.connecter(client, role)
    page = client.get(URL_REFERENT)
    reponse = client.post(URL_REFERENT, {"nom": "Jeanne Dupont", "mandat": "Adjointe à l'ESS"})
    attendu = ATTENDU_ADMINISTRATION[role]
    verifier_reponse(page, attendu)
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert EluReferent.objects.get(commune=matrice.commune).nom == "Jeanne Dupont"
    else:
        assert photographie() == avant


@pytest.mark.parametrize("role", ROLES)
def test_referent_removal_role_matrix(client, matrice, role):
    EluReferent.objects.create(commune=matrice.commune, nom="Jeanne Dupont", mandat="Adjointe")
    avant = photographie()
    client = matrice.connecter(client, role)
    page = client.get(URL_REFERENT_RETIRER)
    reponse = client.post(URL_REFERENT_RETIRER)
    attendu = ATTENDU_ADMINISTRATION[role]
    verifier_reponse(page, attendu)
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert not EluReferent.objects.exists()
    else:
        assert photographie() == avant


# Signature ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client_commune(client, matrice):
    return matrice.connecter(client, "admin")


def test_signature_form_offers_the_guide_first(admin_client_commune, guide):
    contenu = admin_client_commune.get(URL_SIGNATURE).content.decode()
    assert f'<option value="{guide.pk}" selected>' in contenu


def test_valid_signature_is_saved_under_a_random_name_and_shown_publicly(
    admin_client_commune, matrice, guide, settings
):
    reponse = admin_client_commune.post(
        URL_SIGNATURE, signature(guide, deliberation_fichier=pdf()), follow=True
    )

    assert "Signature enregistrée." in reponse.content.decode()
    enregistree = Signature.objects.get(commune=matrice.commune, referentiel=guide)
    assert enregistree.date_signature == datetime.date(2026, 3, 2)
    assert enregistree.deliberation_date == datetime.date(2026, 2, 26)
    assert enregistree.created_by == matrice.users["admin"]
    (nom,) = fichiers_deposes(settings)
    assert enregistree.deliberation_fichier.name == f"deliberations/{nom}"
    assert len(nom) == len("00000000-0000-0000-0000-000000000000.pdf")
    assert "conseil" not in nom
    with enregistree.deliberation_fichier.open("rb") as depose:
        assert depose.read() == PDF

    public = admin_client_commune.get(URL_SCORECARD).content.decode()
    assert "a signé le guide le 2 mars 2026" in public
    assert "délibération n° 2026-014 du 26 février 2026" in public


def test_saving_again_updates_the_one_signature_and_keeps_the_pdf(
    admin_client_commune, matrice, guide
):
    admin_client_commune.post(URL_SIGNATURE, signature(guide, deliberation_fichier=pdf()))
    fichier = Signature.objects.get().deliberation_fichier.name

    admin_client_commune.post(URL_SIGNATURE, signature(guide, deliberation_numero="2026-015"))

    corrigee = Signature.objects.get()
    assert corrigee.deliberation_numero == "2026-015"
    assert corrigee.deliberation_fichier.name == fichier
    # The current values fill the form when it opens again.
    assert 'value="2026-015"' in admin_client_commune.get(URL_SIGNATURE).content.decode()


def test_each_referential_has_its_own_signature(admin_client_commune, matrice, guide):
    propositions = Referentiel.objects.actifs().get(type=TypeReferentiel.PROPOSITIONS)
    admin_client_commune.post(URL_SIGNATURE, signature(guide))
    admin_client_commune.post(URL_SIGNATURE, signature(propositions))
    assert Signature.objects.filter(commune=matrice.commune).count() == 2
    page = admin_client_commune.get(URL_SIGNATURE, {"referentiel": propositions.pk})
    assert f'<option value="{propositions.pk}" selected>' in page.content.decode()


@pytest.mark.parametrize(
    ("modifications", "champ", "message"),
    [
        ({"date_signature": dans_le_futur()}, "date_signature", "Cette date est dans le futur"),
        (
            {"date_signature": dans_le_futur(), "deliberation_date": dans_le_futur(2)},
            "deliberation_date",
            "Cette date est dans le futur",
        ),
        (
            {"deliberation_date": "2026-03-03"},
            "deliberation_date",
            "ne peut pas être postérieure à la date de signature",
        ),
        ({"date_signature": ""}, "date_signature", "Ce champ est obligatoire."),
        ({"date_signature": "32/13/2026"}, "date_signature", "Saisissez une date valide."),
    ],
)
def test_wrong_dates_are_refused_beside_the_field(
    admin_client_commune, guide, modifications, champ, message
):
    avant = photographie()
    reponse = admin_client_commune.post(URL_SIGNATURE, signature(guide, **modifications))
    assert reponse.status_code == 200
    contenu = reponse.content.decode().replace("&#x27;", "'")
    assert message in contenu
    assert f'<div id="id_{champ}_error">' in contenu
    assert 'role="alert"' in contenu
    assert photographie() == avant


def test_a_signature_on_the_council_day_is_accepted(admin_client_commune, guide):
    admin_client_commune.post(URL_SIGNATURE, signature(guide, deliberation_date="2026-03-02"))
    assert Signature.objects.get().deliberation_date == datetime.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("fichier", "message"),
    [
        (pdf(PNG), "Ce fichier n'est pas un PDF"),
        (pdf(b"Bonjour, ceci est du texte."), "Ce fichier n'est pas un PDF"),
        (pdf(POLYGLOTTE), "Ce fichier se présente comme un PDF mais n'en est pas un"),
        (pdf(PDF + b"0" * (DIX_MO - len(PDF) + 1)), TROP_GROS),
    ],
    ids=["image", "texte", "pdf-html", "trop-gros"],
)
def test_only_a_pdf_of_10_mb_at_most_is_accepted(
    admin_client_commune, guide, settings, fichier, message
):
    avant = photographie()
    reponse = admin_client_commune.post(
        URL_SIGNATURE, signature(guide, deliberation_fichier=fichier)
    )
    contenu = reponse.content.decode().replace("&#x27;", "'")
    assert message in contenu
    assert 'aria-describedby="id_deliberation_fichier_helptext id_deliberation_fichier_error"' in (
        contenu
    )
    assert photographie() == avant
    assert fichiers_deposes(settings) == []


def test_a_pdf_of_exactly_10_mb_is_accepted(admin_client_commune, guide):
    fichier = pdf(PDF + b"0" * (DIX_MO - len(PDF)))
    reponse = admin_client_commune.post(
        URL_SIGNATURE, signature(guide, deliberation_fichier=fichier)
    )
    assert reponse.status_code == 302
    assert Signature.objects.get().deliberation_fichier.size == DIX_MO


# Élu référent -------------------------------------------------------------------------------


def test_referent_is_named_then_updated_and_shown_on_the_scorecard(admin_client_commune, matrice):
    admin_client_commune.post(
        URL_REFERENT,
        {"nom": "Jeanne Dupont", "mandat": "Adjointe à l'ESS", "depuis": "2026-01-15"},
    )
    reponse = admin_client_commune.post(
        URL_REFERENT,
        {"nom": "Jeanne Dupont", "mandat": "Première adjointe", "depuis": "2026-01-15"},
        follow=True,
    )

    assert "Élu référent enregistré." in reponse.content.decode()
    referent = EluReferent.objects.get(commune=matrice.commune)
    assert (referent.mandat, referent.depuis) == ("Première adjointe", datetime.date(2026, 1, 15))
    public = admin_client_commune.get(URL_SCORECARD).content.decode()
    assert "Élu référent ESS/IAE : <strong>Jeanne Dupont</strong>, Première adjointe" in public
    assert "depuis le 15 janvier 2026" in public


def test_referent_since_a_future_date_is_refused(admin_client_commune):
    reponse = admin_client_commune.post(
        URL_REFERENT, {"nom": "Jeanne Dupont", "mandat": "Adjointe", "depuis": dans_le_futur()}
    )
    assert "Cette date est dans le futur" in reponse.content.decode()
    assert 'aria-invalid="true"' in reponse.content.decode()
    assert not EluReferent.objects.exists()


def test_referent_removed_leaves_the_scorecard(admin_client_commune, matrice):
    EluReferent.objects.create(commune=matrice.commune, nom="Jeanne Dupont", mandat="Adjointe")

    confirmation = admin_client_commune.get(URL_REFERENT_RETIRER).content.decode()
    reponse = admin_client_commune.post(URL_REFERENT_RETIRER, follow=True)

    assert "Voulez-vous retirer Jeanne Dupont" in confirmation
    assert "Élu référent retiré." in reponse.content.decode()
    assert "Jeanne Dupont" not in admin_client_commune.get(URL_SCORECARD).content.decode()
    assert admin_client_commune.post(URL_REFERENT_RETIRER).status_code == 404
