"""Contracts, their social clauses and follow-up, and a commune's indicators."""

import datetime

import pytest

from marches.models import ClauseSociale, Marche, SuiviHeures, Titulaire
from tests.api.conftest import client_api, photographie
from tests.marches.factories import (
    ClauseSocialeFactory,
    MarcheFactory,
    SuiviHeuresFactory,
    TitulaireFactory,
)

pytestmark = pytest.mark.django_db

LISTE = "/api/v1/marches/"
COMMUNE = "/api/v1/communes/35238/marches/"


def etoffer(commune, nombre=5):
    """More contracts, each with two holders, a clause and two periods of follow-up."""
    for n in range(nombre):
        marche = MarcheFactory(commune=commune, critere_social=n % 2 == 0)
        TitulaireFactory(marche=marche, identifiant=f"9000000000{n:04d}")
        TitulaireFactory(marche=marche, identifiant=f"9100000000{n:04d}")
        clause = ClauseSocialeFactory(marche=marche)
        SuiviHeuresFactory(clause=clause)
        SuiviHeuresFactory(
            clause=clause,
            periode_debut=datetime.date(2026, 9, 1),
            periode_fin=datetime.date(2026, 10, 31),
        )


def test_published_contracts_with_holders_and_clauses(matrice, donnees):
    MarcheFactory(commune=matrice.commune, publie=False, objet="Retiré")
    resultats = client_api().get(LISTE).json()["results"]
    assert len(resultats) == 1
    marche = resultats[0]
    assert marche["considerations_sociales"] == ["Clause sociale"]
    assert marche["considerations_environnementales"] == ["Pas de considération environnementale"]
    assert marche["montant"] == 85000.0
    assert marche["titulaires"][0]["structure"] == donnees.structure.siret
    clause = marche["clauses"][0]
    assert (clause["heures_prevues"], clause["heures_realisees"], clause["periodes"]) == (
        700,
        150.0,
        1,
    )
    # The facilitator's name is for the people of the contract, not the public.
    assert "facilitateur_nom" not in clause


def test_contract_lists_filter_and_reject_bad_values(matrice, donnees):
    MarcheFactory(commune=matrice.autre_commune, date_notification=datetime.date(2025, 3, 1))
    api = client_api()
    assert api.get(LISTE, {"commune": "35047"}).json()["count"] == 1
    assert api.get(LISTE, {"annee": 2025}).json()["count"] == 1
    assert api.get(LISTE, {"consideration": "clause"}).json()["count"] == 1
    assert api.get(LISTE, {"consideration": "sans"}).json()["count"] == 1
    assert api.get(COMMUNE, {"annee": 2026}).json()["count"] == 1
    reponse = api.get(LISTE, {"annee": "l'an dernier", "consideration": "toutes"})
    assert reponse.status_code == 400
    assert sorted(reponse.json()) == ["annee", "consideration"]


def test_contract_reads_do_not_grow_with_the_data(matrice, donnees, django_assert_num_queries):
    api = client_api()
    m = donnees.marche.pk
    c = donnees.clause.pk
    adresses = {
        # Count, page, holders, clauses.
        LISTE: 4,
        # Commune, count, page, holders, clauses.
        COMMUNE: 5,
        # The contract, its holders, its clauses.
        f"{LISTE}{m}/": 3,
        # The contract with holders and clauses, count, clauses.
        f"{LISTE}{m}/clauses/": 5,
        f"{LISTE}{m}/clauses/{c}/": 5,
        # Commune, four for the indicators, one for the years.
        "/api/v1/communes/35238/marches/indicateurs/": 6,
    }
    for adresse, nombre in adresses.items():
        with django_assert_num_queries(nombre):
            assert api.get(adresse).status_code == 200, adresse
    etoffer(matrice.commune)
    for adresse, nombre in adresses.items():
        with django_assert_num_queries(nombre):
            assert api.get(adresse).status_code == 200, adresse
    suivis = f"{LISTE}{m}/clauses/{c}/suivis/"
    titulaire = client_api(donnees.membre_titulaire)
    # Token, contract (3), role in the commune, holder's membership, clause, count, periods.
    with django_assert_num_queries(9):
        assert titulaire.get(suivis).status_code == 200
    for mois in (9, 10, 11):
        SuiviHeuresFactory(
            clause=donnees.clause,
            periode_debut=datetime.date(2026, mois, 1),
            periode_fin=datetime.date(2026, mois, 28),
        )
    with django_assert_num_queries(9):
        assert titulaire.get(suivis).json()["count"] == 4


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("anonyme", False),
        ("exterieur", False),
        ("membre_autre_commune", False),
        ("lecteur", True),
        ("editeur", True),
        ("admin", True),
        ("staff", True),
    ],
)
def test_an_unpublished_contract_is_for_the_communes_members(matrice, role, visible):
    marche = MarcheFactory(commune=matrice.commune, publie=False)
    api = client_api(matrice.users[role])
    assert api.get(f"{LISTE}{marche.pk}/").status_code == (200 if visible else 404)
    assert api.get(COMMUNE).json()["count"] == (1 if visible else 0)
    assert api.get(LISTE).json()["count"] == 0
    reponse = api.patch(f"{LISTE}{marche.pk}/", {"objet": "Autre"}, format="json")
    assert reponse.status_code in ((200, 403) if visible else (401, 404))


