"""Fixtures of the API tests: clients that authenticate like a script would (a personal
access token), and the throttling counters emptied between tests."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from comptes.models import JetonAcces

# The role matrix of tests/roles.py, plus the matrix of a structure.
ROLES = ("anonyme", "exterieur", "membre_autre_commune", "lecteur", "editeur", "admin", "staff")
# What a write on a commune's data gets, by role, through the API: the commune is public,
# so a write without the right is refused (401 anonymous, 403 signed in), not hidden.
ATTENDU_EDITION = {
    "anonyme": 401,
    "exterieur": 403,
    "membre_autre_commune": 403,
    "lecteur": 403,
    "editeur": "ok",
    "admin": "ok",
    "staff": 403,
}


@pytest.fixture(autouse=True)
def _cache_vide():
    """Throttling counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def jeton_pour(user):
    """A fresh token of `user`, marked as just used so that a request does not write
    its date of use (query counts stay exact)."""
    ligne, jeton = JetonAcces.creer(user=user, nom="Tests")
    JetonAcces.objects.filter(pk=ligne.pk).update(last_used_at=timezone.now())
    return jeton


def client_api(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {jeton_pour(user)}")
    return client


@pytest.fixture
def clients(matrice):
    """{role: APIClient authenticated with a token of that role's user}."""
    return {role: client_api(user) for role, user in matrice.users.items()}


def verifier(reponse, attendu, succes=(200, 201, 202, 204)):
    if attendu == "ok":
        assert reponse.status_code in succes, (reponse.status_code, reponse.content[:500])
    else:
        assert reponse.status_code == attendu, (reponse.status_code, reponse.content[:500])
        assert "detail" in reponse.json()


@dataclass
class Donnees:
    """A commune's data of every kind the API writes, and the people around it."""

    engagement: object
    preuve: object
    jalon: object
    structure: object
    soutien: object
    marche: object
    clause: object
    suivi: object
    membre_titulaire: object
    membre_autre_structure: object


@pytest.fixture
def donnees(matrice):
    from structures.models import Soutien, TypeStructure
    from tests.axes.factories import EngagementFactory, JalonFactory, PreuveFactory
    from tests.marches.factories import (
        ClauseSocialeFactory,
        MarcheFactory,
        SuiviHeuresFactory,
        TitulaireFactory,
    )
    from tests.structures.factories import MembreStructureFactory, StructureFactory

    engagement = EngagementFactory(commune=matrice.commune, note_interne="Budget à voter.")
    structure = StructureFactory(type=TypeStructure.objects.get(code="ACI"))
    marche = MarcheFactory(commune=matrice.commune, clause_sociale=True)
    TitulaireFactory(
        marche=marche, identifiant=structure.siret, denomination=structure.nom, structure=structure
    )
    clause = ClauseSocialeFactory(marche=marche, heures_prevues=700)
    return Donnees(
        engagement=engagement,
        preuve=PreuveFactory(engagement=engagement),
        jalon=JalonFactory(engagement=engagement),
        structure=structure,
        soutien=Soutien.objects.create(
            commune=matrice.commune, structure=structure, type="subvention", annee=2026
        ),
        marche=marche,
        clause=clause,
        suivi=SuiviHeuresFactory(clause=clause),
        membre_titulaire=MembreStructureFactory(structure=structure, est_admin=False).user,
        membre_autre_structure=MembreStructureFactory().user,
    )


def photographie():
    """Everything a refused write must leave as it was: rows and their history."""
    from axes.models import Engagement, Jalon, Preuve, ScoreSnapshot
    from commune.models import Rapport
    from marches.models import ClauseSociale, Marche, SuiviHeures, Titulaire
    from structures.models import Soutien, Structure

    modeles = (Engagement, Preuve, Jalon, Soutien, Marche, Titulaire, ClauseSociale, SuiviHeures)
    etat = {m.__name__: m.objects.count() for m in modeles}
    etat.update({f"historique {m.__name__}": m.history.count() for m in modeles})
    etat["instantanés"] = ScoreSnapshot.objects.count()
    etat["rapports"] = Rapport.objects.count()
    etat["historique Structure"] = Structure.history.count()
    etat["structures"] = sorted(Structure.objects.values_list("siret", "nom", "updated_at"))
    return etat
