"""Indicators against figures computed by hand, on contracts chosen for their edge cases:
no contract, several considerations, several holders, unpublished, another year, a
modification lowering the amount, hours above planned, all reserved."""

import datetime
import io
import json
from decimal import Decimal

import pytest

from marches.decp import decp_importer
from marches.enums import BaseLegale, Nature
from marches.indicateurs import indicateurs_commune, indicateurs_epci, indicateurs_par_annee
from marches.models import Marche
from structures.models import TypeStructure
from tests.commune.factories import CommuneFactory, EPCIFactory
from tests.marches.factories import (
    ClauseSocialeFactory,
    MarcheFactory,
    SuiviHeuresFactory,
    TitulaireFactory,
)
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

CLES_HISTORIQUES = {
    "nombre",
    "avec_consideration",
    "part",
    "cible",
    "montant",
    "montant_avec_consideration",
}


def marche(commune, montant, annee=2026, **kwargs):
    return MarcheFactory(
        commune=commune,
        montant=Decimal(montant),
        date_notification=datetime.date(annee, 5, 12),
        **kwargs,
    )


@pytest.fixture
def commune():
    """Four published contracts of 2026, one unpublished, one of 2025.

    m1 100 000 € clause sociale, held by a SIAE; clause L2112-2 of 700 h planned,
       periods of 400 h (2 people, 2 contracts) and 450 h (3 people, 1 contract):
       850 h, above the plan.
    m2  50 000 € clause sociale + critère social, held by an EA (not a SIAE); clause
       L2152-7 without planned hours, one period of 20 h (1 person, 1 contract).
    m3  30 000 € marché réservé, held by a SIAE and an EA: counted once, in full.
       Clause L2113-13 with 0 h planned, no period.
    m4  20 000 € no social consideration, critère environnemental.
    m5 200 000 € clause sociale, unpublished (only in the members' figures).
    m6  10 000 € clause sociale, notified in 2025.
    """
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    siae = StructureFactory(type=TypeStructure.objects.get(code="ACI"))
    ea = StructureFactory(type=TypeStructure.objects.get(code="EA"))

    m1 = marche(commune, "100000", clause_sociale=True)
    TitulaireFactory(marche=m1, identifiant=siae.siret, structure=siae)
    c1 = ClauseSocialeFactory(marche=m1, base_legale=BaseLegale.L2112_2, heures_prevues=700)
    SuiviHeuresFactory(
        clause=c1,
        periode_debut=datetime.date(2026, 6, 1),
        periode_fin=datetime.date(2026, 8, 31),
        heures_realisees=Decimal("400"),
        personnes_embauchees=2,
        contrats_signes=2,
    )
    SuiviHeuresFactory(
        clause=c1,
        periode_debut=datetime.date(2026, 9, 1),
        periode_fin=datetime.date(2026, 12, 31),
        heures_realisees=Decimal("450"),
        personnes_embauchees=3,
        contrats_signes=1,
    )

    m2 = marche(commune, "50000", clause_sociale=True, critere_social=True)
    TitulaireFactory(marche=m2, identifiant=ea.siret, structure=ea)
    c2 = ClauseSocialeFactory(marche=m2, base_legale=BaseLegale.L2152_7, heures_prevues=None)
    SuiviHeuresFactory(
        clause=c2, heures_realisees=Decimal("20"), personnes_embauchees=1, contrats_signes=1
    )

    m3 = marche(commune, "30000", marche_reserve=True)
    TitulaireFactory(marche=m3, identifiant=siae.siret, structure=siae)
    TitulaireFactory(marche=m3, identifiant=ea.siret, structure=ea)
    ClauseSocialeFactory(marche=m3, base_legale=BaseLegale.L2113_13, heures_prevues=0)

    marche(commune, "20000", critere_environnemental=True)
    m5 = marche(commune, "200000", clause_sociale=True, publie=False)
    TitulaireFactory(marche=m5, identifiant=siae.siret, structure=siae)
    marche(commune, "10000", annee=2025, clause_sociale=True)
    return commune


def test_the_historical_keys_are_kept(commune):
    assert set(indicateurs_commune(commune)) >= CLES_HISTORIQUES
    assert set(indicateurs_commune(commune, 2026)) >= CLES_HISTORIQUES


