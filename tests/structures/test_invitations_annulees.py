"""A pending invitation to a structure can be cancelled by its admins; its link then says so
and serves no more."""

import pytest
from django.urls import reverse

from structures import services
from structures.models import InvitationStructure, MembreStructure
from tests.roles import verifier_reponse
from tests.structures.conftest import ATTENDU_ADMIN, ROLES, texte

pytestmark = pytest.mark.django_db

ANNULEE = "Cette invitation a été annulée"
# Session, user, structure, membership, the invitation, and the savepoint of the
# transaction the view runs in (taken and released).
REQUETES_CONFIRMATION = 7
COMPTE = {
    "prenom": "Marie",
    "nom": "Curie",
    "mot_de_passe": "Tournesol-Bleu-1987",
    "confirmation": "Tournesol-Bleu-1987",
}


def invitation_structure(matrice_structure, email="nouvelle@exemple.fr"):
    return InvitationStructure.objects.create(
        structure=matrice_structure.structure,
        email=email,
        invited_by=matrice_structure.users["admin"],
    )


def url_annuler_structure(invitation):
    return reverse(
        "espace:structures_espace:invitation_annuler",
        args=[invitation.structure.siret, invitation.pk],
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_structures_admins_cancel_an_invitation(client, matrice_structure, role):
    invitation = invitation_structure(matrice_structure)
    reponse = matrice_structure.connecter(client, role).post(url_annuler_structure(invitation))
    verifier_reponse(reponse, ATTENDU_ADMIN[role])
    invitation.refresh_from_db()
    assert (invitation.cancelled_at is not None) == (role == "admin")


def test_structure_admin_cancels_from_the_members_page_and_the_link_dies(client, matrice_structure):
    invitation = invitation_structure(matrice_structure)
    lien = reverse(
        "espace:structures_espace:invitation",
        args=[services.invitation_jeton(invitation)],
    )
    assert client.get(lien).status_code == 200
    admin = matrice_structure.connecter(client, "admin")
    membres = reverse("espace:structures_espace:membres", args=[invitation.structure.siret])
    assert url_annuler_structure(invitation) in texte(admin.get(membres))
    assert admin.get(url_annuler_structure(invitation)).status_code == 200

    reponse = admin.post(url_annuler_structure(invitation), follow=True)
    assert "L'invitation de nouvelle@exemple.fr est annulée" in texte(reponse)
    assert url_annuler_structure(invitation) not in texte(reponse)
    admin.logout()

    reponse = client.get(lien)
    assert reponse.status_code == 410
    assert ANNULEE in texte(reponse)
    assert client.post(lien, COMPTE).status_code == 410
    assert not MembreStructure.objects.filter(user__email="nouvelle@exemple.fr").exists()


def test_the_confirmation_page_costs_the_same_whatever_the_number_of_invitations(
    client, matrice_structure, django_assert_num_queries
):
    invitation = invitation_structure(matrice_structure)
    client = matrice_structure.connecter(client, "admin")
    client.get(url_annuler_structure(invitation))
    with django_assert_num_queries(REQUETES_CONFIRMATION):
        client.get(url_annuler_structure(invitation))
    for numero in range(10):
        invitation_structure(matrice_structure, email=f"personne{numero}@exemple.fr")
    with django_assert_num_queries(REQUETES_CONFIRMATION):
        client.get(url_annuler_structure(invitation))
