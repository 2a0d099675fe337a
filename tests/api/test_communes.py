"""Communes and their scores: the same fields and values as the open data, in constant
queries."""

import datetime

import pytest
from rest_framework.test import APIClient

from axes import services
from axes.enums import Statut
from axes.models import Referentiel
from axes.scoring import arrondi
from axes.selectors import scores_des_communes
from commune import opendata
from tests.axes.factories import EngagementFactory, PreuveFactory, SignatureFactory, action_du_guide
from tests.commune.factories import CommuneFactory, EluReferentFactory

pytestmark = pytest.mark.django_db

LISTE = "/api/v1/communes/"


@pytest.fixture
def api():
    return APIClient()


def remplir(commune):
    """A commune with a done action (with evidence), one in progress, one not concerned."""
    engagement = EngagementFactory(commune=commune, action=action_du_guide("1.1"))
    PreuveFactory(engagement=engagement)
    services.engagement_enregistrer(
        commune=commune, action=action_du_guide("1.1"), valeurs={"statut": Statut.REALISE}
    )
    services.engagement_enregistrer(
        commune=commune,
        action=action_du_guide("1.2"),
        valeurs={"statut": Statut.EN_COURS, "avancement": 40},
    )
    services.engagement_enregistrer(
        commune=commune,
        action=action_du_guide("1.3"),
        valeurs={"statut": Statut.NON_CONCERNE, "justification": "Pas de marché de ce type."},
    )


def test_list_serves_the_open_data_fields_and_values(api, guide, matrice):
    remplir(matrice.commune)
    SignatureFactory(commune=matrice.commune)
    reponse = api.get(LISTE)
    assert reponse.status_code == 200
    resultats = {c["code_insee"]: c for c in reponse.json()["results"]}
    lignes = {ligne["code_insee"]: ligne for ligne in opendata.lignes_communes(guide)}
    assert resultats.keys() == lignes.keys()
    for code, ligne in lignes.items():
        commune = resultats[code]
        for nom in ("commune", "departement", "region", "population", "signataire"):
            assert commune[nom] == ligne[nom]
        assert commune["avancement"] == ligne["avancement"]
        assert commune["taux_engagement"] == ligne["taux_engagement"]
        assert commune["date_signature"] == opendata.valeur_json(ligne["date_signature"])
        for axe in commune["axes"]:
            assert axe["avancement"] == ligne[f"avancement_axe_{axe['numero']}"]
        for action in commune["actions"]:
            assert action["statut"] == ligne[f"statut_{action['code']}"]
            assert action["avancement"] == ligne[f"avancement_{action['code']}"]
    rennes = resultats["35238"]
    score = scores_des_communes([matrice.commune.pk], guide)[matrice.commune.pk]
    assert rennes["avancement"] == float(arrondi(score.avancement))
    # Axis 1 of the design's worked example: (100 + 40) / 2.
    assert rennes["axes"][0] == {"numero": 1, "avancement": 70.0, "taux_engagement": 100.0}
    assert rennes["url"] == "http://testserver/api/v1/communes/35238/"
    assert rennes["page"] == "http://testserver/communes/35238/"


def test_list_gives_each_communes_siren_and_leaves_out_merged_communes(api, guide):
    rennes = CommuneFactory(code_insee="35238", nom="Rennes", siren="213502388")
    CommuneFactory(code_insee="35001", nom="Sans SIREN")
    CommuneFactory(code_insee="35002", nom="Fusionnée", fusionnee_dans=rennes)

    resultats = {c["code_insee"]: c for c in api.get(LISTE).json()["results"]}

    assert resultats.keys() == {"35238", "35001"}
    assert resultats["35238"]["siren"] == "213502388"
    assert resultats["35001"]["siren"] is None


def test_list_is_ordered_by_insee_code_and_paginated(api, guide):
    for n in range(5):
        CommuneFactory(code_insee=f"35{100 + n}")
    reponse = api.get(LISTE, {"page_size": 2})
    donnees = reponse.json()
    assert donnees["count"] == 5
    assert [c["code_insee"] for c in donnees["results"]] == ["35100", "35101"]
    assert donnees["next"] == "http://testserver/api/v1/communes/?page=2&page_size=2"
    page3 = api.get(LISTE, {"page_size": 2, "page": 3}).json()
    assert [c["code_insee"] for c in page3["results"]] == ["35104"]


def test_page_size_is_50_by_default_and_200_at_most(api, guide, settings):
    for n in range(205):
        CommuneFactory(code_insee=f"35{n:03d}")
    assert len(api.get(LISTE).json()["results"]) == 50
    assert len(api.get(LISTE, {"page_size": 500}).json()["results"]) == 200


def test_page_beyond_the_last_is_a_french_404(api, guide):
    reponse = api.get(LISTE, {"page": 9})
    assert reponse.status_code == 404
    assert reponse.json()["detail"] == "Cette page n'existe pas : la liste compte moins de pages."


def test_list_queries_do_not_grow_with_the_communes(api, guide, django_assert_num_queries):
    CommuneFactory(code_insee="35001")
    # Guide, count, page, actions, engagements.
    with django_assert_num_queries(5):
        assert api.get(LISTE).status_code == 200
    for n in range(2, 12):
        remplir(CommuneFactory(code_insee=f"35{n:03d}"))
    with django_assert_num_queries(5):
        reponse = api.get(LISTE)
    assert reponse.json()["count"] == 11
    # The rows of communes that did not change since are kept: guide, count, page.
    with django_assert_num_queries(3):
        assert api.get(LISTE).json() == reponse.json()