def test_the_facilitators_name_is_shown_to_the_people_of_the_contract(matrice, donnees):
    ClauseSociale.objects.filter(pk=donnees.clause.pk).update(facilitateur_nom="Jeanne Dupont")
    adresse = f"{LISTE}{donnees.marche.pk}/"
    assert "facilitateur_nom" not in client_api().get(adresse).json()["clauses"][0]
    for user in (matrice.users["lecteur"], donnees.membre_titulaire):
        clause = client_api(user).get(adresse).json()["clauses"][0]
        assert clause["facilitateur_nom"] == "Jeanne Dupont"


def test_indicators_match_the_public_page(matrice, donnees):
    from marches.indicateurs import indicateurs_commune

    MarcheFactory(commune=matrice.commune, publie=False)
    donnees_api = client_api().get("/api/v1/communes/35238/marches/indicateurs/").json()
    attendu = indicateurs_commune(matrice.commune)
    assert donnees_api["nombre"] == attendu["nombre"] == 1
    assert donnees_api["part"] == float(attendu["part"]) == 100.0
    assert donnees_api["cible"] == 30
    assert donnees_api["heures_realisees"] == 150.0
    assert donnees_api["par_annee"][0]["annee"] == 2026
    reponse = client_api().get("/api/v1/communes/35238/marches/indicateurs/", {"annee": "vingt"})
    assert reponse.status_code == 400
    assert reponse.json() == {"annee": ["Donnez une année sur quatre chiffres, par exemple 2026."]}


def test_an_undated_contract_has_a_null_date_comes_last_and_counts_in_no_year(matrice, donnees):
    sans_date = MarcheFactory(commune=matrice.commune, sans_date=True)
    resultats = client_api().get(COMMUNE).json()["results"]
    assert resultats[-1]["id"] == sans_date.pk and resultats[-1]["date_notification"] is None
    assert resultats[-1]["incomplet"] is True
    assert resultats[0]["date_notification"] == "2026-05-12"
    par_annee = client_api().get(f"{COMMUNE}indicateurs/").json()["par_annee"]
    assert [ligne["annee"] for ligne in par_annee] == [2026, None]


def test_indicators_leave_unknown_considerations_out_of_the_share(matrice, donnees):
    """The fixture's contract has a clause; three DECP v1 contracts say nothing."""
    anciens = [
        MarcheFactory(commune=matrice.commune, inconnues=True, date_notification="2022-03-01")
        for _ in range(3)
    ]
    donnees_api = client_api().get("/api/v1/communes/35238/marches/indicateurs/").json()
    assert (donnees_api["nombre"], donnees_api["connues"], donnees_api["inconnues"]) == (4, 1, 3)
    assert donnees_api["part"] == 100.0 and donnees_api["sans_consideration"] == 0
    annee_2022 = next(ligne for ligne in donnees_api["par_annee"] if ligne["annee"] == 2022)
    assert (annee_2022["inconnues"], annee_2022["part"], annee_2022["cible_atteinte"]) == (
        3,
        None,
        None,
    )
    seule_2022 = (
        client_api().get("/api/v1/communes/35238/marches/indicateurs/", {"annee": 2022}).json()
    )
    assert (seule_2022["part"], seule_2022["cible_atteinte"]) == (None, None)
    marche = client_api().get(f"{LISTE}{anciens[0].pk}/").json()
    assert marche["considerations_sociales"] == ["Non renseigné"]
    assert marche["sociales_connues"] is False


