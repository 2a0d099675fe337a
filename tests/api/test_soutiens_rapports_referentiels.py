"""Supports, progress reports and referentials."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from commune.enums import StatutRapport
from commune.models import Rapport
from structures.models import Soutien
from tests.api.conftest import client_api, photographie
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


# Supports ----------------------------------------------------------------------------------


def test_supports_are_public_with_the_structure_linked_when_published(matrice, donnees):
    cachee = StructureFactory(publiee=False, nom="Régie discrète")
    Soutien.objects.create(
        commune=matrice.autre_commune, structure=cachee, type="achats", annee=2025
    )
    resultats = client_api().get("/api/v1/soutiens/").json()["results"]
    assert [(s["commune"]["code_insee"], s["annee"]) for s in resultats] == [
        ("35238", 2026),
        ("35047", 2025),
    ]
    assert resultats[0]["structure"]["url"].endswith(f"/structures/{donnees.structure.siret}/")
    assert resultats[1]["structure"] == {
        "siret": cachee.siret,
        "nom": "Régie discrète",
        "url": None,
    }
    par_commune = client_api().get("/api/v1/communes/35047/soutiens/").json()
    assert par_commune["count"] == 1
    filtre = client_api().get("/api/v1/soutiens/", {"structure": cachee.siret, "type": "achats"})
    assert filtre.json()["count"] == 1


def test_support_reads_do_not_grow(matrice, donnees, django_assert_num_queries):
    api = client_api()
    with django_assert_num_queries(2):
        assert api.get("/api/v1/soutiens/").status_code == 200
    with django_assert_num_queries(3):
        assert api.get("/api/v1/communes/35238/soutiens/").status_code == 200
    for annee in range(2015, 2025):
        Soutien.objects.create(
            commune=matrice.commune, structure=StructureFactory(), type="subvention", annee=annee
        )
    with django_assert_num_queries(2):
        assert api.get("/api/v1/soutiens/").json()["count"] == 11
    with django_assert_num_queries(3):
        assert api.get("/api/v1/communes/35238/soutiens/").json()["count"] == 11


@pytest.mark.parametrize(
    ("corps", "champ", "message"),
    [
        ({"type": "don", "annee": 2026}, "type", "n'est pas un choix valide"),
        ({"type": "locaux", "annee": 1999}, "annee", "supérieure ou égale à\xa02000"),
        ({"type": "locaux", "annee": 2999}, "annee", "L'année d'un soutien va de 2000"),
        ({"type": "locaux", "annee": 2026, "montant": "-1"}, "montant", "supérieure ou égale"),
        ({"type": "locaux"}, "annee", "Ce champ est obligatoire."),
    ],
)
def test_bad_support_is_a_400_naming_the_field(matrice, donnees, corps, champ, message):
    corps = {"structure": donnees.structure.siret, **corps}
    avant = photographie()
    reponse = client_api(matrice.users["editeur"]).post(
        "/api/v1/communes/35238/soutiens/", corps, format="json"
    )
    assert reponse.status_code == 400
    assert list(reponse.json()) == [champ]
    assert message in reponse.json()[champ][0]
    assert photographie() == avant


def test_a_support_goes_to_a_verified_structure_only(matrice, donnees):
    non_verifiee = StructureFactory(verifiee=False)
    reponse = client_api(matrice.users["editeur"]).post(
        "/api/v1/communes/35238/soutiens/",
        {"structure": non_verifiee.siret, "type": "locaux", "annee": 2026},
        format="json",
    )
    assert reponse.status_code == 400
    assert list(reponse.json()) == ["structure"]


def test_editor_records_and_corrects_a_support(matrice, donnees):
    api = client_api(matrice.users["editeur"])
    reponse = api.post(
        "/api/v1/communes/35238/soutiens/",
        {"structure": donnees.structure.siret, "type": "locaux", "annee": 2026, "montant": 1200},
        format="json",
    )
    assert reponse.status_code == 201, reponse.json()
    soutien = Soutien.objects.get(pk=reponse.json()["id"])
    assert (soutien.created_by, soutien.montant) == (matrice.users["editeur"], 1200)
    reponse = api.patch(
        f"/api/v1/communes/35238/soutiens/{soutien.pk}/", {"montant": None}, format="json"
    )
    assert reponse.status_code == 200
    assert reponse.json()["montant"] is None
    assert reponse.json()["type"] == "locaux"


# Reports -----------------------------------------------------------------------------------


def rapport_pret(commune, guide, publie):
    rapport = Rapport.objects.create(
        commune=commune,
        referentiel=guide,
        statut=StatutRapport.PRET,
        publie=publie,
        published_at=timezone.now() if publie else None,
        pages=3,
    )
    rapport.fichier.save("rapport.pdf", ContentFile(b"%PDF-1.7 rapport"), save=True)
    return rapport


def test_members_ask_for_a_report_and_follow_its_status(matrice, guide):
    api = client_api(matrice.users["editeur"])
    reponse = api.post("/api/v1/communes/35238/rapports/")
    assert reponse.status_code == 202
    rapport = Rapport.objects.get()
    url = f"http://testserver/api/v1/communes/35238/rapports/{rapport.pk}/"
    assert reponse["Location"] == reponse.json()["url"] == url
    assert (rapport.requested_by, rapport.statut) == (matrice.users["editeur"], "en attente")
    etat = api.get(url).json()
    assert etat["statut"] == "en attente" and etat["telechargement"] is None
    # Not published: the public does not see it.
    assert client_api().get(url).status_code == 404
    assert client_api().get("/api/v1/communes/35238/rapports/").json()["count"] == 0
    assert api.get("/api/v1/communes/35238/rapports/").json()["count"] == 1


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", 404),
        ("exterieur", 404),
        ("membre_autre_commune", 404),
        ("lecteur", 200),
        ("editeur", 200),
        ("admin", 200),
        ("staff", 200),
    ],
)
def test_anyone_downloads_a_published_report_members_the_others(matrice, guide, role, attendu):
    api = client_api(matrice.users[role])
    publie = rapport_pret(matrice.commune, guide, publie=True)
    prive = rapport_pret(matrice.commune, guide, publie=False)
    reponse = api.get(f"/api/v1/communes/35238/rapports/{publie.pk}/pdf/")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert b"".join(reponse.streaming_content) == b"%PDF-1.7 rapport"
    reponse = api.get(f"/api/v1/communes/35238/rapports/{prive.pk}/pdf/")
    assert reponse.status_code == attendu
    if attendu == 200:
        assert reponse["Cache-Control"] == "private, no-store"
        reponse.close()


def test_a_report_not_ready_has_no_file(matrice, guide):
    rapport = Rapport.objects.create(commune=matrice.commune, referentiel=guide)
    reponse = client_api(matrice.users["lecteur"]).get(
        f"/api/v1/communes/35238/rapports/{rapport.pk}/pdf/"
    )
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Ce rapport n'est pas encore prêt."}


def test_report_reads_do_not_grow(matrice, guide, django_assert_num_queries):
    api = client_api()
    rapport = rapport_pret(matrice.commune, guide, publie=True)
    # Commune, count, page.
    with django_assert_num_queries(3):
        assert api.get("/api/v1/communes/35238/rapports/").status_code == 200
    # Commune, report.
    with django_assert_num_queries(2):
        assert api.get(f"/api/v1/communes/35238/rapports/{rapport.pk}/").status_code == 200
    for _ in range(5):
        rapport_pret(matrice.commune, guide, publie=True)
    with django_assert_num_queries(3):
        assert api.get("/api/v1/communes/35238/rapports/").json()["count"] == 6


# Referentials ------------------------------------------------------------------------------


def test_referentials_nest_their_axes_and_actions(db, guide, django_assert_num_queries):
    api = client_api()
    # Count, referentials, axes, actions, correspondences.
    with django_assert_num_queries(5):
        reponse = api.get("/api/v1/referentiels/")
    referentiels = {r["type"]: r for r in reponse.json()["results"]}
    leguide = referentiels["guide"]
    assert len(leguide["axes"]) == 5
    assert sum(len(a["actions"]) for a in leguide["axes"]) == 15
    premiere = leguide["axes"][0]["actions"][0]
    assert premiere["code"] == "1.1" and premiere["axe"] == 1 and premiere["poids"] >= 1
    propositions = referentiels["propositions"]
    assert sum(len(a["actions"]) for a in propositions["axes"]) == 20
    assert any(a["correspondances"] for axe in propositions["axes"] for a in axe["actions"])
    with django_assert_num_queries(4):
        detail = api.get(f"/api/v1/referentiels/{guide.pk}/")
    assert detail.json()["axes"] == leguide["axes"]
    assert api.get("/api/v1/referentiels/999/").json() == {"detail": "Référentiel introuvable."}
