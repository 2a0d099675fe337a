"""The audit's reproductions of API errors (issue 16, item 7 and 11): filters that answered
500 instead of 400, user input %-formatted into a message, HTML under /api/."""

import pytest
from django.test import Client

from api.filters import ANNEE_INVALIDE, VALEUR_REPETEE
from api.pagination import PAGE_INVALIDE, TAILLE_INVALIDE
from api.serializers import BOOLEEN_ATTENDU, TEXTE_ATTENDU
from tests.api.conftest import client_api

pytestmark = pytest.mark.django_db

LISTES_PAR_ANNEE = (
    "/api/v1/marches/",
    "/api/v1/communes/35238/marches/",
    "/api/v1/communes/35238/marches/indicateurs/",
    "/api/v1/soutiens/",
)


@pytest.mark.parametrize("adresse", LISTES_PAR_ANNEE)
@pytest.mark.parametrize("annee", ["0", "-1", "99999999999999999999", "2026.5", "", "vingt"])
def test_a_year_out_of_range_is_refused_with_400_naming_the_field(matrice, adresse, annee):
    reponse = client_api().get(adresse, {"annee": annee})
    assert reponse.status_code == 400, reponse.content[:300]
    assert reponse.json() == {"annee": [ANNEE_INVALIDE]}


@pytest.mark.parametrize("adresse", LISTES_PAR_ANNEE)
def test_a_year_given_twice_is_refused(matrice, adresse):
    reponse = client_api().get(adresse + "?annee=2025&annee=2026")
    assert reponse.status_code == 400
    assert reponse.json() == {"annee": [VALEUR_REPETEE]}


def test_a_valid_year_still_filters_the_contracts(matrice, donnees):
    # The contract of the shared data is notified in 2026.
    assert client_api().get("/api/v1/marches/", {"annee": "2026"}).json()["count"] == 1
    assert client_api().get("/api/v1/marches/", {"annee": "2025"}).json()["count"] == 0


@pytest.mark.parametrize("texte", ["%", "%s", "%(nom)s", "100 %", "{0}", "{nom}"])
def test_a_commune_name_with_percent_or_braces_is_quoted_back_not_formatted(matrice, texte):
    reponse = client_api().get("/api/v1/structures/", {"commune": texte})
    assert reponse.status_code == 400
    [message] = reponse.json()["commune"]
    assert f"« {texte} »" in message


@pytest.mark.parametrize(
    ("adresse", "champ", "valeur"),
    [
        ("/api/v1/communes/", "departement", "99"),
        ("/api/v1/communes/", "region", "99"),
        ("/api/v1/communes/", "population", "0.5"),
        ("/api/v1/communes/", "signe", "peut-etre"),
        ("/api/v1/communes/", "score", "100"),
        ("/api/v1/communes/", "tri", "hasard"),
        ("/api/v1/structures/", "type", "inconnu"),
        ("/api/v1/structures/", "groupe", "inconnu"),
        ("/api/v1/structures/", "secteur", "inconnu"),
        ("/api/v1/structures/", "departement", "99"),
        ("/api/v1/structures/", "commune", "00000"),
        ("/api/v1/structures/", "reseau", "inconnu"),
        ("/api/v1/structures/", "prestation", "inconnue"),
        ("/api/v1/structures/", "tri", "hasard"),
        ("/api/v1/marches/", "consideration", "toutes"),
        ("/api/v1/marches/", "departement", "99"),
        ("/api/v1/communes/35238/marches/", "consideration", "toutes"),
        ("/api/v1/soutiens/", "type", "don"),
        ("/api/v1/referentiels/", "page", "0"),
        ("/api/v1/referentiels/", "page", "deux"),
        ("/api/v1/referentiels/", "page", ""),
        ("/api/v1/referentiels/", "page_size", "0"),
        ("/api/v1/referentiels/", "page_size", "-5"),
        ("/api/v1/referentiels/", "page_size", "beaucoup"),
        ("/api/v1/communes/35238/engagements/", "page_size", "٣"),
    ],
)
def test_every_filter_refuses_a_bad_value_with_400_naming_it(matrice, adresse, champ, valeur):
    reponse = client_api().get(adresse, {champ: valeur})
    assert reponse.status_code == 400, (reponse.status_code, reponse.content[:300])
    assert list(reponse.json()) == [champ]