# Changes -----------------------------------------------------------------------------------

NOUVEAU = {
    "id_decp": "2026-API-001",
    "acheteur_siret": "21350238800019",
    "objet": "Nettoyage des locaux municipaux",
    "code_cpv": "90910000-9",
    "procedure": "Procédure adaptée",
    "montant": "42000.50",
    "date_notification": "2026-04-01",
    "duree_mois": 12,
    "considerations_sociales": ["Clause sociale", "Marché réservé"],
}


def test_editor_adds_a_contract_linked_to_the_holding_structure(matrice, donnees):
    corps = {**NOUVEAU, "titulaires": [{"identifiant": donnees.structure.siret}]}
    reponse = client_api(matrice.users["editeur"]).post(COMMUNE, corps, format="json")
    assert reponse.status_code == 201, reponse.json()
    marche = Marche.objects.get(id_decp="2026-API-001")
    assert (marche.commune, marche.clause_sociale, marche.marche_reserve) == (
        matrice.commune,
        True,
        True,
    )
    assert marche.titulaires.get().structure == donnees.structure
    assert reponse.json()["montant"] == 42000.5


@pytest.mark.parametrize(
    ("modification", "erreurs"),
    [
        ({"titulaires": []}, {"titulaires": ["Indiquez au moins un titulaire du marché."]}),
        (
            {"acheteur_siret": "12345678901234"},
            {
                "acheteur_siret": [
                    "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas aux 14 "
                    "chiffres. Vérifiez-le sur l'annuaire des entreprises."
                ]
            },
        ),
        (
            {"procedure": "Au hasard"},
            {"procedure": ["«\xa0Au hasard\xa0» n'est pas un choix valide."]},
        ),
        (
            {"montant": "-5"},
            {"montant": ["Assurez-vous que cette valeur est supérieure ou égale à\xa00."]},
        ),
        (
            {"duree_mois": 0},
            {"duree_mois": ["Assurez-vous que cette valeur est supérieure ou égale à\xa01."]},
        ),
        (
            {"lieu_code": "35238"},
            {"lieu_type_code": ["Choisissez le type du code de lieu d'exécution."]},
        ),
        (
            {"date_publication": "2026-01-01"},
            {
                "date_publication": [
                    "Les données d'un marché sont publiées après sa notification, pas avant."
                ]
            },
        ),
        (
            {"titulaires": [{"identifiant": "123"}]},
            {
                "titulaires": [
                    {
                        "identifiant": [
                            "Un SIRET compte exactement 14 chiffres (les espaces sont ignorés)."
                        ]
                    }
                ]
            },
        ),
    ],
)
def test_bad_contract_is_a_400_naming_the_field(matrice, donnees, modification, erreurs):
    corps = {**NOUVEAU, "titulaires": [{"identifiant": donnees.structure.siret}], **modification}
    avant = photographie()
    reponse = client_api(matrice.users["editeur"]).post(COMMUNE, corps, format="json")
    assert reponse.status_code == 400
    assert reponse.json() == erreurs
    assert photographie() == avant


def test_the_same_identifier_twice_for_a_buyer_is_refused(matrice, donnees):
    corps = {
        **NOUVEAU,
        "id_decp": donnees.marche.id_decp,
        "titulaires": [{"identifiant": donnees.structure.siret}],
    }
    reponse = client_api(matrice.users["editeur"]).post(COMMUNE, corps, format="json")
    assert reponse.status_code == 400
    assert list(reponse.json()) == ["id_decp"]


