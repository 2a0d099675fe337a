"""The structures directory, one structure's profile, and its members' changes."""

import pytest

from structures.models import Secteur, Structure
from tests.api.conftest import client_api
from tests.comptes.factories import UserFactory
from tests.structures.factories import MembreStructureFactory, StructureFactory

pytestmark = pytest.mark.django_db

LISTE = "/api/v1/structures/"
SIRET = "93500001800017"
AUTRE_SIRET = "93500002600010"


@pytest.fixture
def roles(db):
    structure = StructureFactory(
        siret=SIRET,
        nom="Jardins solidaires de la Vilaine",
        email="contact@jardins.test",
        email_public=False,
        telephone="02 99 00 00 00",
        telephone_public=True,
    )
    autre = StructureFactory(siret=AUTRE_SIRET, nom="Vilaine Emploi Services")
    return {
        "structure": structure,
        "users": {
            "anonyme": None,
            "exterieur": UserFactory(),
            "membre_autre_structure": MembreStructureFactory(structure=autre).user,
            "membre": MembreStructureFactory(structure=structure, est_admin=False).user,
            "admin": MembreStructureFactory(structure=structure, est_admin=True).user,
            "staff": UserFactory(is_staff=True),
        },
    }


def etat():
    return (
        sorted(Structure.objects.values_list("siret", "nom", "description", "updated_at")),
        Structure.history.count(),
        sorted(Structure.secteurs.through.objects.values_list("structure_id", "secteur_id")),
    )


def test_directory_lists_verified_published_structures_only(roles):
    StructureFactory(nom="Pas encore vérifiée", verifiee=False)
    StructureFactory(nom="Retirée de l'annuaire", publiee=False)
    donnees = client_api().get(LISTE).json()
    assert [s["nom"] for s in donnees["results"]] == [
        "Jardins solidaires de la Vilaine",
        "Vilaine Emploi Services",
    ]
    premiere = donnees["results"][0]
    assert premiere["type"] == {
        "code": "ACI",
        "nom": "Atelier et chantier d'insertion",
        "famille": "iae",
    }
    assert premiere["url"] == f"http://testserver/api/v1/structures/{SIRET}/"


def test_directory_filters_like_the_web_directory(roles):
    secteur = Secteur.objects.get(slug="entretien-espaces-verts")
    roles["structure"].secteurs.add(secteur)
    api = client_api()
    for parametres, attendus in (
        ({"secteur": "entretien-espaces-verts"}, [SIRET]),
        ({"groupe": "espaces-verts-exterieurs"}, [SIRET]),
        ({"q": "emploi"}, [AUTRE_SIRET]),
        ({"type": "ACI"}, [SIRET, AUTRE_SIRET]),
        ({"type": "EI"}, []),
    ):
        reponse = api.get(LISTE, parametres)
        assert [s["siret"] for s in reponse.json()["results"]] == attendus, parametres
    reponse = api.get(LISTE, {"secteur": "inconnu", "type": "XYZ"})
    assert reponse.status_code == 400
    assert sorted(reponse.json()) == ["secteur", "type"]


def test_directory_queries_do_not_grow(roles, django_assert_num_queries):
    api = client_api()
    # Count, page, sectors.
    with django_assert_num_queries(3):
        assert api.get(LISTE).status_code == 200
    secteurs = list(Secteur.objects.all()[:4])
    for _ in range(10):
        StructureFactory().secteurs.set(secteurs)
    with django_assert_num_queries(3):
        assert api.get(LISTE).status_code == 200


def test_profile_shows_published_contacts_only_to_the_public(roles):
    publique = client_api().get(f"{LISTE}{SIRET}/").json()
    assert publique["email"] is None
    assert publique["telephone"] == "02 99 00 00 00"
    membre = client_api(roles["users"]["membre"]).get(f"{LISTE}{SIRET}/").json()
    assert membre["email"] == "contact@jardins.test"


def test_profile_queries_are_constant(roles, django_assert_num_queries):
    api = client_api()
    # The structure, then its sectors, service types, networks and three kinds of zones.
    with django_assert_num_queries(7):
        assert api.get(f"{LISTE}{SIRET}/").status_code == 200
    roles["structure"].secteurs.set(Secteur.objects.all()[:5])
    with django_assert_num_queries(7):
        assert api.get(f"{LISTE}{SIRET}/").status_code == 200


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("anonyme", False),
        ("exterieur", False),
        ("membre_autre_structure", False),
        ("membre", True),
        ("admin", True),
        ("staff", True),
    ],
)
def test_an_unpublished_structure_is_seen_by_its_members_and_staff_only(roles, role, visible):
    Structure.objects.filter(siret=SIRET).update(publiee=False)
    reponse = client_api(roles["users"][role]).get(f"{LISTE}{SIRET}/")
    assert reponse.status_code == (200 if visible else 404)


