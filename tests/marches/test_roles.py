"""Who may read and change contracts, clauses and follow-ups: the role matrix of every
view that changes data, and refused requests that write nothing."""

import pytest
from django.urls import reverse

from marches.models import ClauseSociale, Marche, SuiviHeures
from tests.marches.conftest import SIRET_MAIRIE_RENNES, etat_des_marches
from tests.marches.factories import SuiviHeuresFactory
from tests.roles import ATTENDU_EDITION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db

ROLES_STRUCTURES = ("membre_titulaire", "membre_autre_structure")
TOUS_LES_ROLES = ROLES + ROLES_STRUCTURES

# A contract page: the holder's staff see the contract, so they are told "forbidden";
# the staff of another structure do not learn it exists.
ATTENDU_MARCHE = {**ATTENDU_EDITION, "membre_titulaire": 403, "membre_autre_structure": 404}
# The commune's pages (list, new contract): structures' staff are not members.
ATTENDU_COMMUNE = {**ATTENDU_EDITION, "membre_titulaire": 404, "membre_autre_structure": 404}
# The follow-up of hours: the holder's staff report them too.
ATTENDU_SUIVI = {**ATTENDU_EDITION, "membre_titulaire": "ok", "membre_autre_structure": 404}


def url(nom, contrat, *args):
    marche = contrat.marche
    return reverse(f"espace:marches:{nom}", args=[marche.commune.code_insee, marche.pk, *args])


def donnees_marche(titulaires=None, **changements):
    """A valid contract form, with one new holder unless `titulaires` says otherwise."""
    donnees = {
        "id_decp": "2026-0042",
        "acheteur_siret": SIRET_MAIRIE_RENNES,
        "objet": "Nettoyage des locaux municipaux",
        "code_cpv": "90910000-9",
        "nature": "Marché",
        "procedure": "Procédure adaptée",
        "montant": "120000,50",
        "date_notification": "2026-03-02",
        "duree_mois": "36",
        "lieu_type_code": "Code commune",
        "lieu_code": "35238",
        "considerations_sociales": ["Clause sociale", "Marché réservé"],
        # Checked by default on the form: the considerations are known.
        "sociales_connues": "on",
        "environnementales_connues": "on",
        "forme_prix": "Forfaitaire",
        "date_publication": "",
        "publie": "on",
    }
    donnees.update(
        titulaires
        or {
            "titulaires-TOTAL_FORMS": "1",
            "titulaires-INITIAL_FORMS": "0",
            "titulaires-MIN_NUM_FORMS": "1",
            "titulaires-MAX_NUM_FORMS": "50",
            "titulaires-0-type_identifiant": "TVA",
            "titulaires-0-identifiant": "FR40303265045",
            "titulaires-0-denomination": "Nettoyage Breton",
        }
    )
    donnees.update(changements)
    return donnees


def titulaires_existants(contrat):
    """The formset data that keeps the contract's one holder as it is."""
    titulaire = contrat.titulaire
    return {
        "titulaires-TOTAL_FORMS": "1",
        "titulaires-INITIAL_FORMS": "1",
        "titulaires-MIN_NUM_FORMS": "1",
        "titulaires-MAX_NUM_FORMS": "50",
        "titulaires-0-id": str(titulaire.pk),
        "titulaires-0-marche": str(contrat.marche.pk),
        "titulaires-0-type_identifiant": titulaire.type_identifiant,
        "titulaires-0-identifiant": titulaire.identifiant,
        "titulaires-0-denomination": titulaire.denomination,
    }


def scenario_creer(contrat):
    def verifier():
        marche = Marche.objects.get(id_decp="2026-0042")
        assert marche.commune == contrat.marche.commune
        assert marche.clause_sociale and marche.marche_reserve and not marche.critere_social
        assert marche.titulaires.get().identifiant == "FR40303265045"

    adresse = reverse("espace:marches:creer", args=[contrat.marche.commune.code_insee])
    return adresse, donnees_marche(), verifier, ATTENDU_COMMUNE


def scenario_modifier(contrat):
    def verifier():
        contrat.marche.refresh_from_db()
        assert contrat.marche.objet == "Objet corrigé"
        assert not contrat.marche.publie

    donnees = donnees_marche(
        titulaires_existants(contrat),
        id_decp=contrat.marche.id_decp,
        objet="Objet corrigé",
        publie="",
    )
    return url("modifier", contrat), donnees, verifier, ATTENDU_MARCHE


