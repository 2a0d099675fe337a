"""The public page /structures/<SIRET>/: what it shows, what it never shows, who sees a
structure that is not public yet."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commune.models import Departement
from structures.enums import TypeSoutien
from structures.models import Secteur, Soutien
from tests.commune.factories import CommuneFactory, EPCIFactory
from tests.marches.factories import MarcheFactory, TitulaireFactory
from tests.roles import verifier_reponse
from tests.structures.conftest import SIRET, texte
from tests.structures.factories import MembreStructureFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def territoire():
    metropole = EPCIFactory(siren="243500139", nom="Rennes Métropole")
    return {
        "rennes": CommuneFactory(code_insee="35238", nom="Rennes", epci=metropole),
        "bruz": CommuneFactory(code_insee="35047", nom="Bruz", epci=metropole),
        "guichen": CommuneFactory(code_insee="35126", nom="Guichen", epci=None),
        "metropole": metropole,
    }


@pytest.fixture
def structure(territoire):
    structure = StructureFactory(
        siret=SIRET,
        nom="Jardins solidaires de la Vilaine",
        commune=territoire["rennes"],
        adresse="12 chemin des Prairies",
        code_postal="35200",
        email="contact@jardins.test",
        email_public=True,
        telephone="02 99 00 00 00",
        telephone_public=False,
        site_web="https://jardins.test",
        site_web_public=False,
        etp_insertion=Decimal("24.5"),
        etp_insertion_maj=datetime.date(2026, 6, 30),
        taux_sorties_positives=Decimal("61.0"),
    )
    structure.secteurs.add(Secteur.objects.get(slug="maraichage"))
    return structure


def test_the_public_page_shows_the_published_profile(client, structure):
    contenu = texte(client.get(structure.get_absolute_url()))
    assert "Jardins solidaires de la Vilaine" in contenu
    assert "12 chemin des Prairies" in contenu and "Maraîchage biologique" in contenu
    assert "contact@jardins.test" in contenu
    assert (
        "24,5" in contenu and "30 juin 2026" in contenu and "61 %" in contenu.replace("\xa0", " ")
    )
    assert "Fiche mise à jour le" in contenu


def test_unpublished_contact_fields_and_member_emails_never_show(client, structure):
    membre = MembreStructureFactory(structure=structure)
    contenu = texte(client.get(structure.get_absolute_url()))
    assert "02 99 00 00 00" not in contenu
    assert "https://jardins.test" not in contenu
    assert membre.user.email not in contenu


def test_the_communes_served_are_listed(client, structure, territoire):
    structure.zones_epci.add(territoire["metropole"])
    structure.zones_communes.add(territoire["guichen"])
    structure.zones_departements.add(Departement.objects.get(code="35"))
    contenu = texte(client.get(structure.get_absolute_url()))
    assert "Communes desservies (3)" in contenu
    for commune in ("Rennes", "Bruz", "Guichen"):
        assert f">{commune}</a>" in contenu
    assert "Rennes Métropole" in contenu and "Ille-et-Vilaine (35)" in contenu


def test_contracts_held_and_supports_received_are_listed(client, structure, territoire):
    marche = MarcheFactory(
        commune=territoire["bruz"],
        objet="Entretien des jardins partagés",
        montant=Decimal("85000"),
        date_notification=datetime.date(2026, 5, 12),
    )
    TitulaireFactory(marche=marche, identifiant=SIRET, structure=structure)
    TitulaireFactory(identifiant="90000000000001", marche__objet="Le marché d'un autre")
    Soutien.objects.create(
        commune=territoire["rennes"],
        structure=structure,
        type=TypeSoutien.LOCAUX,
        annee=2026,
        description="Halle technique du quartier sud",
    )
    contenu = texte(client.get(structure.get_absolute_url()))
    assert "Entretien des jardins partagés" in contenu and "12 mai 2026" in contenu
    assert "85\u202f000" in contenu or "85 000" in contenu or "85\xa0000" in contenu
    assert "Le marché d'un autre" not in contenu
    assert "Mise à disposition de locaux ou de terrain" in contenu
    assert "Halle technique du quartier sud" in contenu


@pytest.mark.parametrize("etat", [{"verifiee": False}, {"publiee": False}])
@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", 404),
        ("exterieur", 404),
        ("membre_autre_structure", 404),
        ("membre", 200),
        ("admin", 200),
        ("staff", 200),
    ],
)
def test_a_structure_not_public_is_404_except_as_a_preview_for_its_members_and_staff(
    client, matrice_structure, etat, role, attendu
):
    structure = matrice_structure.structure
    for nom, valeur in etat.items():
        setattr(structure, nom, valeur)
    structure.save()
    reponse = matrice_structure.connecter(client, role).get(structure.get_absolute_url())
    verifier_reponse(reponse, attendu)
    if attendu == 200:
        assert "Aperçu réservé aux membres de la structure" in texte(reponse)


def test_a_public_page_is_not_marked_as_a_preview(client, matrice_structure):
    reponse = matrice_structure.connecter(client, "membre").get(
        matrice_structure.structure.get_absolute_url()
    )
    assert "Aperçu réservé" not in texte(reponse)


def test_an_unknown_siret_is_404(client):
    assert client.get(reverse("structures:detail", args=["93500001800017"])).status_code == 404


def nombre_de_requetes(client, url):
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_the_public_page_query_count_is_constant(
    client, structure, territoire, django_assert_num_queries
):
    url = structure.get_absolute_url()
    structure.zones_epci.add(territoire["metropole"])
    TitulaireFactory(identifiant=SIRET, structure=structure, marche__commune=territoire["bruz"])
    Soutien.objects.create(
        commune=territoire["rennes"], structure=structure, type=TypeSoutien.ACHATS, annee=2025
    )
    avant = nombre_de_requetes(client, url)
    for n in range(8):
        commune = CommuneFactory(epci=territoire["metropole"])
        structure.zones_communes.add(commune)
        structure.secteurs.add(Secteur.objects.all()[n])
        TitulaireFactory(identifiant=SIRET, structure=structure, marche__commune=commune)
        Soutien.objects.create(
            commune=commune, structure=structure, type=TypeSoutien.SUBVENTION, annee=2026
        )
    assert nombre_de_requetes(client, url) == avant
    # Structure, its 6 relations, its other kinds, the communes served, contracts, supports.
    with django_assert_num_queries(11):
        client.get(url)
