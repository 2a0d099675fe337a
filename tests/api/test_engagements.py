"""A commune's engagements: what the public and the members read, what a member changes,
and how bad input is refused."""

import pytest

from axes.enums import Statut
from axes.models import Engagement, Jalon, Preuve, ScoreSnapshot
from tests.api.conftest import client_api, photographie
from tests.axes.factories import EngagementFactory, JalonFactory, PreuveFactory, action_du_guide

pytestmark = pytest.mark.django_db

LISTE = "/api/v1/communes/35238/engagements/"
UNE = LISTE + "1.1/"


@pytest.fixture
def engagement(matrice):
    engagement = EngagementFactory(commune=matrice.commune, note_interne="Budget à voter.")
    PreuveFactory(engagement=engagement, titre="Délibération publique")
    PreuveFactory(engagement=engagement, titre="Devis interne", publique=False)
    JalonFactory(engagement=engagement)
    return engagement


def test_every_action_of_the_guide_is_listed_filled_or_not(matrice, engagement):
    donnees = client_api().get(LISTE).json()
    assert donnees["count"] == 15
    codes = [e["code"] for e in donnees["results"]]
    assert codes[:4] == ["1.1", "1.2", "1.3", "2.1"]
    premiere, deuxieme = donnees["results"][:2]
    assert premiere["statut"] == "engagé" and premiere["date_cible"] == "2027-06-30"
    assert deuxieme["statut"] == deuxieme["statut_retenu"] == "non renseigné"
    assert deuxieme["preuves"] == [] and deuxieme["url"].endswith("/engagements/1.2/")


