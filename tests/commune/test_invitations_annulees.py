"""A pending invitation to a commune can be cancelled by an admin; its link then says so
and serves no more (tests/structures/test_invitations_annulees.py: the same for structures)."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commune import services
from commune.enums import Role
from commune.models import InvitationCommune, MembreCommune
from comptes.models import User
from tests.roles import ATTENDU_ADMINISTRATION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db

ANNULEE = "Cette invitation a été annulée"
# Session, user, commune and membership, the invitation.
REQUETES_CONFIRMATION = 5
COMPTE = {
    "prenom": "Marie",
    "nom": "Curie",
    "mot_de_passe": "Tournesol-Bleu-1987",
    "confirmation": "Tournesol-Bleu-1987",
}


def texte(reponse):
    return html.unescape(reponse.content.decode())


def _compte():
    return {"prenom": "Marie", "nom": "Curie", "mot_de_passe": COMPTE["mot_de_passe"]}


# Communes ------------------------------------------------------------------------------


def invitation_commune(matrice, email="nouvelle@exemple.fr"):
    return InvitationCommune.objects.create(
        commune=matrice.commune, email=email, role=Role.EDITEUR, invited_by=matrice.users["admin"]
    )


def url_annuler(invitation):
    return reverse(
        "espace:membres:invitation_annuler", args=[invitation.commune.code_insee, invitation.pk]
    )


def lien_commune(invitation):
    return reverse("espace:membres:invitation", args=[services.invitation_jeton(invitation)])


@pytest.mark.parametrize("role", ROLES)
def test_only_the_communes_admins_cancel_an_invitation(client, matrice, role):
    invitation = invitation_commune(matrice)
    reponse = matrice.connecter(client, role).post(url_annuler(invitation))
    verifier_reponse(reponse, ATTENDU_ADMINISTRATION[role])
    invitation.refresh_from_db()
    if role == "admin":
        assert reponse["Location"] == reverse("espace:membres:liste", args=["35238"])
        assert invitation.cancelled_at is not None
        assert invitation.cancelled_by == matrice.users["admin"]
    else:
        assert invitation.cancelled_at is None
        assert invitation.cancelled_by is None


def test_admin_sees_pending_invitations_with_a_cancel_link_then_confirms(client, matrice):
    invitation = invitation_commune(matrice)
    client = matrice.connecter(client, "admin")
    liste = texte(client.get(reverse("espace:membres:liste", args=["35238"])))
    assert url_annuler(invitation) in liste
    assert "Annuler l'invitation" in liste

    confirmation = client.get(url_annuler(invitation))
    assert confirmation.status_code == 200
    assert '<button type="submit" class="bouton">Annuler l\'invitation</button>' in texte(
        confirmation
    )
    assert InvitationCommune.objects.get().cancelled_at is None, "a GET only asks"

    reponse = client.post(url_annuler(invitation), follow=True)
    assert "L'invitation de nouvelle@exemple.fr est annulée" in texte(reponse)
    assert url_annuler(invitation) not in texte(reponse)
    assert "Aucune invitation en attente." in texte(reponse)


def test_the_link_of_a_cancelled_invitation_says_so_and_cannot_be_accepted(client, matrice):
    invitation = invitation_commune(matrice)
    lien = lien_commune(invitation)
    services.invitation_annuler(invitation=invitation, by=matrice.users["admin"])

    reponse = client.get(lien)
    assert reponse.status_code == 410
    assert ANNULEE in texte(reponse)
    reponse = client.post(lien, COMPTE)
    assert reponse.status_code == 410
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()
    assert MembreCommune.objects.filter(commune=matrice.commune).count() == 3


def test_an_invitation_cancelled_while_the_form_was_filled_is_refused(matrice):
    invitation = invitation_commune(matrice)
    ouverte = services.invitation_depuis_jeton(services.invitation_jeton(invitation))
    services.invitation_annuler(invitation=invitation, by=matrice.users["admin"])
    with pytest.raises(services.InvitationInutilisable) as refus:
        services.invitation_accepter(invitation=ouverte, **_compte())
    assert ANNULEE in refus.value.message
    assert refus.value.status == 410


def test_inviting_again_after_a_cancellation_sends_a_new_link_and_the_old_stays_dead(
    client, matrice, django_capture_on_commit_callbacks
):
    invitation = invitation_commune(matrice)
    ancien_lien = lien_commune(invitation)
    services.invitation_annuler(invitation=invitation, by=matrice.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        nouvelle, creee = services.invitation_creer(
            commune=matrice.commune,
            email="nouvelle@exemple.fr",
            role=Role.LECTEUR,
            invited_by=matrice.users["admin"],
        )
    assert creee and nouvelle.pk != invitation.pk
    assert client.get(ancien_lien).status_code == 410
    assert client.get(lien_commune(nouvelle)).status_code == 200


def test_an_accepted_invitation_cannot_be_cancelled(client, matrice):
    invitation = invitation_commune(matrice)
    services.invitation_accepter(invitation=invitation, **_compte())
    reponse = matrice.connecter(client, "admin").post(url_annuler(invitation))
    assert reponse.status_code == 404
    with pytest.raises(ValidationError) as refus:
        services.invitation_annuler(invitation=invitation, by=matrice.users["admin"])
    assert "déjà été acceptée" in refus.value.messages[0]
    assert InvitationCommune.objects.get().cancelled_at is None


def test_an_invitation_of_another_commune_gives_404_to_an_admin(client, matrice):
    autre = InvitationCommune.objects.create(
        commune=matrice.autre_commune, email="x@exemple.fr", role=Role.EDITEUR
    )
    url = reverse("espace:membres:invitation_annuler", args=["35238", autre.pk])
    assert matrice.connecter(client, "admin").post(url).status_code == 404
    assert InvitationCommune.objects.get().cancelled_at is None


def test_the_confirmation_page_costs_the_same_whatever_the_number_of_invitations(
    client, matrice, django_assert_num_queries
):
    invitation = invitation_commune(matrice)
    client = matrice.connecter(client, "admin")
    client.get(url_annuler(invitation))  # the session is read once for all
    with django_assert_num_queries(REQUETES_CONFIRMATION):
        client.get(url_annuler(invitation))
    for numero in range(10):
        invitation_commune(matrice, email=f"personne{numero}@exemple.fr")
    with django_assert_num_queries(REQUETES_CONFIRMATION):
        client.get(url_annuler(invitation))