def scenario_supprimer(contrat):
    def verifier():
        assert not Marche.objects.filter(pk=contrat.marche.pk).exists()
        assert not ClauseSociale.objects.filter(pk=contrat.clause.pk).exists()

    return url("supprimer", contrat), {}, verifier, ATTENDU_MARCHE


def scenario_clause_creer(contrat):
    def verifier():
        clause = ClauseSociale.objects.get(marche=contrat.marche, base_legale="L2152-7")
        assert clause.facilitateur_nom == "Anne Le Goff"

    donnees = {
        "base_legale": "L2152-7",
        "heures_prevues": "",
        "facilitateur_nom": "Anne Le Goff",
        "facilitateur_organisation": "Maison de l'emploi",
        "description": "",
    }
    return url("clause_creer", contrat), donnees, verifier, ATTENDU_MARCHE


def scenario_clause_modifier(contrat):
    def verifier():
        contrat.clause.refresh_from_db()
        assert contrat.clause.heures_prevues == 900

    donnees = {"base_legale": "L2112-2", "heures_prevues": "900"}
    return url("clause_modifier", contrat, contrat.clause.pk), donnees, verifier, ATTENDU_MARCHE


def scenario_clause_supprimer(contrat):
    def verifier():
        assert not ClauseSociale.objects.filter(pk=contrat.clause.pk).exists()

    return url("clause_supprimer", contrat, contrat.clause.pk), {}, verifier, ATTENDU_MARCHE


def scenario_suivi_ajouter(contrat):
    def verifier():
        suivi = SuiviHeures.objects.get(clause=contrat.clause)
        assert suivi.heures_realisees == 350
        assert suivi.saisi_par is not None

    donnees = {
        "periode_debut": "2026-06-01",
        "periode_fin": "2026-09-30",
        "heures_realisees": "350",
        "personnes_embauchees": "3",
        "contrats_signes": "3",
    }
    return url("suivi_ajouter", contrat, contrat.clause.pk), donnees, verifier, ATTENDU_SUIVI


def scenario_suivi_modifier(contrat):
    suivi = SuiviHeuresFactory(clause=contrat.clause)

    def verifier():
        suivi.refresh_from_db()
        assert suivi.heures_realisees == 175

    donnees = {
        "periode_debut": "2026-06-01",
        "periode_fin": "2026-08-31",
        "heures_realisees": "175",
        "personnes_embauchees": "2",
        "contrats_signes": "2",
    }
    adresse = url("suivi_modifier", contrat, contrat.clause.pk, suivi.pk)
    return adresse, donnees, verifier, ATTENDU_SUIVI


def scenario_suivi_supprimer(contrat):
    suivi = SuiviHeuresFactory(clause=contrat.clause)

    def verifier():
        assert not SuiviHeures.objects.filter(pk=suivi.pk).exists()

    adresse = url("suivi_supprimer", contrat, contrat.clause.pk, suivi.pk)
    return adresse, {}, verifier, ATTENDU_SUIVI


SCENARIOS = {
    "creer": scenario_creer,
    "modifier": scenario_modifier,
    "supprimer": scenario_supprimer,
    "clause_creer": scenario_clause_creer,
    "clause_modifier": scenario_clause_modifier,
    "clause_supprimer": scenario_clause_supprimer,
    "suivi_ajouter": scenario_suivi_ajouter,
    "suivi_modifier": scenario_suivi_modifier,
    "suivi_supprimer": scenario_suivi_supprimer,
}