@pytest.mark.parametrize(
    ("champ", "message"), [("page", PAGE_INVALIDE), ("page_size", TAILLE_INVALIDE)]
)
def test_a_page_parameter_given_twice_is_refused(matrice, champ, message):
    reponse = client_api().get(f"/api/v1/referentiels/?{champ}=1&{champ}=2")
    assert reponse.status_code == 400
    assert reponse.json() == {champ: [VALEUR_REPETEE]}
    assert client_api().get("/api/v1/referentiels/", {champ: "x"}).json() == {champ: [message]}


def test_a_page_size_above_the_maximum_gives_the_maximum(matrice):
    reponse = client_api().get("/api/v1/communes/", {"page_size": "99999999999999999999"})
    assert reponse.status_code == 200


@pytest.mark.parametrize("adresse", ["/api/v1/nimporte/", "/api/nimporte", "/api/v1/marches/abc/"])
def test_an_unknown_address_under_api_answers_json_404(db, adresse):
    reponse = Client().get(adresse)
    assert reponse.status_code == 404
    assert reponse["Content-Type"] == "application/json"
    assert "/api/docs/" in reponse.json()["detail"]


def test_a_wrong_method_under_api_answers_json_405_with_allow(db):
    # The OpenAPI document's view renders OpenAPI, not JSON, and refused it in that type.
    reponse = Client().delete("/api/schema/")
    assert reponse.status_code == 405
    assert reponse.json() == {"detail": "Méthode « DELETE » non autorisée à cette adresse."}
    assert "GET" in reponse["Allow"]


def test_a_server_error_under_api_answers_json_500(db, monkeypatch):
    def panne(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr("api.views.Racine.get", panne)
    reponse = Client(raise_request_exception=False).get("/api/v1/")
    assert reponse.status_code == 500
    assert reponse["Content-Type"] == "application/json"
    assert reponse.json()["detail"].startswith("Erreur du serveur")


def test_outside_api_an_unknown_address_keeps_the_sites_html_page(db):
    reponse = Client().get("/nimporte-quoi/")
    assert reponse.status_code == 404
    assert reponse["Content-Type"].startswith("text/html")


def test_drfs_own_json_errors_keep_their_message(matrice):
    reponse = Client().get("/api/v1/communes/00000/")
    assert reponse.status_code == 404
    assert "/api/docs/" not in reponse.json()["detail"]


def test_a_number_where_text_is_expected_is_refused_not_converted(matrice):
    editeur = client_api(matrice.users["editeur"])
    preuve = {"titre": 12.5, "date": "2026-03-01", "url": "https://exemple.fr/deliberation"}
    reponse = editeur.post("/api/v1/communes/35238/engagements/1.1/preuves/", preuve, format="json")
    assert reponse.status_code == 400
    assert reponse.json() == {"titre": [TEXTE_ATTENDU]}


def test_hours_with_more_decimals_than_kept_are_rounded_not_refused(matrice, donnees):
    editeur = client_api(matrice.users["editeur"])
    suivis = f"/api/v1/marches/{donnees.marche.pk}/clauses/{donnees.clause.pk}/suivis/"
    periode = {"periode_debut": "2026-10-01", "periode_fin": "2026-10-31"}
    reponse = editeur.post(suivis, {**periode, "heures_realisees": 10.25}, format="json")
    assert reponse.status_code == 201, reponse.json()
    assert reponse.json()["heures_realisees"] == 10.3


def test_the_document_says_what_the_serializers_refuse(db):
    schema = Client().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert schema["PatchedEngagementModificationRequest"]["minProperties"] == 1
    assert schema["PreuveLienRequest"]["properties"]["titre"]["pattern"] == r"\S"
    assert schema["SoutienRequest"]["properties"]["annee"]["minimum"] == 2000
    assert "maximum" in schema["SoutienRequest"]["properties"]["annee"]


def test_every_operation_documents_the_401_of_a_bad_token(db):
    # A malformed or revoked token is refused even on a public read.
    chemins = Client().get("/api/schema/", {"format": "json"}).json()["paths"]
    for chemin, operations in chemins.items():
        for methode, operation in operations.items():
            assert "401" in operation["responses"], (methode, chemin)
    reponse = Client().get("/api/v1/communes/", HTTP_AUTHORIZATION="Bearer inconnu")
    assert reponse.status_code == 401


def test_a_number_where_a_boolean_is_expected_is_refused(matrice, donnees):
    editeur = client_api(matrice.users["editeur"])
    reponse = editeur.patch(f"/api/v1/marches/{donnees.marche.pk}/", {"publie": 0}, format="json")
    assert reponse.status_code == 400
    assert reponse.json() == {"publie": [BOOLEEN_ATTENDU]}