def test_published_contracts_of_a_year(commune):
    i = indicateurs_commune(commune, 2026)
    assert i["annee"] == 2026
    assert (i["nombre"], i["avec_consideration"]) == (4, 3)
    assert i["part"] == 75 and i["cible"] == 30 and i["cible_atteinte"] is True
    assert i["ecart_cible"] == 45
    assert i["montant"] == Decimal("200000") and i["montant_avec_consideration"] == 180000
    assert i["part_montant"] == 90
    assert (i["sans_consideration"], i["montant_sans_consideration"]) == (1, 20000)
    assert (i["reserves"], i["montant_reserves"]) == (1, 30000)
    assert i["environnement"] == {"clause_environnementale": 0, "critere_environnemental": 1}

    par_consideration = {ligne["cle"]: ligne for ligne in i["par_consideration"]}
    assert [ligne["cle"] for ligne in i["par_consideration"]] == [
        "clause_sociale",
        "critere_social",
        "marche_reserve",
        "aucune",
    ]
    assert (
        par_consideration["clause_sociale"]["nombre"],
        par_consideration["clause_sociale"]["montant"],
    ) == (2, 150000)
    assert par_consideration["clause_sociale"]["part"] == 50
    assert (
        par_consideration["critere_social"]["nombre"],
        par_consideration["critere_social"]["montant"],
    ) == (1, 50000)
    assert (
        par_consideration["marche_reserve"]["nombre"],
        par_consideration["marche_reserve"]["montant"],
    ) == (1, 30000)
    assert (par_consideration["aucune"]["nombre"], par_consideration["aucune"]["part"]) == (1, 25)

    # m1 and m3 have a SIAE among their holders; m3 counts once and in full.
    assert (i["nombre_siae"], i["montant_siae"]) == (2, 130000)
    assert i["part_montant_siae"] == 65


def test_clauses_and_hours_of_a_year(commune):
    i = indicateurs_commune(commune, 2026)
    par_base = {ligne["base_legale"]: ligne for ligne in i["par_base_legale"]}
    assert list(par_base) == [base.value for base in BaseLegale]
    assert par_base["L2112-2"] == {
        "base_legale": "L2112-2",
        "libelle": BaseLegale.L2112_2.label,
        "clauses": 1,
        "marches": 1,
        "heures_prevues": 700,
        "heures_realisees": Decimal("850"),
        "heures_sur_prevues": Decimal("850"),
        "personnes_embauchees": 5,
        "contrats_signes": 3,
    }
    assert par_base["L2152-7"]["heures_prevues"] == 0
    assert par_base["L2152-7"]["heures_realisees"] == 20
    assert par_base["L2152-7"]["heures_sur_prevues"] == 0
    assert par_base["L2113-13"]["clauses"] == 1 and par_base["L2113-13"]["heures_realisees"] == 0
    assert par_base["L2113-12"]["clauses"] == 0
    assert i["clauses"] == 3
    assert i["heures_prevues"] == 700 and i["heures_realisees"] == 870
    # Hours done on clauses that plan hours (850) over the hours planned (700).
    assert i["taux_heures"] == Decimal(850) * 100 / 700
    assert (i["personnes_embauchees"], i["contrats_signes"]) == (6, 4)
    assert i["clauses_en_depassement"] == 1


def test_all_years_and_members_figures(commune):
    toutes = indicateurs_commune(commune)
    assert (toutes["nombre"], toutes["avec_consideration"], toutes["montant"]) == (5, 4, 210000)
    assert toutes["annee"] is None
    membres = indicateurs_commune(commune, 2026, publies_seulement=False)
    assert (membres["nombre"], membres["montant"], membres["nombre_siae"]) == (5, 400000, 3)
    assert membres["part"] == 80


def test_a_commune_without_contracts(db):
    i = indicateurs_commune(CommuneFactory(code_insee="35047"), 2026)
    assert (i["nombre"], i["avec_consideration"], i["part"], i["cible_atteinte"]) == (
        0,
        0,
        None,
        None,
    )
    assert i["montant"] is None and i["montant_avec_consideration"] is None
    assert i["part_montant"] is None and i["part_montant_siae"] is None
    assert i["montant_siae"] == 0 and i["taux_heures"] is None
    assert all(ligne["nombre"] == 0 and ligne["part"] is None for ligne in i["par_consideration"])
    assert i["heures_prevues"] == 0 and i["heures_realisees"] == 0


def test_all_contracts_reserved(db):
    commune = CommuneFactory(code_insee="35047")
    marche(commune, "40000", marche_reserve=True)
    marche(commune, "60000", marche_reserve=True)
    i = indicateurs_commune(commune, 2026)
    assert (i["part"], i["reserves"], i["montant_reserves"]) == (100, 2, 100000)
    assert i["cible_atteinte"] and i["sans_consideration"] == 0


def test_a_share_just_below_the_target_is_missed(db):
    commune = CommuneFactory(code_insee="35047")
    for numero in range(10):
        marche(commune, "40000", clause_sociale=numero < 2)
    i = indicateurs_commune(commune, 2026)
    assert i["part"] == 20 and i["cible_atteinte"] is False and i["ecart_cible"] == -10


def test_a_modification_lowering_the_amount_lowers_the_figures(db):
    commune = CommuneFactory(code_insee="35238", siret_mairie="21350238800019")
    contrat = {
        "id": "2026-1",
        "acheteur": {"id": "21350238800019"},
        "nature": "Marché",
        "objet": "Entretien",
        "codeCPV": "77310000-6",
        "procedure": "Procédure adaptée",
        "dureeMois": 12,
        "dateNotification": "2026-03-01",
        "montant": 90000,
        "considerationsSociales": ["Clause sociale"],
        "modifications": [{"montant": 60000, "dateNotificationModification": "2026-06-01"}],
    }
    fichier = io.BytesIO(json.dumps([contrat]).encode())
    decp_importer(fichier=fichier, ecrire=True)
    i = indicateurs_commune(commune, 2026)
    assert i["montant"] == 60000 and i["montant_avec_consideration"] == 60000
    assert Marche.objects.get().montant_initial == 90000


