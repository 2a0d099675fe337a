"""Optimistic concurrency through the API: a GET gives the version as an ETag; a PATCH
that sends back a stale one in If-Match is refused (412) and writes nothing; a matching
one, `*`, or none at all saves as before."""

from dataclasses import dataclass

import pytest

from axes.models import Engagement
from marches.models import Marche
from structures.models import Structure
from tests.api.conftest import client_api
from tests.axes.factories import EngagementFactory, action_du_guide
from tests.marches.factories import MarcheFactory, TitulaireFactory
from tests.structures.factories import MembreStructureFactory, StructureFactory

pytestmark = pytest.mark.django_db


@dataclass
class Ressource:
    url: str
    user: object
    objet: object
    champ: str

    def valeur(self):
        self.objet.refresh_from_db()
        return getattr(self.objet, self.champ)


def _engagement(matrice):
    engagement = EngagementFactory(commune=matrice.commune, action=action_du_guide("2.2"))
    url = "/api/v1/communes/35238/engagements/2.2/"
    return Ressource(url, matrice.users["editeur"], engagement, "description")


def _structure(matrice):
    structure = StructureFactory()
    membre = MembreStructureFactory(structure=structure).user
    return Ressource(f"/api/v1/structures/{structure.siret}/", membre, structure, "description")


def _marche(matrice):
    marche = MarcheFactory(commune=matrice.commune)
    TitulaireFactory(marche=marche, identifiant="21350238800019")
    return Ressource(f"/api/v1/marches/{marche.pk}/", matrice.users["editeur"], marche, "objet")


@pytest.fixture(
    params=[_engagement, _structure, _marche], ids=["engagement", "structure", "marche"]
)
def ressource(request, matrice):
    return request.param(matrice)


def _historique(ressource):
    return type(ressource.objet).history.filter(id=ressource.objet.pk).count()


def test_a_get_carries_the_version_as_etag(ressource):
    reponse = client_api(ressource.user).get(ressource.url)

    assert reponse.status_code == 200
    assert reponse["ETag"] == f'"v{ressource.objet.version}"'


def test_a_stale_if_match_is_a_412_in_french_and_nothing_is_written(ressource):
    api = client_api(ressource.user)
    lue = api.get(ressource.url)["ETag"]
    assert (
        api.patch(ressource.url, {ressource.champ: "Première."}, format="json").status_code == 200
    )
    historique = _historique(ressource)

    reponse = api.patch(
        ressource.url, {ressource.champ: "Seconde."}, format="json", HTTP_IF_MATCH=lue
    )

    assert reponse.status_code == 412
    assert reponse["Content-Type"] == "application/json"
    assert reponse.json()["detail"].startswith("Rien n'a été enregistré : la ressource a été")
    assert f'"v{ressource.objet.version + 1}"' in reponse.json()["detail"]
    assert ressource.valeur() == "Première."
    assert _historique(ressource) == historique


def test_a_matching_if_match_saves_and_answers_the_next_etag(ressource):
    api = client_api(ressource.user)
    lue = api.get(ressource.url)["ETag"]

    reponse = api.patch(
        ressource.url, {ressource.champ: "Modifiée."}, format="json", HTTP_IF_MATCH=lue
    )

    assert reponse.status_code == 200
    assert ressource.valeur() == "Modifiée."
    assert reponse["ETag"] == f'"v{ressource.objet.version}"' != lue


@pytest.mark.parametrize("entete", [None, "*"])
def test_without_a_version_to_check_the_last_save_wins_as_before(ressource, entete):
    api = client_api(ressource.user)
    ressource.objet.save()  # someone saved since
    extra = {} if entete is None else {"HTTP_IF_MATCH": entete}

    reponse = api.patch(ressource.url, {ressource.champ: "Modifiée."}, format="json", **extra)

    assert reponse.status_code == 200
    assert ressource.valeur() == "Modifiée."


@pytest.mark.parametrize("entete", ['W/"v1"', '"autre"', "v1"])
def test_a_tag_that_is_not_a_current_version_of_ours_is_a_412(ressource, entete):
    reponse = client_api(ressource.user).patch(
        ressource.url, {ressource.champ: "Modifiée."}, format="json", HTTP_IF_MATCH=entete
    )

    assert reponse.status_code == 412
    assert ressource.valeur() != "Modifiée."


def test_an_engagement_not_filled_yet_has_version_0_and_cannot_be_created_twice(matrice):
    api = client_api(matrice.users["editeur"])
    url = "/api/v1/communes/35238/engagements/1.3/"
    lue = api.get(url)["ETag"]
    assert lue == '"v0"'
    EngagementFactory(commune=matrice.commune, action=action_du_guide("1.3"))

    reponse = api.patch(url, {"description": "Tardive."}, format="json", HTTP_IF_MATCH=lue)

    assert reponse.status_code == 412


def test_the_openapi_document_describes_if_match_etag_and_412(db):
    schema = client_api().get("/api/schema/", {"format": "json"}).json()
    for chemin, modele in [
        ("/api/v1/communes/{code_insee}/engagements/{code}/", Engagement),
        ("/api/v1/structures/{siret}/", Structure),
        ("/api/v1/marches/{pk}/", Marche),
    ]:
        patch = schema["paths"][chemin]["patch"]
        entetes = {p["name"] for p in patch["parameters"] if p["in"] == "header"}
        assert "If-Match" in entetes, modele
        assert "412" in patch["responses"], modele
        assert "ETag" in schema["paths"][chemin]["get"]["responses"]["200"]["headers"], modele
