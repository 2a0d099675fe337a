"""A commune's supports to structures: members read them, éditeurs and admins write."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from structures.enums import TypeSoutien
from structures.models import Soutien
from tests.roles import ATTENDU_EDITION, ROLES, verifier_reponse
from tests.structures.conftest import photographie, texte
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

CODE = "35238"


def url(nom, *args):
    return reverse(f"espace:soutiens:{nom}", args=[CODE, *args])


@pytest.fixture
def structure(db):
    return StructureFactory(nom="Ressourcerie des Prairies")


@pytest.fixture
def soutien(matrice, structure):
    return Soutien.objects.create(
        commune=matrice.commune,
        structure=structure,
        type=TypeSoutien.SUBVENTION,
        montant=Decimal("15000"),
        annee=2025,
    )


def donnees(soutenue, **autres):
    return {
        "structure": soutenue.pk,
        "type": TypeSoutien.LOCAUX,
        "montant": "2500",
        "annee": "2026",
        "description": "Halle technique",
        **autres,
    }


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", "connexion"),
        ("exterieur", 404),
        ("membre_autre_commune", 404),
        ("lecteur", 200),
        ("editeur", 200),
        ("admin", 200),
        ("staff", 200),
    ],
)
def test_the_list_is_for_members_and_staff(client, matrice, soutien, role, attendu):
    reponse = matrice.connecter(client, role).get(url("liste"))
    verifier_reponse(reponse, attendu)
    if attendu == 200:
        contenu = texte(reponse)
        assert "Ressourcerie des Prairies" in contenu
        assert (url("modifier", soutien.pk) in contenu) == (role in ("editeur", "admin"))


@pytest.mark.parametrize("role", ROLES)
def test_adding_role_matrix(client, matrice, structure, role):
    avant = photographie()
    reponse = matrice.connecter(client, role).post(url("ajouter"), donnees(structure))
    attendu = ATTENDU_EDITION[role]
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        soutien = Soutien.objects.get()
        assert (soutien.commune, soutien.structure, soutien.type) == (
            matrice.commune,
            structure,
            TypeSoutien.LOCAUX,
        )
        assert soutien.montant == Decimal("2500") and soutien.annee == 2026
        assert soutien.created_by == matrice.users[role]
        assert soutien.history.get().history_user == matrice.users[role]
    else:
        assert photographie() == avant


@pytest.mark.parametrize("role", ROLES)
def test_editing_role_matrix(client, matrice, soutien, role):
    avant = photographie()
    reponse = matrice.connecter(client, role).post(
        url("modifier", soutien.pk), donnees(soutien.structure, montant="20000")
    )
    attendu = ATTENDU_EDITION[role]
    verifier_reponse(reponse, attendu)
    soutien.refresh_from_db()
    if attendu == "ok":
        assert soutien.montant == Decimal("20000")
    else:
        assert soutien.montant == Decimal("15000")
        assert photographie() == avant


@pytest.mark.parametrize("role", ROLES)
def test_deleting_role_matrix(client, matrice, soutien, role):
    avant = photographie()
    client = matrice.connecter(client, role)
    confirmation = client.get(url("supprimer", soutien.pk))
    reponse = client.post(url("supprimer", soutien.pk))
    attendu = ATTENDU_EDITION[role]
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert confirmation.status_code == 200
        assert not Soutien.objects.exists()
    else:
        verifier_reponse(confirmation, attendu)
        assert photographie() == avant


def test_another_communes_support_is_404(client, matrice, structure):
    ailleurs = Soutien.objects.create(
        commune=matrice.autre_commune, structure=structure, type=TypeSoutien.ACHATS, annee=2025
    )
    client = matrice.connecter(client, "admin")
    assert client.get(url("modifier", ailleurs.pk)).status_code == 404
    assert client.post(url("supprimer", ailleurs.pk)).status_code == 404
    assert Soutien.objects.filter(pk=ailleurs.pk).exists()


def test_searching_by_siret_or_name_offers_verified_structures_only(client, matrice, structure):
    cachee = StructureFactory(nom="Ressourcerie non vérifiée", verifiee=False)
    client = matrice.connecter(client, "editeur")
    contenu = texte(client.get(url("ajouter"), {"q": "ressourcerie"}))
    assert "Ressourcerie des Prairies" in contenu
    assert "Ressourcerie non vérifiée" not in contenu
    assert f'value="{structure.pk}"' in contenu
    # A SIRET search picks the structure at once.
    contenu = texte(client.get(url("ajouter"), {"q": structure.siret}))
    assert re.search(rf'value="{structure.pk}"[^>]*checked', contenu)
    # An unverified structure posted anyway is refused beside the field.
    reponse = client.post(url("ajouter"), donnees(cachee))
    assert "n'est pas dans l'annuaire des structures vérifiées" in texte(reponse)
    assert not Soutien.objects.exists()


def test_a_wrong_siret_in_the_search_is_explained(client, matrice):
    contenu = texte(matrice.connecter(client, "editeur").get(url("ajouter"), {"q": "12345"}))
    assert "Un SIRET compte 14 chiffres" in contenu


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("montant", "-5", "Le montant ne peut pas être négatif."),
        ("annee", "1999", "L'année d'un soutien va de 2000 à"),
        ("annee", str(timezone.localdate().year + 2), "n'en fait pas partie"),
        ("type", "", "Ce champ est obligatoire."),
        ("structure", "", "Choisissez la structure soutenue"),
    ],
)
def test_wrong_values_are_refused_beside_their_field(
    client, matrice, structure, champ, valeur, message
):
    reponse = matrice.connecter(client, "editeur").post(
        url("ajouter"), donnees(structure, **{champ: valeur})
    )
    contenu = texte(reponse)
    assert reponse.status_code == 200
    assert message in contenu
    assert f'id="id_{champ}_error"' in contenu
    assert not Soutien.objects.exists()


def test_next_year_is_accepted_and_an_amount_may_be_left_empty(client, matrice, structure):
    annee = timezone.localdate().year + 1
    matrice.connecter(client, "editeur").post(
        url("ajouter"), donnees(structure, annee=str(annee), montant="")
    )
    soutien = Soutien.objects.get()
    assert soutien.annee == annee and soutien.montant is None


def test_a_recorded_support_shows_on_the_structures_public_page(client, matrice, structure):
    matrice.connecter(client, "editeur").post(url("ajouter"), donnees(structure))
    client.logout()
    contenu = texte(client.get(structure.get_absolute_url()))
    assert "Rennes" in contenu and "Halle technique" in contenu


def test_the_list_query_count_does_not_grow(client, matrice, django_assert_num_queries):
    client = matrice.connecter(client, "editeur")
    Soutien.objects.create(
        commune=matrice.commune, structure=StructureFactory(), type="achats", annee=2025
    )
    # Session, user, commune, role, supports with structures and authors.
    with django_assert_num_queries(5):
        client.get(url("liste"))
    for _ in range(5):
        Soutien.objects.create(
            commune=matrice.commune, structure=StructureFactory(), type="achats", annee=2025
        )
    with django_assert_num_queries(5):
        client.get(url("liste"))


def test_the_commune_sub_navigation_links_to_supports(client, matrice):
    contenu = texte(
        matrice.connecter(client, "lecteur").get(
            reverse("espace:membres:liste", args=[matrice.commune.code_insee])
        )
    )
    assert url("liste") in contenu