def test_an_epci_counts_what_it_bought(commune):
    epci = EPCIFactory(siren="243500139")
    MarcheFactory(commune=None, epci=epci, montant=Decimal("500000"), marche_reserve=True)
    MarcheFactory(commune=None, epci=epci, montant=Decimal("100000"))
    i = indicateurs_epci(epci, 2026)
    assert (i["nombre"], i["avec_consideration"], i["part"], i["montant"]) == (2, 1, 50, 600000)
    assert i["reserves"] == 1


def test_figures_by_year(commune):
    lignes = indicateurs_par_annee(Marche.objects.publies().filter(commune=commune))
    assert [(ligne["annee"], ligne["nombre"], ligne["part"]) for ligne in lignes] == [
        (2026, 4, 75),
        (2025, 1, 100),
    ]
    assert lignes[0]["montant"] == 200000 and lignes[0]["montant_avec_consideration"] == 180000


@pytest.mark.parametrize("nombre", [0, 60])
def test_indicators_take_four_queries_whatever_the_contracts(django_assert_num_queries, nombre):
    commune = CommuneFactory(code_insee="35047")
    for _ in range(nombre // 3):
        clause = ClauseSocialeFactory(marche=marche(commune, "50000", clause_sociale=True))
        SuiviHeuresFactory(clause=clause)
        marche(commune, "10000")
        marche(commune, "20000", marche_reserve=True)
    with django_assert_num_queries(4):
        i = indicateurs_commune(commune, 2026)
    assert i["nombre"] == nombre


# Unknown is not "no" ------------------------------------------------------------------------


def test_unknown_considerations_are_neither_with_nor_without(db):
    """Two known contracts (one with a clause), three DECP v1 contracts without
    considerations: the share is 1 of 2, and the three are counted apart."""
    commune = CommuneFactory(code_insee="35047")
    marche(commune, "40000", clause_sociale=True)
    marche(commune, "60000")
    for _ in range(3):
        marche(commune, "100000", inconnues=True)
    i = indicateurs_commune(commune, 2026)
    assert (i["nombre"], i["connues"], i["inconnues"]) == (5, 2, 3)
    assert (i["montant"], i["montant_connues"], i["montant_inconnues"]) == (400000, 100000, 300000)
    assert (i["avec_consideration"], i["sans_consideration"]) == (1, 1)
    assert i["montant_sans_consideration"] == 60000
    assert i["part"] == 50 and i["part_montant"] == 40 and i["cible_atteinte"] is True
    aucune = next(ligne for ligne in i["par_consideration"] if ligne["cle"] == "aucune")
    assert (aucune["nombre"], aucune["part"]) == (1, 50)


def test_no_verdict_when_no_contract_says_its_considerations(db):
    commune = CommuneFactory(code_insee="35047")
    for _ in range(36):
        marche(commune, "50000", inconnues=True)
    i = indicateurs_commune(commune, 2026)
    assert (i["nombre"], i["connues"], i["inconnues"]) == (36, 0, 36)
    assert i["part"] is None and i["part_montant"] is None
    assert i["cible_atteinte"] is None and i["ecart_cible"] is None
    assert i["sans_consideration"] == 0
    assert all(ligne["part"] is None for ligne in i["par_consideration"])


def test_an_unknown_contract_with_flags_counts_as_unknown(db):
    """`Marche.considerations_sociales` says "Non renseigné" whatever the flags: so do
    the figures."""
    commune = CommuneFactory(code_insee="35047")
    marche(commune, "50000", inconnues=True, clause_sociale=True)
    i = indicateurs_commune(commune, 2026)
    assert (i["avec_consideration"], i["inconnues"], i["part"]) == (0, 1, None)


def test_figures_by_year_leave_unknown_considerations_out_of_the_share(db):
    commune = CommuneFactory(code_insee="35047")
    marche(commune, "40000", clause_sociale=True)
    marche(commune, "40000", inconnues=True)
    for _ in range(2):
        marche(commune, "40000", annee=2022, inconnues=True)
    lignes = indicateurs_par_annee(Marche.objects.filter(commune=commune))
    assert [
        (ligne["annee"], ligne["nombre"], ligne["connues"], ligne["inconnues"], ligne["part"])
        for ligne in lignes
    ] == [(2026, 2, 1, 1, 100), (2022, 2, 0, 2, None)]
    assert [ligne["cible_atteinte"] for ligne in lignes] == [True, None]


def test_concession_contracts_are_left_out_of_the_share_against_the_target(db):
    commune = CommuneFactory(code_insee="35047")
    marche(commune, "40000", clause_sociale=True)
    marche(commune, "60000")
    concession = marche(commune, "900000")
    Marche.objects.filter(pk=concession.pk).update(nature=Nature.CONCESSION)

    i = indicateurs_commune(commune, 2026)

    assert (i["nombre"], i["part"], i["montant"]) == (2, 50, 100000)
    assert [ligne["nombre"] for ligne in indicateurs_par_annee(Marche.objects.all())] == [2]
