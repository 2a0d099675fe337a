"""The public pages on the real territories (tests/fixtures/decoupage, see its README):
arrondissements, communes déléguées and merged communes lead to their commune, the
directory search finds a commune by postcode or by an arrondissement's name, and a
commune without EPCI lists only the structures that serve it."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from commune.models import EPCI, Commune, Departement
from tests.axes.factories import EngagementFactory
from tests.commune.factories import CommuneFactory, departement
from tests.marches.factories import MarcheFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

DECOUPAGE = Path(__file__).resolve().parent.parent / "fixtures" / "decoupage"


@pytest.fixture
def territoires(guide):
    """The excerpt loaded, with La Faute-sur-Mer (85307) in the database beforehand, as a
    commune of its own: the import merges it into L'Aiguillon-la-Presqu'île (85001)."""
    faute = CommuneFactory(
        code_insee="85307", nom="La Faute-sur-Mer", departement=departement("85")
    )
    EngagementFactory(commune=faute)
    MarcheFactory(commune=faute)
    call_command("import_territoires", "--dossier", str(DECOUPAGE), stdout=StringIO())
    faute.refresh_from_db()
    assert faute.fusionnee_dans.code_insee == "85001"
    return faute


def redirection(client, url):
    reponse = client.get(url)
    assert reponse.status_code == 301, (url, reponse.status_code)
    return reponse["Location"]


def codes_trouves(client, recherche, **filtres):
    reponse = client.get(reverse("commune:liste"), {"q": recherche, **filtres})
    assert reponse.status_code == 200
    return [commune.code_insee for commune in reponse.context["object_list"]]


# --- Redirections ---------------------------------------------------------------------------


def test_paris_scorecard_answers_200(client, territoires):
    reponse = client.get("/communes/75056/")

    assert reponse.status_code == 200
    assert "<h1>Paris" in reponse.content.decode()


def test_a_paris_arrondissement_leads_to_paris(client, territoires):
    assert redirection(client, "/communes/75115/") == "/communes/75056/"


def test_a_marseille_arrondissement_leads_to_marseille(client, territoires):
    assert redirection(client, "/communes/13216/") == "/communes/13055/"
    assert client.get("/communes/13055/").status_code == 200


def test_a_commune_deleguee_never_in_the_database_leads_to_its_commune(client, territoires):
    # Les Clouzeaux (85069) was never a commune of the database: its code leads all the same.
    assert not Commune.objects.filter(code_insee="85069").exists()
    assert redirection(client, "/communes/85069/") == "/communes/85008/"


def test_a_merged_commune_scorecard_leads_to_its_new_commune(client, territoires):
    assert redirection(client, "/communes/85307/") == "/communes/85001/"
    assert client.get("/communes/85001/").status_code == 200


@pytest.mark.parametrize(
    ("ancienne", "nouvelle"),
    [
        ("/communes/85307/actions/1.1/", "/communes/85001/actions/1.1/"),
        (
            "/communes/85307/actions/1.1/?depuis=signet",
            "/communes/85001/actions/1.1/?depuis=signet",
        ),
        ("/communes/85307/marches/", "/communes/85001/marches/"),
        (
            "/communes/85307/marches/?tri=montant&q=espaces",
            "/communes/85001/marches/?tri=montant&q=espaces",
        ),
        ("/communes/85307/donnees.csv", "/communes/85001/donnees.csv"),
    ],
)
def test_a_merged_commune_sub_pages_lead_to_the_same_page_of_its_new_commune(
    client, territoires, ancienne, nouvelle
):
    assert redirection(client, ancienne) == nouvelle
    assert client.get(nouvelle).status_code == 200


def test_the_api_reads_of_a_merged_commune_lead_to_its_new_commune(client, territoires):
    assert redirection(client, "/api/v1/communes/85307/") == "/api/v1/communes/85001/"
    assert client.get("/api/v1/communes/85001/").json()["code_insee"] == "85001"


def test_the_merged_commune_contracts_are_shown_on_its_new_commune(client, territoires):
    contenu = client.get("/communes/85001/marches/").content.decode()

    assert "Entretien des espaces verts communaux" in contenu


@pytest.mark.parametrize(
    "url",
    ["/communes/99999/", "/communes/99999/actions/1.1/", "/communes/2A999/marches/"],
)
def test_an_unknown_code_still_gives_404(client, territoires, url):
    assert client.get(url).status_code == 404


def test_an_unknown_page_of_a_current_commune_still_gives_404(client, territoires):
    assert client.get("/communes/35238/actions/9.9/").status_code == 404


# --- Directory search -----------------------------------------------------------------------


def test_search_by_postcode_finds_rennes(client, territoires):
    assert codes_trouves(client, "35000") == ["35238"]


def test_search_by_an_arrondissement_postcode_or_name_finds_marseille(client, territoires):
    assert codes_trouves(client, "13016") == ["13055"]
    assert codes_trouves(client, "Marseille 16e") == ["13055"]
    assert codes_trouves(client, "13216") == ["13055"]


def test_merged_communes_are_absent_from_the_directory(client, territoires):
    assert codes_trouves(client, "", departement="85") == ["85008", "85001", "85194"]
    # Its name still finds the commune it became, through the commune déléguée.
    assert codes_trouves(client, "Faute") == ["85001"]
    assert codes_trouves(client, "85307") == ["85001"]


# --- A commune without EPCI -----------------------------------------------------------------


def test_a_commune_without_epci_lists_only_the_structures_serving_it(client, territoires):
    ouessant = Commune.objects.get(code_insee="29155")
    assert ouessant.epci_id is None
    rennes = Commune.objects.get(code_insee="35238")
    StructureFactory(nom="Implantée à Ouessant", commune=ouessant)
    StructureFactory(nom="Zone Ouessant").zones_communes.add(ouessant)
    StructureFactory(nom="Zone Finistère").zones_departements.add(
        Departement.objects.get(code="29")
    )
    StructureFactory(nom="Implantée à Rennes sans zone", commune=rennes)
    StructureFactory(nom="Sans commune ni zone")
    StructureFactory(nom="Zone Rennes Métropole").zones_epci.add(
        EPCI.objects.get(siren="243500139")
    )
    StructureFactory(nom="Zone Ille-et-Vilaine").zones_departements.add(departement("35"))

    contenu = client.get(ouessant.get_absolute_url()).content.decode()

    assert "3 structures implantées dans la commune ou qui y interviennent" in contenu
    for nom in ("Implantée à Ouessant", "Zone Ouessant", "Zone Finistère"):
        assert f">{nom}</a>" in contenu
    for nom in (
        "Implantée à Rennes sans zone",
        "Sans commune ni zone",
        "Zone Rennes Métropole",
        "Zone Ille-et-Vilaine",
    ):
        assert nom not in contenu


def test_comparing_an_arrondissement_and_a_merged_commune_compares_their_communes(
    client, territoires
):
    reponse = client.get(reverse("commune:comparer"), {"c": ["75115", "85307", "85001"]})

    assert reponse.status_code == 200
    comparees = [colonne["commune"].code_insee for colonne in reponse.context["colonnes"]]
    assert comparees == ["75056", "85001"]
    assert reponse.context["inconnus"] == []