def test_a_contract_added_through_the_api_has_known_considerations_unless_it_says_not(
    matrice, donnees
):
    api = client_api(matrice.users["editeur"])
    titulaires = [{"identifiant": donnees.structure.siret}]
    sans = {**NOUVEAU, "considerations_sociales": [], "titulaires": titulaires}
    assert api.post(COMMUNE, sans, format="json").status_code == 201
    assert Marche.objects.get(id_decp="2026-API-001").considerations_sociales == [
        "Pas de considération sociale"
    ]
    inconnues = {**sans, "id_decp": "2026-API-002", "sociales_connues": False}
    assert api.post(COMMUNE, inconnues, format="json").status_code == 201
    marche = Marche.objects.get(id_decp="2026-API-002")
    assert not marche.sociales_connues

    # A change that does not speak of them keeps them unknown.
    assert api.patch(f"{LISTE}{marche.pk}/", {"montant": "1000"}, format="json").status_code == 200
    marche.refresh_from_db()
    assert not marche.sociales_connues


def test_a_change_keeps_absent_fields_and_replaces_the_holders_when_given(matrice, donnees):
    api = client_api(matrice.users["editeur"])
    adresse = f"{LISTE}{donnees.marche.pk}/"
    reponse = api.patch(adresse, {"publie": False, "considerations_sociales": []}, format="json")
    assert reponse.status_code == 200, reponse.json()
    marche = Marche.objects.get(pk=donnees.marche.pk)
    assert (marche.publie, marche.clause_sociale, marche.montant) == (False, False, 85000)
    assert marche.titulaires.count() == 1
    reponse = api.patch(
        adresse,
        {"titulaires": [{"type_identifiant": "TVA", "identifiant": "FR12345678901"}]},
        format="json",
    )
    assert reponse.status_code == 200, reponse.json()
    assert list(Titulaire.objects.filter(marche=marche).values_list("identifiant", flat=True)) == [
        "FR12345678901"
    ]


def test_clauses_are_checked_and_follow_up_rules_apply(matrice, donnees):
    api = client_api(matrice.users["editeur"])
    clauses = f"{LISTE}{donnees.marche.pk}/clauses/"
    reponse = api.post(clauses, {"base_legale": "L9999", "heures_prevues": -3}, format="json")
    assert reponse.status_code == 400
    assert sorted(reponse.json()) == ["base_legale", "heures_prevues"]
    suivis = f"{clauses}{donnees.clause.pk}/suivis/"
    chevauche = {
        "periode_debut": "2026-08-01",
        "periode_fin": "2026-09-30",
        "heures_realisees": 10,
    }
    reponse = api.post(suivis, chevauche, format="json")
    assert reponse.status_code == 400
    assert list(reponse.json()) == ["periode_debut"]
    assert "chevauche" in reponse.json()["periode_debut"][0]
    trop_long = {"periode_debut": "2026-09-01", "periode_fin": "2030-01-01", "heures_realisees": 1}
    reponse = api.post(suivis, trop_long, format="json")
    assert list(reponse.json()) == ["periode_fin"]
    a_l_envers = {"periode_debut": "2026-09-01", "periode_fin": "2026-08-01", "heures_realisees": 1}
    assert "avant son début" in api.post(suivis, a_l_envers, format="json").json()["periode_fin"][0]
    trop = {"periode_debut": "2026-09-01", "periode_fin": "2026-09-30", "heures_realisees": 20000}
    assert list(api.post(suivis, trop, format="json").json()) == ["heures_realisees"]
    assert SuiviHeures.objects.count() == 1
    bon = {
        "periode_debut": "2026-09-01",
        "periode_fin": "2026-11-30",
        "heures_realisees": "80.5",
        "personnes_embauchees": 1,
    }
    reponse = api.post(suivis, bon, format="json")
    assert reponse.status_code == 201
    assert reponse.json()["heures_realisees"] == 80.5
    assert SuiviHeures.objects.get(pk=reponse.json()["id"]).saisi_par == matrice.users["editeur"]


def test_an_epci_contract_has_no_member_who_may_change_it(matrice):
    from tests.commune.factories import EPCIFactory

    marche = MarcheFactory(commune=None, epci=EPCIFactory())
    reponse = client_api(matrice.users["admin"]).patch(
        f"{LISTE}{marche.pk}/", {"objet": "Autre"}, format="json"
    )
    assert reponse.status_code == 403
    assert client_api().get(f"{LISTE}{marche.pk}/").json()["commune"] is None
