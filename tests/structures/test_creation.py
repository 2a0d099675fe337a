"""Creating a structure missing from the directory: its creator administers it, the
public does not see it until staff verify it."""

import pytest
from django.urls import reverse

from commune.enums import TypeRattachement
from commune.models import CommuneRattachee
from structures.models import MembreStructure, Structure
from tests.commune.factories import CommuneFactory
from tests.comptes.factories import UserFactory
from tests.roles import verifier_reponse
from tests.structures.conftest import photographie, texte
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("espace:structures_espace:creer")


@pytest.fixture
def personne(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def rennes():
    return CommuneFactory(code_insee="35238", nom="Rennes")


def donnees(**autres):
    from structures.models import TypeStructure

    return {
        "siret": "935 000 042 00017",
        "type": TypeStructure.objects.get(code="EI").pk,
        "nom": "Bâti Solidaire",
        "enseigne": "",
        "commune": "35238",
        **autres,
    }


def test_creating_makes_the_creator_admin_of_an_unverified_structure(client, personne, rennes):
    reponse = client.post(URL, donnees())
    structure = Structure.objects.get(siret="93500004200017")
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("espace:structures_espace:profil", args=[structure.siret])
    assert structure.type.code == "EI" and structure.commune == rennes
    assert not structure.verifiee
    assert MembreStructure.objects.get(structure=structure).user == personne
    assert MembreStructure.objects.get(structure=structure).est_admin
    assert structure.history.get().history_user == personne


def test_a_created_structure_stays_hidden_from_the_public_until_verified(client, personne, rennes):
    client.post(URL, donnees())
    structure = Structure.objects.get(siret="93500004200017")
    client.logout()
    assert client.get(structure.get_absolute_url()).status_code == 404
    assert "Bâti Solidaire" not in texte(client.get(reverse("structures:liste")))
    structure.verifiee = True
    structure.save()
    assert client.get(structure.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("93500001800018", "la clé de contrôle ne correspond pas"),
        ("9350000180001", "Un SIRET compte 14 chiffres : « 9350000180001 » en compte 13."),
        ("9350000180001A", "Un SIRET ne contient que des chiffres"),
    ],
)
def test_a_wrong_siret_is_refused_beside_its_field(client, personne, rennes, siret, message):
    avant = photographie()
    reponse = client.post(URL, donnees(siret=siret))
    contenu = texte(reponse)
    assert reponse.status_code == 200
    assert message in contenu
    assert 'id="id_siret_error"' in contenu and 'role="alert"' in contenu
    assert photographie() == avant


def test_a_known_siret_points_to_the_claim(client, personne, rennes):
    StructureFactory(siret="93500004200017")
    contenu = texte(client.post(URL, donnees()))
    assert "Une fiche existe déjà pour ce SIRET" in contenu


@pytest.mark.parametrize("saisie", ["35238", "Rennes", "Rennes (35)", "rennes (35238)", "RENNES"])
def test_the_commune_is_typed_as_a_code_or_a_name(client, personne, rennes, saisie):
    client.post(URL, donnees(commune=saisie))
    assert Structure.objects.get(siret="93500004200017").commune == rennes


def test_an_ambiguous_commune_name_lists_the_candidates(client, personne, rennes):
    from commune.models import Departement

    CommuneFactory(code_insee="56001", nom="Rennes", departement=Departement.objects.get(code="56"))
    contenu = texte(client.post(URL, donnees(commune="Rennes")))
    assert "Plusieurs communes s'appellent « Rennes »" in contenu
    assert "code INSEE 35238" in contenu and "code INSEE 56001" in contenu
    assert not Structure.objects.exists()
    client.post(URL, donnees(commune="Rennes (56)"))
    assert Structure.objects.get().commune.code_insee == "56001"


def test_an_unknown_commune_is_refused_clearly(client, personne, rennes):
    contenu = texte(client.post(URL, donnees(commune="Atlantide (35)")))
    assert "Aucune commune ne s'appelle « Atlantide » dans le département 35." in contenu
    contenu = texte(client.post(URL, donnees(commune="99999")))
    assert "Aucune commune n'a le code INSEE 99999" in contenu


def test_the_code_of_a_merged_commune_or_an_arrondissement_places_it_in_its_commune(
    client, personne, rennes
):
    CommuneFactory(code_insee="35001", nom="Ancienne", fusionnee_dans=rennes)
    CommuneRattachee.objects.create(
        code="35002", nom="Déléguée", type=TypeRattachement.DELEGUEE, commune=rennes
    )
    client.post(URL, donnees(commune="35001"))
    assert Structure.objects.get().commune == rennes
    Structure.objects.all().delete()
    client.post(URL, donnees(commune="35002"))
    assert Structure.objects.get().commune == rennes
    # Its name no longer names a commune.
    contenu = texte(client.post(URL, donnees(commune="Ancienne (35)")))
    assert "Aucune commune ne s'appelle « Ancienne » dans le département 35." in contenu


def test_creating_needs_to_be_signed_in(client):
    avant = photographie()
    verifier_reponse(client.post(URL, donnees()), "connexion")
    assert photographie() == avant


@pytest.mark.parametrize(
    "role", ["exterieur", "membre_autre_structure", "membre", "admin", "staff"]
)
def test_anyone_signed_in_may_create_a_structure(client, matrice_structure, role, rennes):
    client = matrice_structure.connecter(client, role)
    assert client.post(URL, donnees()).status_code == 302
    assert (
        MembreStructure.objects.get(structure__siret="93500004200017").user
        == (matrice_structure.users[role])
    )


def test_the_form_is_prefilled_with_the_searched_siret(client, personne):
    assert 'value="93500004200017"' in texte(client.get(URL, {"siret": "93500004200017"}))