ATTENDU = {
    "anonyme": 401,
    "exterieur": 403,
    "membre_autre_structure": 403,
    "membre": 200,
    "admin": 200,
    "staff": 403,
}


@pytest.mark.parametrize("role", ATTENDU)
def test_profile_changes_are_for_the_structure_members(roles, role):
    avant = etat()
    reponse = client_api(roles["users"][role]).patch(
        f"{LISTE}{SIRET}/",
        {"description": "Maraîchage biologique.", "secteurs": ["entretien-espaces-verts"]},
        format="json",
    )
    assert reponse.status_code == ATTENDU[role], reponse.json()
    if ATTENDU[role] == 200:
        structure = Structure.objects.get(siret=SIRET)
        assert structure.description == "Maraîchage biologique."
        assert [s.slug for s in structure.secteurs.all()] == ["entretien-espaces-verts"]
        assert structure.history.latest().history_user == roles["users"][role]
    else:
        assert "detail" in reponse.json()
        assert etat() == avant


@pytest.mark.parametrize("role", ["anonyme", "exterieur", "membre_autre_structure"])
def test_a_change_to_an_unpublished_structure_by_an_outsider_is_a_404(roles, role):
    Structure.objects.filter(siret=SIRET).update(publiee=False)
    avant = etat()
    reponse = client_api(roles["users"][role]).patch(
        f"{LISTE}{SIRET}/", {"description": "Piratée"}, format="json"
    )
    assert reponse.status_code == 404
    assert etat() == avant


def test_a_changed_figure_gets_todays_date_and_the_history_one_entry(roles):
    from django.utils import timezone

    from tests.commune.factories import CommuneFactory

    CommuneFactory(code_insee="35238", nom="Rennes")
    api = client_api(roles["users"]["membre"])
    avant = Structure.history.count()
    reponse = api.patch(
        f"{LISTE}{SIRET}/",
        {
            "etp_insertion": "24.5",
            "taux_sorties_positives": 62,
            "reseaux": ["coorace"],
            "types_prestation": ["MAD"],
            "zones_departements": ["35"],
            "commune": "35238",
        },
        format="json",
    )
    assert reponse.status_code == 200, reponse.json()
    donnees = reponse.json()
    assert donnees["etp_insertion"] == {
        "valeur": 24.5,
        "mis_a_jour_le": timezone.localdate().isoformat(),
    }
    assert donnees["reseaux"] == ["coorace"]
    assert donnees["zones_departements"] == ["35"]
    assert donnees["commune"] == {"code_insee": "35238", "nom": "Rennes"}
    assert Structure.history.count() == avant + 1


@pytest.mark.parametrize(
    ("corps", "champ", "message"),
    [
        ({"taux_sorties_positives": 101}, "taux_sorties_positives", "inférieure ou égale à 100"),
        ({"etp_insertion": "beaucoup"}, "etp_insertion", "Un nombre valide est requis."),
        (
            {"secteurs": ["inconnu", "elagage-abattage"]},
            "secteurs",
            "Secteur inconnu(s) : inconnu.",
        ),
        ({"secteurs": "elagage-abattage"}, "secteurs", "Attendait une liste"),
        ({"code_postal": "3500"}, "code_postal", "Un code postal compte 5 chiffres."),
        ({"telephone": "pas de téléphone"}, "telephone", "Indiquez un numéro de téléphone"),
        ({"type": "XYZ"}, "type", "Type de structure inconnu : XYZ."),
        ({"commune": "99999"}, "commune", "Code INSEE inconnu : 99999."),
        ({"site_web": "jardins"}, "site_web", "Saisissez une URL valide."),
        ({"nom": ""}, "nom", "Ce champ ne peut être vide."),
    ],
)
def test_bad_profile_input_is_a_400_naming_the_field(roles, corps, champ, message):
    avant = etat()
    reponse = client_api(roles["users"]["membre"]).patch(f"{LISTE}{SIRET}/", corps, format="json")
    assert reponse.status_code == 400
    erreurs = reponse.json()
    assert list(erreurs) == [champ]
    assert message in erreurs[champ][0]
    assert etat() == avant