@pytest.mark.parametrize(
    ("role", "membre"),
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
def test_members_also_see_the_internal_note_and_members_only_evidence(
    matrice, engagement, role, membre
):
    api = client_api(matrice.users[role])
    for donnees in (api.get(UNE).json(), api.get(LISTE).json()["results"][0]):
        titres = [p["titre"] for p in donnees["preuves"]]
        if membre:
            assert donnees["note_interne"] == "Budget à voter."
            assert sorted(titres) == ["Devis interne", "Délibération publique"]
        else:
            assert "note_interne" not in donnees
            assert titres == ["Délibération publique"]
    prive = engagement.preuves.get(publique=False)
    reponse = api.get(f"{UNE}preuves/{prive.pk}/")
    assert reponse.status_code == (200 if membre else 404)


def test_a_file_evidence_points_to_the_site_which_checks_who_reads_it(matrice):
    engagement = EngagementFactory(commune=matrice.commune)
    preuve = Preuve.objects.create(
        engagement=engagement, titre="Photo", fichier="preuves/2026/abc.png", date="2026-01-02"
    )
    donnees = client_api().get(f"{UNE}preuves/{preuve.pk}/").json()
    assert donnees["fichier"] is True
    assert donnees["url"] == (
        f"http://testserver/espace/communes/35238/actions/1.1/preuves/{preuve.pk}/fichier/"
    )


def test_list_queries_do_not_grow_with_the_engagements(
    matrice, engagement, django_assert_num_queries
):
    api = client_api()
    # Commune, guide, count, actions, engagements, their evidence, their milestones.
    with django_assert_num_queries(7):
        assert api.get(LISTE).status_code == 200
    for code in ("1.2", "1.3", "2.1", "2.2", "3.1"):
        autre = EngagementFactory(commune=matrice.commune, action=action_du_guide(code))
        PreuveFactory(engagement=autre)
        PreuveFactory(engagement=autre)
        JalonFactory(engagement=autre)
    with django_assert_num_queries(7):
        assert api.get(LISTE).status_code == 200
    # A member: their token and their role besides.
    lecteur = client_api(matrice.users["lecteur"])
    with django_assert_num_queries(9):
        assert lecteur.get(LISTE).status_code == 200


def test_detail_evidence_and_milestone_queries_are_constant(
    matrice, engagement, django_assert_num_queries
):
    api = client_api()
    # Commune, guide, action, engagement, evidence, milestones.
    with django_assert_num_queries(6):
        assert api.get(UNE).status_code == 200
    # Commune, guide, action, count, evidence.
    with django_assert_num_queries(5):
        assert api.get(f"{UNE}preuves/").status_code == 200
    with django_assert_num_queries(5):
        assert api.get(f"{UNE}jalons/").status_code == 200
    jalon = engagement.jalons.get()
    with django_assert_num_queries(4):
        assert api.get(f"{UNE}jalons/{jalon.pk}/").status_code == 200
    for _ in range(5):
        PreuveFactory(engagement=engagement)
        JalonFactory(engagement=engagement)
    with django_assert_num_queries(6):
        assert api.get(UNE).status_code == 200
    with django_assert_num_queries(5):
        assert api.get(f"{UNE}preuves/").status_code == 200
    with django_assert_num_queries(5):
        assert api.get(f"{UNE}jalons/").status_code == 200


# Changes -----------------------------------------------------------------------------------


@pytest.fixture
def editeur(matrice):
    return client_api(matrice.users["editeur"])


def test_editor_sets_progress_and_the_score_snapshot_follows(matrice, editeur):
    reponse = editeur.patch(
        LISTE + "1.2/",
        {"statut": "en cours", "avancement": 40, "pilote_nom": "Service achats"},
        format="json",
    )
    assert reponse.status_code == 200
    donnees = reponse.json()
    assert (donnees["statut"], donnees["avancement"], donnees["pilote"]) == (
        "en cours",
        40,
        "Service achats",
    )
    snapshot = ScoreSnapshot.objects.get(commune=matrice.commune)
    assert snapshot.par_axe["1"]["avancement"] != "0.000"


def test_done_needs_evidence_first_then_is_accepted(matrice, editeur):
    reponse = editeur.patch(UNE, {"statut": "réalisé"}, format="json")
    assert reponse.status_code == 400
    assert reponse.json() == {
        "statut": ["Ajoutez au moins une preuve avant de déclarer l'action réalisée."]
    }
    assert not Engagement.objects.exists()
    preuve = {"titre": "Délibération", "date": "2026-03-01", "url": "https://exemple.test/d.pdf"}
    assert editeur.post(f"{UNE}preuves/", preuve, format="json").status_code == 201
    reponse = editeur.patch(UNE, {"statut": "réalisé"}, format="json")
    assert reponse.status_code == 200
    assert reponse.json()["statut_retenu"] == "réalisé"
    # The only evidence of a done action stays.
    seule = Preuve.objects.get()
    reponse = editeur.delete(f"{UNE}preuves/{seule.pk}/")
    assert reponse.status_code == 400
    assert reponse.json() == {
        "non_field_errors": [
            "C'est la seule preuve d'une action réalisée : changez d'abord le statut."
        ]
    }
    assert Preuve.objects.filter(pk=seule.pk).exists()


@pytest.mark.parametrize(
    ("corps", "erreurs"),
    [
        ({"statut": "terminé"}, {"statut": ["«\xa0terminé\xa0» n'est pas un choix valide."]}),
        ({"statut": 3}, {"statut": ["«\xa03\xa0» n'est pas un choix valide."]}),
        (
            {"statut": "en cours", "avancement": 101},
            {"avancement": ["Assurez-vous que cette valeur est inférieure ou égale à 100."]},
        ),
        (
            {"avancement": -1},
            {"avancement": ["Assurez-vous que cette valeur est supérieure ou égale à\xa00."]},
        ),
        ({"avancement": "quarante"}, {"avancement": ["Un nombre entier valide est requis."]}),
        ({"statut": "en cours"}, {"avancement": ["Indiquez l'avancement, de 0 à 100 %."]}),
        ({"statut": "engagé"}, {"date_cible": ["Un engagement se prend avec une date cible."]}),
        (
            {"statut": "non concerné"},
            {"justification": ["Expliquez pourquoi la commune n'est pas concernée."]},
        ),
        ({"description": None}, {"description": ["Ce champ ne peut être nul."]}),
        (
            {},
            {
                "non_field_errors": [
                    "Aucun champ à modifier : envoyez au moins l'un des champs de l'engagement."
                ]
            },
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_in_french(matrice, editeur, corps, erreurs):
    avant = photographie()
    reponse = editeur.patch(LISTE + "1.2/", corps, format="json")
    assert reponse.status_code == 400
    assert reponse.json() == erreurs
    assert photographie() == avant


def test_wrong_date_is_a_400_saying_the_expected_format(matrice, editeur):
    reponse = editeur.patch(
        LISTE + "1.2/", {"statut": "engagé", "date_cible": "demain"}, format="json"
    )
    assert reponse.status_code == 400
    assert list(reponse.json()) == ["date_cible"]
    assert "La date n'a pas le bon format" in reponse.json()["date_cible"][0]


@pytest.mark.parametrize(
    "corps", ['{"statut": "en cours",', "statut=en cours", "[1, 2", "{'statut': 1}"], ids=repr
)
def test_malformed_json_is_a_french_400_not_a_500(matrice, editeur, corps):
    reponse = editeur.generic("PATCH", LISTE + "1.2/", corps, content_type="application/json")
    assert reponse.status_code == 400
    assert reponse.json()["detail"].startswith("Le corps de la requête n'est pas du JSON valide")


def test_a_json_list_instead_of_an_object_is_a_400(matrice, editeur):
    reponse = editeur.patch(LISTE + "1.2/", ["en cours"], format="json")
    assert reponse.status_code == 400
    assert list(reponse.json()) == ["non_field_errors"]


def test_form_data_is_refused_with_a_french_415(matrice, editeur):
    reponse = editeur.patch(LISTE + "1.2/", {"statut": "engagé"})
    assert reponse.status_code == 415
    assert "non supporté" in reponse.json()["detail"]


def test_unknown_action_is_a_404(matrice, editeur):
    reponse = editeur.patch(LISTE + "9.9/", {"statut": "engagé"}, format="json")
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Action introuvable."}


def test_evidence_is_a_link_only(matrice, editeur):
    reponse = editeur.post(
        f"{UNE}preuves/",
        {"titre": "Photo", "date": "2026-03-01", "url": "pas une adresse", "nature": "magie"},
        format="json",
    )
    assert reponse.status_code == 400
    assert reponse.json() == {
        "nature": ["«\xa0magie\xa0» n'est pas un choix valide."],
        "url": ["Saisissez une URL valide."],
    }
    reponse = editeur.post(
        f"{UNE}preuves/", {"titre": "Photo", "date": "2026-03-01"}, format="json"
    )
    assert reponse.json() == {"url": ["Ce champ est obligatoire."]}


def test_members_only_evidence_added_by_the_api(matrice, editeur):
    reponse = editeur.post(
        f"{UNE}preuves/",
        {
            "titre": "Devis",
            "date": "2026-03-01",
            "url": "https://exemple.test/devis.pdf",
            "publique": False,
            "nature": "budget",
        },
        format="json",
    )
    assert reponse.status_code == 201
    preuve = Preuve.objects.get()
    assert (preuve.publique, preuve.nature, preuve.created_by) == (
        False,
        "budget",
        matrice.users["editeur"],
    )
    assert client_api().get(f"{UNE}preuves/").json()["count"] == 0


def test_milestones_are_added_changed_and_deleted(matrice, editeur):
    reponse = editeur.post(
        f"{UNE}jalons/", {"date": "2026-10-01", "titre": "Comité de pilotage"}, format="json"
    )
    assert reponse.status_code == 201
    jalon = Jalon.objects.get()
    assert jalon.engagement.statut == Statut.NON_RENSEIGNE
    reponse = editeur.patch(f"{UNE}jalons/{jalon.pk}/", {"atteint": True}, format="json")
    assert reponse.json()["atteint"] is True
    reponse = editeur.patch(f"{UNE}jalons/{jalon.pk}/", {"date": "bientôt"}, format="json")
    assert reponse.status_code == 400 and list(reponse.json()) == ["date"]
    assert editeur.delete(f"{UNE}jalons/{jalon.pk}/").status_code == 204
    assert not Jalon.objects.exists()
    assert Jalon.history.count() == 3


def test_a_milestone_of_another_commune_is_not_found(matrice, editeur):
    autre = JalonFactory(engagement=EngagementFactory(commune=matrice.autre_commune))
    reponse = editeur.delete(f"{UNE}jalons/{autre.pk}/")
    assert reponse.status_code == 404
    assert Jalon.objects.filter(pk=autre.pk).exists()


def test_patch_queries_do_not_grow_with_the_engagements(matrice, django_assert_num_queries):
    from commune.enums import Role
    from tests.commune.factories import MembreCommuneFactory

    corps = {"statut": "en cours", "avancement": 40}
    # The same change on two communes in the same state, one of them with far more data.
    EngagementFactory(commune=matrice.commune, action=action_du_guide("1.2"))
    bruz = matrice.autre_commune
    EngagementFactory(commune=bruz, action=action_du_guide("1.2"))
    for code in ("1.1", "1.3", "2.1", "2.2", "3.1"):
        autre = EngagementFactory(commune=bruz, action=action_du_guide(code))
        PreuveFactory(engagement=autre)
        JalonFactory(engagement=autre)
    rennes_api = client_api(matrice.users["editeur"])
    bruz_api = client_api(MembreCommuneFactory(commune=bruz, role=Role.EDITEUR).user)
    # Token, role, commune, guide, action, the engagement locked and updated with its
    # history, the snapshot (score, previous, today's), then the answer's reads.
    with django_assert_num_queries(22):
        assert rennes_api.patch(LISTE + "1.2/", corps, format="json").status_code == 200
    with django_assert_num_queries(22):
        reponse = bruz_api.patch("/api/v1/communes/35047/engagements/1.2/", corps, format="json")
    assert reponse.status_code == 200
