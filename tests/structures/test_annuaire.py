"""The public directory /structures/: filters, sorting, pagination, what it hides."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commune.models import Departement
from structures.models import Reseau, Secteur, Structure, TypePrestation, TypeStructure
from tests.commune.factories import CommuneFactory, EPCIFactory
from tests.structures.conftest import texte
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("structures:liste")


def noms(client, **parametres):
    """The structures listed, in order."""
    contenu = texte(client.get(URL, parametres))
    return re.findall(r'<h2 class="carte__titre"><a href="[^"]+">([^<]+)</a>', contenu)


@pytest.fixture
def territoire():
    metropole = EPCIFactory(siren="243500139", nom="Rennes Métropole")
    autre_epci = EPCIFactory(siren="200000001", nom="Vallons de Haute-Bretagne")
    return {
        "rennes": CommuneFactory(code_insee="35238", nom="Rennes", epci=metropole),
        "bruz": CommuneFactory(code_insee="35047", nom="Bruz", epci=metropole),
        "guichen": CommuneFactory(code_insee="35126", nom="Guichen", epci=autre_epci),
        "vannes": CommuneFactory(
            code_insee="56260",
            nom="Vannes",
            departement=Departement.objects.get(code="56"),
            epci=EPCIFactory(siren="200067932", nom="Golfe du Morbihan"),
        ),
        "metropole": metropole,
    }


def test_only_verified_and_published_structures_are_listed(client):
    StructureFactory(nom="Visible")
    StructureFactory(nom="Pas encore vérifiée", verifiee=False)
    StructureFactory(nom="Dépubliée", publiee=False)
    assert noms(client) == ["Visible"]


def test_the_count_is_announced_in_a_status_element(client):
    StructureFactory.create_batch(3)
    assert '<p role="status" class="resultats">3 structures trouvées</p>' in texte(client.get(URL))


def test_text_search_matches_name_brand_and_siret(client):
    a = StructureFactory(nom="Atelier Vélo", enseigne="")
    b = StructureFactory(nom="SAS Quelconque", enseigne="Recyclerie du Port")
    StructureFactory(nom="Autre")
    assert noms(client, q="vélo") == ["Atelier Vélo"]
    assert noms(client, q="recyclerie") == ["Recyclerie du Port"]
    espace = f"{b.siret[:3]} {b.siret[3:6]} {b.siret[6:9]} {b.siret[9:]}"
    assert noms(client, q=espace) == ["Recyclerie du Port"]
    assert a.siret not in noms(client, q="autre")


def test_filters_by_kind_sector_group_sector_network_and_service_type(client):
    aci = StructureFactory(nom="ACI maraîchage")
    ei = StructureFactory(nom="EI bâtiment", type=TypeStructure.objects.get(code="EI"))
    aci.secteurs.add(Secteur.objects.get(slug="maraichage"))
    aci.reseaux.add(Reseau.objects.get(slug="cocagne"))
    aci.types_prestation.add(TypePrestation.objects.get(code="PROD"))
    ei.secteurs.add(Secteur.objects.get(slug="second-oeuvre"))
    ei.types_prestation.add(TypePrestation.objects.get(code="PREST"))
    groupe_maraichage = Secteur.objects.get(slug="maraichage").groupe.slug

    assert noms(client, type="EI") == ["EI bâtiment"]
    assert noms(client, groupe=groupe_maraichage) == ["ACI maraîchage"]
    assert noms(client, secteur="second-oeuvre") == ["EI bâtiment"]
    assert noms(client, reseau="cocagne") == ["ACI maraîchage"]
    assert noms(client, prestation="PREST") == ["EI bâtiment"]
    assert noms(client, type="ACI", prestation="PREST") == []


def test_a_structure_with_several_sectors_of_a_group_is_listed_once(client):
    structure = StructureFactory(nom="Unique")
    structure.secteurs.add(*Secteur.objects.filter(groupe__slug="espaces-verts")[:3])
    assert noms(client, groupe="espaces-verts") == ["Unique"]


def test_filter_by_departement_of_location(client, territoire):
    StructureFactory(nom="À Rennes", commune=territoire["rennes"])
    StructureFactory(nom="À Vannes", commune=territoire["vannes"])
    assert noms(client, departement="56") == ["À Vannes"]


def test_filter_by_commune_served_covers_location_and_every_kind_of_zone(client, territoire):
    implantee = StructureFactory(nom="Implantée à Bruz", commune=territoire["bruz"])
    par_commune = StructureFactory(nom="Zone commune", commune=territoire["rennes"])
    par_commune.zones_communes.add(territoire["bruz"])
    par_epci = StructureFactory(nom="Zone EPCI", commune=territoire["rennes"])
    par_epci.zones_epci.add(territoire["metropole"])
    par_departement = StructureFactory(nom="Zone département", commune=territoire["vannes"])
    par_departement.zones_departements.add(Departement.objects.get(code="35"))
    ailleurs = StructureFactory(nom="Ailleurs", commune=territoire["guichen"])
    ailleurs.zones_communes.add(territoire["guichen"])

    attendus = {"Implantée à Bruz", "Zone commune", "Zone département", "Zone EPCI"}
    assert set(noms(client, commune="35047")) == attendus
    assert len(noms(client, commune="35047")) == 4
    # The same with the name of the commune.
    assert set(noms(client, commune="Bruz (35)")) == attendus
    # Served through its département only.
    assert set(noms(client, commune="35126")) == {"Ailleurs", "Zone département"}
    assert implantee in Structure.objects.serving(territoire["bruz"])


def test_a_commune_without_epci_is_served_only_by_its_own_zones():
    # Ouessant (29155) belongs to no EPCI: structures without an EPCI zone must not
    # all match through it.
    ouessant = CommuneFactory(
        code_insee="29155",
        nom="Ouessant",
        departement=Departement.objects.get(code="29"),
        epci=None,
    )
    brest = CommuneFactory(code_insee="29019", nom="Brest", departement=ouessant.departement)
    sur_l_ile = StructureFactory(nom="Sur l'île", commune=ouessant)
    vers_l_ile = StructureFactory(nom="Vers l'île", commune=brest)
    vers_l_ile.zones_communes.add(ouessant)
    StructureFactory(nom="À Brest seulement", commune=brest)
    StructureFactory(nom="Dans l'EPCI de Brest", commune=brest).zones_epci.add(brest.epci)
    StructureFactory(nom="Ailleurs, sans zone")

    assert set(Structure.objects.serving(ouessant)) == {sur_l_ile, vers_l_ile}


def test_an_unknown_commune_is_explained_and_ignored(client, territoire):
    StructureFactory(nom="Une")
    contenu = texte(client.get(URL, {"commune": "99999"}))
    assert "Aucune commune n'a le code INSEE 99999" in contenu
    assert "1 structure trouvée" in contenu


def test_the_directory_shows_every_kind_of_a_structure(client):
    structure = StructureFactory(nom="Deux statuts", type=TypeStructure.objects.get(code="ACI"))
    structure.autres_types.add(TypeStructure.objects.get(code="AI"))

    contenu = texte(client.get(URL))

    aci, ai = (TypeStructure.objects.get(code=code).nom for code in ("ACI", "AI"))
    assert f"{aci}, {ai}" in contenu


def test_sorting_by_name_last_update_and_kind(client):
    StructureFactory(nom="Bravo", type=TypeStructure.objects.get(code="EI"))
    StructureFactory(nom="Alpha", type=TypeStructure.objects.get(code="ETTI"))
    charlie = StructureFactory(nom="Charlie")
    Structure.objects.filter(pk=charlie.pk).update(
        updated_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert noms(client) == ["Alpha", "Bravo", "Charlie"]
    assert noms(client, tri="nom") == ["Alpha", "Bravo", "Charlie"]
    assert noms(client, tri="maj")[0] == "Charlie"
    # By the kind's name: atelier et chantier, entreprise d'insertion, entreprise de travail…
    assert noms(client, tri="type") == ["Charlie", "Bravo", "Alpha"]


def test_pages_of_25_keep_the_filters_in_their_links(client):
    StructureFactory.create_batch(30, nom="Atelier")
    contenu = texte(client.get(URL, {"q": "atelier", "tri": "maj"}))
    assert "30 structures trouvées" in contenu
    assert contenu.count('class="carte__titre"') == 25
    assert "?q=atelier&amp;tri=maj&amp;page=2" in contenu or "?q=atelier&tri=maj&page=2" in contenu
    assert len(noms(client, q="atelier", page=2)) == 5


def test_the_sector_filter_groups_sectors_by_group(client):
    contenu = texte(client.get(URL))
    assert '<optgroup label="Espaces verts & extérieurs">' in contenu or (
        '<optgroup label="Espaces verts &amp; extérieurs">' in contenu
    )


def nombre_de_requetes(client, parametres):
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(URL, parametres).status_code == 200
    return len(requetes)


@pytest.mark.parametrize(
    ("parametres", "attendu"),
    [
        ({}, 10),
        ({"q": "atelier", "tri": "maj"}, 10),
        (
            {
                "commune": "35047",
                "groupe": "espaces-verts",
                "reseau": "cocagne",
                "prestation": "PROD",
            },
            14,
        ),
    ],
)
def test_the_directory_query_count_is_constant(
    client, territoire, parametres, attendu, django_assert_num_queries
):
    def une_structure():
        structure = StructureFactory(nom="Atelier", commune=territoire["bruz"])
        structure.secteurs.add(*Secteur.objects.filter(groupe__slug="espaces-verts")[:2])
        structure.reseaux.add(Reseau.objects.get(slug="cocagne"))
        structure.types_prestation.add(TypePrestation.objects.get(code="PROD"))

    une_structure()
    avant = nombre_de_requetes(client, parametres)
    for _ in range(30):
        une_structure()
    assert nombre_de_requetes(client, parametres) == avant
    # Count, page of structures, their sectors, their other kinds, the choices of the 6
    # select filters; and
    # one more for each commune, group, network or service type chosen, to check it exists.
    with django_assert_num_queries(attendu):
        client.get(URL, parametres)
