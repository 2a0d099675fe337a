"""The contract form of the member pages: DECP fields checked with clear messages,
holders as a formset linked to the structures directory, publication, history."""

from decimal import Decimal

import pytest
from django.urls import reverse

from marches.models import Marche, Titulaire
from tests.marches.conftest import SIRET_MAIRIE_RENNES, etat_des_marches
from tests.marches.factories import MarcheFactory
from tests.marches.test_roles import donnees_marche, titulaires_existants
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


def url_creer(commune):
    return reverse("espace:marches:creer", args=[commune.code_insee])


@pytest.fixture
def editeur(client, matrice):
    client.force_login(matrice.users["editeur"])
    return matrice.users["editeur"]


def refuse(client, commune, donnees):
    """Posts a contract that must be refused; returns the page, checks nothing was written."""
    avant = etat_des_marches()
    reponse = client.post(url_creer(commune), donnees)
    assert reponse.status_code == 200
    assert etat_des_marches() == avant
    page = reponse.content.decode()
    assert 'role="alert"' in page and "Rien n'a été enregistré" in page
    return page


def test_buyer_siret_defaults_to_the_mairie_siret(client, matrice, editeur):
    matrice.commune.siret_mairie = SIRET_MAIRIE_RENNES
    matrice.commune.save()
    page = client.get(url_creer(matrice.commune)).content.decode()
    assert f'value="{SIRET_MAIRIE_RENNES}"' in page


def test_without_a_mairie_siret_the_member_enters_the_buyers(client, matrice, editeur):
    page = client.get(url_creer(matrice.commune)).content.decode()
    assert "La commune n&#x27;a pas de SIRET de mairie enregistré" in page
    page = refuse(client, matrice.commune, donnees_marche(acheteur_siret=""))
    assert 'id="id_acheteur_siret_error"' in page


def test_a_contract_is_created_with_its_holder_linked_to_the_structure(client, matrice, editeur):
    structure = StructureFactory()
    donnees = donnees_marche(
        **{
            "titulaires-0-type_identifiant": "SIRET",
            "titulaires-0-identifiant": " ".join(
                [
                    structure.siret[:3],
                    structure.siret[3:6],
                    structure.siret[6:9],
                    structure.siret[9:],
                ]
            ),
            "titulaires-0-denomination": "",
        }
    )
    reponse = client.post(url_creer(matrice.commune), donnees)
    marche = Marche.objects.get(id_decp="2026-0042")
    assert reponse["Location"] == reverse(
        "espace:marches:detail", args=[matrice.commune.code_insee, marche.pk]
    )
    assert marche.montant == Decimal("120000.50")
    assert marche.lieu_code == "35238" and marche.lieu_type_code == "Code commune"
    assert marche.publie
    assert marche.montant_initial is None
    titulaire = marche.titulaires.get()
    assert titulaire.identifiant == structure.siret
    assert titulaire.structure == structure
    version = marche.history.get()
    assert version.history_type == "+" and version.history_user == editeur


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("acheteur_siret", "21350238800018", "la clé de contrôle ne correspond pas"),
        ("acheteur_siret", "2135023880001", "exactement 14 chiffres"),
        ("code_cpv", "7731000-6", "8 chiffres"),
        ("montant", "-5", "ne peut pas être négatif"),
        ("montant", "douze", "Saisissez un montant"),
        ("duree_mois", "0", "au moins 1 mois"),
        ("date_notification", "2026-02-30", "date valide"),
        ("procedure", "Gré à gré", "Sélectionnez un choix valide"),
        ("date_publication", "2026-01-01", "publiées après sa notification"),
        ("lieu_type_code", "", "type du code de lieu"),
    ],
)
def test_each_invalid_field_is_refused_with_its_message_beside_it(
    client, matrice, editeur, champ, valeur, message
):
    page = refuse(client, matrice.commune, donnees_marche(**{champ: valeur}))
    assert message in page.replace("&#x27;", "'")
    cible = "lieu_type_code" if champ == "lieu_type_code" else champ
    assert f'id="id_{cible}_error"' in page
    assert f'href="#id_{cible}"' in page


def test_a_holder_siret_is_checked_with_its_key(client, matrice, editeur):
    donnees = donnees_marche(
        **{"titulaires-0-type_identifiant": "SIRET", "titulaires-0-identifiant": "90000000000001"}
    )
    page = refuse(client, matrice.commune, donnees)
    assert 'id="id_titulaires-0-identifiant_error"' in page
    assert "Titulaire 1 : Identifiant" in page


def test_a_contract_needs_at_least_one_holder(client, matrice, editeur):
    donnees = donnees_marche(
        **{
            "titulaires-0-type_identifiant": "SIRET",
            "titulaires-0-identifiant": "",
            "titulaires-0-denomination": "",
        },
    )
    page = refuse(client, matrice.commune, donnees)
    assert "Indiquez au moins un titulaire du marché." in page


