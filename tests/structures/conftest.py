"""The role matrix of a structure, and what a refused request must leave as it was."""

import html
from dataclasses import dataclass

import pytest
from django.core import mail

from comptes.models import User
from structures.models import (
    DemandeRattachement,
    InvitationStructure,
    MembreStructure,
    Soutien,
    Structure,
)
from tests.comptes.factories import UserFactory
from tests.structures.factories import MembreStructureFactory, StructureFactory

ROLES = ("anonyme", "exterieur", "membre_autre_structure", "membre", "admin", "staff")

# What a request that changes data gets, by role, on a page that every member may change.
ATTENDU_MEMBRE = {
    "anonyme": "connexion",
    "exterieur": 404,
    "membre_autre_structure": 404,
    "membre": "ok",
    "admin": "ok",
    "staff": 403,
}
# The same on a page that only the structure's admins may change.
ATTENDU_ADMIN = {**ATTENDU_MEMBRE, "membre": 403}

SIRET = "93500001800017"
AUTRE_SIRET = "93500002600010"


@dataclass
class MatriceStructure:
    structure: Structure
    autre_structure: Structure
    users: dict

    def connecter(self, client, role):
        user = self.users[role]
        if user is not None:
            client.force_login(user)
        return client

    def membre_de(self, role):
        return MembreStructure.objects.get(user=self.users[role], structure=self.structure)


@pytest.fixture
def matrice_structure(db):
    structure = StructureFactory(siret=SIRET, nom="Jardins solidaires de la Vilaine")
    autre = StructureFactory(siret=AUTRE_SIRET, nom="Vilaine Emploi Services")
    return MatriceStructure(
        structure=structure,
        autre_structure=autre,
        users={
            "anonyme": None,
            "exterieur": UserFactory(),
            "membre_autre_structure": MembreStructureFactory(structure=autre).user,
            "membre": MembreStructureFactory(structure=structure, est_admin=False).user,
            "admin": MembreStructureFactory(structure=structure, est_admin=True).user,
            "staff": UserFactory(is_staff=True),
        },
    )


def texte(reponse):
    """The page as a person reads it: entities such as &#x27; turned back into characters."""
    return html.unescape(reponse.content.decode())


def photographie():
    """Everything a refused request must leave as it was: rows, history, emails."""
    return {
        "structures": sorted(
            Structure.objects.values_list(
                "pk", "siret", "nom", "description", "logo", "verifiee", "publiee", "updated_at"
            )
        ),
        "historique_structures": Structure.history.count(),
        "relations": sorted(
            (s.pk, tuple(s.secteurs.values_list("pk", flat=True))) for s in Structure.objects.all()
        ),
        "membres": sorted(MembreStructure.objects.values_list("pk", "user_id", "est_admin")),
        "historique_membres": MembreStructure.history.count(),
        "invitations": sorted(
            InvitationStructure.objects.values_list("pk", "email", "est_admin", "created_at")
        ),
        "demandes": sorted(DemandeRattachement.objects.values_list("pk", "statut")),
        "soutiens": sorted(Soutien.objects.values_list("pk", "type", "montant", "annee")),
        "historique_soutiens": Soutien.history.count(),
        "comptes": User.objects.count(),
        "emails": len(mail.outbox),
    }
