"""The role matrix every view that changes data is tested against."""

from dataclasses import dataclass

import pytest

from commune.enums import Role
from tests.commune.factories import CommuneFactory, MembreCommuneFactory
from tests.comptes.factories import UserFactory

ROLES = ("anonyme", "exterieur", "membre_autre_commune", "lecteur", "editeur", "admin", "staff")

# What a request that changes data gets, by role, on a page that éditeurs may change.
ATTENDU_EDITION = {
    "anonyme": "connexion",
    "exterieur": 404,
    "membre_autre_commune": 404,
    "lecteur": 403,
    "editeur": "ok",
    "admin": "ok",
    "staff": 403,
}
# The same on a page that only admins may change (members, signature, référent).
ATTENDU_ADMINISTRATION = {**ATTENDU_EDITION, "editeur": 403}


@dataclass
class Matrice:
    commune: object
    autre_commune: object
    users: dict

    def connecter(self, client, role):
        user = self.users[role]
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def matrice(db):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    autre = CommuneFactory(code_insee="35047", nom="Bruz")
    staff = UserFactory(is_staff=True)
    return Matrice(
        commune=commune,
        autre_commune=autre,
        users={
            "anonyme": None,
            "exterieur": UserFactory(),
            "membre_autre_commune": MembreCommuneFactory(commune=autre, role=Role.ADMIN).user,
            "lecteur": MembreCommuneFactory(commune=commune, role=Role.LECTEUR).user,
            "editeur": MembreCommuneFactory(commune=commune, role=Role.EDITEUR).user,
            "admin": MembreCommuneFactory(commune=commune, role=Role.ADMIN).user,
            "staff": staff,
        },
    )


def verifier_reponse(reponse, attendu):
    """Asserts a response matches the expectation of the role matrix."""
    if attendu == "connexion":
        assert reponse.status_code == 302, reponse.status_code
        assert "/connexion/" in reponse["Location"]
    elif attendu == "ok":
        assert reponse.status_code in (200, 302), reponse.status_code
    else:
        assert reponse.status_code == attendu, reponse.status_code
