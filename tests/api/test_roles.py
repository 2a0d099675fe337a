"""Every write of the API, for every role: the same permission functions as the web
pages decide, and a refused write changes nothing, history included."""

import pytest

from tests.api.conftest import ATTENDU_EDITION, ROLES, client_api, photographie, verifier

pytestmark = pytest.mark.django_db

C = "/api/v1/communes/35238/"


def _ecritures(d):
    """(name, method, address, body) of each write on the commune's data."""
    e = f"{C}engagements/1.1/"
    m = f"/api/v1/marches/{d.marche.pk}/"
    marche = {
        "id_decp": "2026-API-001",
        "acheteur_siret": "21350238800019",
        "objet": "Nettoyage des locaux municipaux",
        "code_cpv": "90910000-9",
        "procedure": "Procédure adaptée",
        "montant": "42000.00",
        "date_notification": "2026-04-01",
        "duree_mois": 12,
        "considerations_sociales": ["Clause sociale"],
        "titulaires": [{"identifiant": d.structure.siret, "denomination": "Jardins"}],
    }
    return {
        "engagement": ("patch", f"{C}engagements/1.2/", {"statut": "en cours", "avancement": 40}),
        "preuve+": (
            "post",
            f"{e}preuves/",
            {"titre": "Délibération", "date": "2026-03-01", "url": "https://exemple.test/d.pdf"},
        ),
        "preuve-": ("delete", f"{e}preuves/{d.preuve.pk}/", None),
        "jalon+": ("post", f"{e}jalons/", {"date": "2026-10-01", "titre": "Comité"}),
        "jalon~": ("patch", f"{e}jalons/{d.jalon.pk}/", {"atteint": True}),
        "jalon-": ("delete", f"{e}jalons/{d.jalon.pk}/", None),
        "soutien+": (
            "post",
            f"{C}soutiens/",
            {"structure": d.structure.siret, "type": "locaux", "annee": 2026},
        ),
        "soutien~": ("patch", f"{C}soutiens/{d.soutien.pk}/", {"montant": "1500.00"}),
        "soutien-": ("delete", f"{C}soutiens/{d.soutien.pk}/", None),
        "marche+": ("post", f"{C}marches/", marche),
        "marche~": ("patch", m, {"objet": "Entretien des espaces verts et des cimetières"}),
        "marche-": ("delete", m, None),
        "clause+": ("post", f"{m}clauses/", {"base_legale": "L2152-7"}),
        "clause~": ("patch", f"{m}clauses/{d.clause.pk}/", {"heures_prevues": 800}),
        "clause-": ("delete", f"{m}clauses/{d.clause.pk}/", None),
        "rapport+": ("post", f"{C}rapports/", None),
    }


ECRITURES = (
    "engagement",
    "preuve+",
    "preuve-",
    "jalon+",
    "jalon~",
    "jalon-",
    "soutien+",
    "soutien~",
    "soutien-",
    "marche+",
    "marche~",
    "marche-",
    "clause+",
    "clause~",
    "clause-",
    "rapport+",
)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("ecriture", ECRITURES)
def test_commune_writes_follow_the_role_matrix(matrice, donnees, ecriture, role):
    methode, url, corps = _ecritures(donnees)[ecriture]
    api = client_api(matrice.users[role])
    avant = photographie()
    reponse = getattr(api, methode)(url, corps, format="json")
    attendu = ATTENDU_EDITION[role]
    verifier(reponse, attendu)
    if attendu == "ok":
        assert photographie() != avant
    else:
        assert photographie() == avant


ATTENDU_SUIVI = {
    **ATTENDU_EDITION,
    "membre_titulaire": "ok",
    "membre_autre_structure": 403,
}


def _suivis(d):
    base = f"/api/v1/marches/{d.marche.pk}/clauses/{d.clause.pk}/suivis/"
    periode = {
        "periode_debut": "2026-09-01",
        "periode_fin": "2026-11-30",
        "heures_realisees": "120.5",
        "personnes_embauchees": 2,
        "contrats_signes": 1,
    }
    return {
        "suivi+": ("post", base, periode),
        "suivi~": ("patch", f"{base}{d.suivi.pk}/", {"heures_realisees": 160}),
        "suivi-": ("delete", f"{base}{d.suivi.pk}/", None),
    }


@pytest.mark.parametrize("role", (*ROLES, "membre_titulaire", "membre_autre_structure"))
@pytest.mark.parametrize("ecriture", ("suivi+", "suivi~", "suivi-"))
def test_follow_up_writes_are_for_the_buyer_and_the_holders(matrice, donnees, ecriture, role):
    utilisateurs = {
        **matrice.users,
        "membre_titulaire": donnees.membre_titulaire,
        "membre_autre_structure": donnees.membre_autre_structure,
    }
    methode, url, corps = _suivis(donnees)[ecriture]
    avant = photographie()
    reponse = getattr(client_api(utilisateurs[role]), methode)(url, corps, format="json")
    attendu = ATTENDU_SUIVI[role]
    verifier(reponse, attendu)
    assert (photographie() == avant) is (attendu != "ok")


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", 401),
        ("exterieur", 403),
        ("membre_autre_commune", 403),
        ("lecteur", 200),
        ("editeur", 200),
        ("admin", 200),
        ("staff", 200),
        ("membre_titulaire", 200),
        ("membre_autre_structure", 403),
    ],
)
def test_follow_up_is_read_by_members_holders_and_staff(matrice, donnees, role, attendu):
    utilisateurs = {
        **matrice.users,
        "membre_titulaire": donnees.membre_titulaire,
        "membre_autre_structure": donnees.membre_autre_structure,
    }
    url = f"/api/v1/marches/{donnees.marche.pk}/clauses/{donnees.clause.pk}/suivis/"
    reponse = client_api(utilisateurs[role]).get(url)
    assert reponse.status_code == attendu
    if attendu == 200:
        assert reponse.json()["results"][0]["heures_realisees"] == 150.0