@pytest.mark.parametrize("role", TOUS_LES_ROLES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_role_matrix_of_every_view_that_changes_data(client, contrat, utilisateurs, scenario, role):
    adresse, donnees, verifier, attendus = SCENARIOS[scenario](contrat)
    if utilisateurs[role] is not None:
        client.force_login(utilisateurs[role])
    avant = etat_des_marches()
    reponse = client.post(adresse, donnees)
    attendu = attendus[role]
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert reponse.status_code == 302, reponse.content.decode()
        verifier()
    else:
        assert etat_des_marches() == avant


@pytest.mark.parametrize("role", TOUS_LES_ROLES)
def test_reading_list_and_export_needs_membership_or_staff(client, contrat, utilisateurs, role):
    if utilisateurs[role] is not None:
        client.force_login(utilisateurs[role])
    commune = contrat.marche.commune
    attendu = {**ATTENDU_COMMUNE, "lecteur": 200, "editeur": 200, "admin": 200, "staff": 200}
    for nom in ("liste", "export"):
        reponse = client.get(reverse(f"espace:marches:{nom}", args=[commune.code_insee]))
        verifier_reponse(reponse, attendu[role])


@pytest.mark.parametrize("role", TOUS_LES_ROLES)
def test_reading_a_contract_and_its_clause_is_open_to_the_holders_staff(
    client, contrat, utilisateurs, role
):
    if utilisateurs[role] is not None:
        client.force_login(utilisateurs[role])
    attendu = {**ATTENDU_SUIVI, "lecteur": 200, "staff": 200}
    for adresse in (url("detail", contrat), url("clause", contrat, contrat.clause.pk)):
        verifier_reponse(client.get(adresse), attendu[role])


@pytest.mark.parametrize("role", ["lecteur", "staff", "membre_titulaire"])
def test_confirmation_and_form_pages_need_the_right_to_edit(client, contrat, utilisateurs, role):
    client.force_login(utilisateurs[role])
    adresses = [
        url("modifier", contrat),
        url("supprimer", contrat),
        url("clause_creer", contrat),
        url("clause_modifier", contrat, contrat.clause.pk),
        url("clause_supprimer", contrat, contrat.clause.pk),
    ]
    for adresse in adresses:
        assert client.get(adresse).status_code == 403, adresse
    commune = contrat.marche.commune
    creer = client.get(reverse("espace:marches:creer", args=[commune.code_insee]))
    assert creer.status_code == (404 if role == "membre_titulaire" else 403)


def test_holders_staff_get_follow_up_pages_without_the_communes_navigation(client, contrat):
    suivi = SuiviHeuresFactory(clause=contrat.clause)
    client.force_login(contrat.membre_titulaire)
    page = client.get(url("clause", contrat, contrat.clause.pk)).content.decode()
    assert "Ajouter la période" in page
    assert "Modifier la clause" not in page
    liste = reverse("espace:marches:liste", args=[contrat.marche.commune.code_insee])
    assert f'href="{liste}"' not in page
    assert f'href="{reverse("espace:marches_staff:titulaire")}"' in page
    modifier = client.get(url("suivi_modifier", contrat, contrat.clause.pk, suivi.pk))
    assert modifier.status_code == 200


def test_contract_of_another_commune_is_404_even_to_an_editor(client, matrice, contrat):
    client.force_login(matrice.users["editeur"])
    autre = reverse(
        "espace:marches:detail", args=[matrice.autre_commune.code_insee, contrat.marche.pk]
    )
    assert client.get(autre).status_code == 404
    assert client.post(autre + "supprimer/").status_code == 404
    assert Marche.objects.filter(pk=contrat.marche.pk).exists()


def test_a_clause_of_another_contract_is_404(client, matrice, contrat):
    from tests.marches.factories import ClauseSocialeFactory, MarcheFactory

    autre_clause = ClauseSocialeFactory(marche=MarcheFactory(commune=matrice.commune))
    client.force_login(matrice.users["editeur"])
    assert client.get(url("clause", contrat, autre_clause.pk)).status_code == 404
    reponse = client.post(
        url("suivi_ajouter", contrat, autre_clause.pk),
        {"periode_debut": "2026-06-01", "periode_fin": "2026-06-30", "heures_realisees": "1"},
    )
    assert reponse.status_code == 404
    assert not SuiviHeures.objects.exists()


@pytest.mark.parametrize("role", TOUS_LES_ROLES)
def test_decp_upload_page_is_staff_only_others_get_404(client, contrat, utilisateurs, role):
    if utilisateurs[role] is not None:
        client.force_login(utilisateurs[role])
    adresse = reverse("espace:marches_staff:import")
    attendu = 200 if role == "staff" else 404
    assert client.get(adresse).status_code == attendu
    avant = etat_des_marches()
    reponse = client.post(reverse("espace:marches_staff:import_ecrire"), {"jeton": "x"})
    assert reponse.status_code == (302 if role == "staff" else 404)
    assert etat_des_marches() == avant