def test_the_same_holder_twice_is_refused(client, matrice, editeur):
    donnees = donnees_marche(
        **{
            "titulaires-TOTAL_FORMS": "2",
            "titulaires-1-type_identifiant": "TVA",
            "titulaires-1-identifiant": "FR40303265045",
        }
    )
    refuse(client, matrice.commune, donnees)


def test_the_same_id_twice_for_one_buyer_is_refused(client, matrice, editeur, contrat):
    donnees = donnees_marche(
        id_decp=contrat.marche.id_decp, acheteur_siret=contrat.marche.acheteur_siret
    )
    page = refuse(client, matrice.commune, donnees)
    assert "a déjà un marché d&#x27;identifiant" in page


def test_no_box_checked_means_no_social_consideration(client, matrice, editeur):
    donnees = donnees_marche()
    del donnees["considerations_sociales"]
    client.post(url_creer(matrice.commune), donnees)
    marche = Marche.objects.get(id_decp="2026-0042")
    assert not marche.a_consideration_sociale
    assert marche.considerations_sociales == ["Pas de considération sociale"]
    assert marche.considerations_environnementales == ["Pas de considération environnementale"]


def test_a_member_says_considerations_are_unknown_or_makes_them_known_by_ticking_one(
    client, matrice, editeur
):
    donnees = donnees_marche()
    del donnees["considerations_sociales"], donnees["sociales_connues"]
    client.post(url_creer(matrice.commune), donnees)
    marche = Marche.objects.get(id_decp="2026-0042")
    assert not marche.sociales_connues
    assert marche.considerations_sociales == ["Non renseigné"]
    assert marche.environnementales_connues

    # Ticking a consideration of a contract whose considerations were unknown.
    donnees = donnees_marche(id_decp="2026-0043", considerations_sociales=["Clause sociale"])
    del donnees["sociales_connues"]
    client.post(url_creer(matrice.commune), donnees)
    marche = Marche.objects.get(id_decp="2026-0043")
    assert marche.sociales_connues and marche.clause_sociale


def test_members_see_unknown_considerations_as_unknown(client, matrice, editeur):
    marche = MarcheFactory(commune=matrice.commune, inconnues=True, publie=False)
    liste = client.get(reverse("espace:marches:liste", args=[matrice.commune.code_insee]))
    page = liste.content.decode()
    assert "Non renseignées" in page and "Aucune</span>" not in page
    assert "Les considérations sociales de ce marché ne sont pas renseignées" in page
    assert "Cible non atteinte" not in page
    detail = client.get(
        reverse("espace:marches:detail", args=[matrice.commune.code_insee, marche.pk])
    ).content.decode()
    assert "Non renseignées" in detail and "Pas de considération sociale" not in detail


def test_editing_replaces_a_holder_and_keeps_the_history(client, contrat, editeur):
    ancien = contrat.titulaire
    donnees = donnees_marche(
        {
            **titulaires_existants(contrat),
            "titulaires-TOTAL_FORMS": "2",
            "titulaires-0-DELETE": "on",
            "titulaires-1-type_identifiant": "TVA",
            "titulaires-1-identifiant": "FR40303265045",
        },
        id_decp=contrat.marche.id_decp,
        considerations_environnementales=["Clause environnementale"],
    )
    adresse = reverse(
        "espace:marches:modifier", args=[contrat.marche.commune.code_insee, contrat.marche.pk]
    )
    assert client.post(adresse, donnees).status_code == 302
    assert list(contrat.marche.titulaires.values_list("identifiant", flat=True)) == [
        "FR40303265045"
    ]
    assert Titulaire.history.filter(id=ancien.pk, history_type="-").exists()
    contrat.marche.refresh_from_db()
    assert contrat.marche.clause_environnementale
    assert contrat.marche.history.filter(history_type="~", history_user=editeur).exists()


def test_unpublished_contracts_leave_the_public_page_only(client, contrat, editeur):
    contrat.marche.publie = False
    contrat.marche.save()
    commune = contrat.marche.commune
    publique = client.get(reverse("commune:marches_public:liste", args=[commune.code_insee]))
    assert contrat.marche.id_decp not in publique.content.decode()
    membres = client.get(reverse("espace:marches:liste", args=[commune.code_insee]))
    assert contrat.marche.id_decp in membres.content.decode()
    assert "Non publié" in membres.content.decode()


def test_deleting_asks_for_confirmation_then_keeps_history(client, contrat, editeur):
    adresse = reverse(
        "espace:marches:supprimer", args=[contrat.marche.commune.code_insee, contrat.marche.pk]
    )
    page = client.get(adresse).content.decode()
    assert "Supprimer le marché" in page and "1 clause sociale" in page
    assert Marche.objects.filter(pk=contrat.marche.pk).exists()
    client.post(adresse)
    assert not Marche.objects.filter(pk=contrat.marche.pk).exists()
    assert Marche.history.filter(id=contrat.marche.pk, history_type="-").exists()


def test_the_member_navigation_links_the_contracts(client, matrice, editeur):
    page = client.get(reverse("espace:tableau_de_bord", args=[matrice.commune.code_insee]))
    assert reverse("espace:marches:liste", args=[matrice.commune.code_insee]) in (
        page.content.decode()
    )