def test_list_shows_a_change_to_a_commune_at_once(api, guide):
    commune = CommuneFactory(code_insee="35001")
    assert api.get(LISTE).json()["results"][0]["avancement"] == 0
    remplir(commune)
    assert api.get(LISTE).json()["results"][0]["avancement"] > 0


@pytest.mark.parametrize(
    ("parametres", "attendus"),
    [
        ({"departement": "35"}, ["35001", "35002"]),
        ({"departement": "56"}, ["56001"]),
        ({"region": "53"}, ["35001", "35002", "56001"]),
        ({"population": "0-1999"}, ["35001"]),
        ({"population": "50000-"}, ["56001"]),
        ({"signe": "oui"}, ["35002"]),
        ({"signe": "non"}, ["35001", "56001"]),
        ({"score": "50-75"}, ["35002"]),
        ({"score": "25-50"}, []),
        ({"score": "0-25"}, ["35001", "56001"]),
        ({"q": "vannes"}, ["56001"]),
        ({"tri": "-population"}, ["56001", "35002", "35001"]),
        ({"tri": "-score"}, ["35002", "35001", "56001"]),
    ],
)
def test_list_filters_like_the_directory(api, guide, parametres, attendus):
    from commune.models import Departement

    CommuneFactory(code_insee="35001", nom="Acigné", population=1500)
    bruz = CommuneFactory(code_insee="35002", nom="Bruz", population=18000)
    CommuneFactory(
        code_insee="56001",
        nom="Vannes",
        population=54000,
        departement=Departement.objects.get(code="56"),
    )
    SignatureFactory(commune=bruz)
    remplir(bruz)
    for code in ("2.1", "2.2", "2.3", "3.1", "3.2", "3.3"):
        services.engagement_enregistrer(
            commune=bruz,
            action=action_du_guide(code),
            valeurs={"statut": Statut.EN_COURS, "avancement": 100},
        )
    # Axes 1 to 3 at 70, 100 and 100 %, axes 4 and 5 at 0: 54 %.
    reponse = api.get(LISTE, parametres)
    assert reponse.status_code == 200, reponse.json()
    assert [c["code_insee"] for c in reponse.json()["results"]] == attendus


@pytest.mark.parametrize(
    ("parametres", "champ"),
    [
        ({"departement": "999"}, "departement"),
        ({"population": "beaucoup"}, "population"),
        ({"score": "100-200"}, "score"),
        ({"signe": "peut-être"}, "signe"),
    ],
)
def test_bad_filter_value_is_a_400_naming_the_filter(api, guide, parametres, champ):
    reponse = api.get(LISTE, parametres)
    assert reponse.status_code == 400
    erreurs = reponse.json()
    assert list(erreurs) == [champ]
    assert "choix valide" in erreurs[champ][0]


def test_detail_has_per_axis_scores_and_counts_per_status(api, guide, matrice):
    remplir(matrice.commune)
    EluReferentFactory(commune=matrice.commune, nom="Anne Martin")
    reponse = api.get("/api/v1/communes/35238/")
    assert reponse.status_code == 200
    donnees = reponse.json()
    axe1 = donnees["axes"][0]
    assert axe1["numero"] == 1 and axe1["titre"]
    assert (axe1["avancement"], axe1["taux_engagement"], axe1["exclu"]) == (70.0, 100.0, False)
    assert axe1["comptes"] == {
        "non renseigné": 0,
        "engagé": 0,
        "en cours": 1,
        "réalisé": 1,
        "non concerné": 1,
    }
    assert sum(donnees["comptes"].values()) == 15
    assert donnees["comptes"]["non renseigné"] == 12
    assert donnees["elu_referent"]["nom"] == "Anne Martin"
    assert donnees["epci"]["siren"] == matrice.commune.epci.siren
    assert donnees["liens"]["engagements"] == (
        "http://testserver/api/v1/communes/35238/engagements/"
    )
    liste = api.get(LISTE, {"q": "35238"}).json()["results"][0]
    for nom in ("avancement", "taux_engagement", "actions", "derniere_mise_a_jour"):
        assert donnees[nom] == liste[nom]


def test_detail_counts_a_done_action_without_evidence_as_committed(api, guide, matrice):
    EngagementFactory(commune=matrice.commune, action=action_du_guide("2.1"), statut=Statut.REALISE)
    donnees = api.get("/api/v1/communes/35238/").json()
    assert donnees["comptes"]["réalisé"] == 0
    assert donnees["comptes"]["engagé"] == 1
    action = next(a for a in donnees["actions"] if a["code"] == "2.1")
    assert action["statut"] == "engagé"


def test_detail_queries_do_not_grow_with_the_engagements(
    api, guide, matrice, django_assert_num_queries
):
    # Guide, commune, actions, engagements.
    with django_assert_num_queries(4):
        assert api.get("/api/v1/communes/35238/").status_code == 200
    remplir(matrice.commune)
    for code in ("2.1", "2.2", "3.1"):
        EngagementFactory(
            commune=matrice.commune,
            action=action_du_guide(code),
            date_cible=datetime.date(2027, 1, 1),
        )
    with django_assert_num_queries(4):
        assert api.get("/api/v1/communes/35238/").status_code == 200


def test_unknown_commune_is_a_french_404(api, guide):
    reponse = api.get("/api/v1/communes/99999/")
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Commune introuvable."}


def test_without_an_active_guide_communes_are_not_found(api, guide):
    Referentiel.objects.update(actif=False)
    reponse = api.get(LISTE)
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Aucun référentiel actif."}
