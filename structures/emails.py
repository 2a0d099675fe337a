"""The emails a structure's membership sends. Plain text, in French.

Each message is rendered at once, inside the transaction that decided it, and sent
with `transaction.on_commit`: a rolled-back decision never reaches anyone's inbox.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from commune.emails import lien_absolu


def _envoyer_apres_commit(*, destinataires, sujet, gabarit, contexte):
    corps = render_to_string(gabarit, {"site_url": settings.SITE_URL, **contexte})
    for destinataire in destinataires:
        # One message per person: nobody learns the others' addresses.
        message = EmailMessage(subject=sujet, body=corps, to=[destinataire])
        transaction.on_commit(message.send)


def envoyer_invitation(*, invitation, jeton, expire_le):
    structure = invitation.structure
    _envoyer_apres_commit(
        destinataires=[invitation.email],
        sujet=f"Invitation à rejoindre {structure} sur Commune engagée",
        gabarit="emails/structures/invitation.txt",
        contexte={
            "invitation": invitation,
            "structure": structure,
            "invite_par": invitation.invited_by.nom_affiche if invitation.invited_by else "",
            "lien": lien_absolu(reverse("espace:structures_espace:invitation", args=[jeton])),
            "expire_le": expire_le,
        },
    )


def envoyer_demande_aux_admins(*, demande, admins):
    """A claim to join a structure that has admins: they decide, so they are told."""
    structure = demande.structure
    _envoyer_apres_commit(
        destinataires=[admin.email for admin in admins],
        sujet=f"Demande de rattachement à {structure}",
        gabarit="emails/structures/demande_recue.txt",
        contexte={
            "demande": demande,
            "structure": structure,
            "lien": lien_absolu(
                reverse("espace:structures_espace:membres", args=[structure.siret])
            ),
        },
    )


def envoyer_demande_acceptee(*, demande, membre):
    structure = demande.structure
    _envoyer_apres_commit(
        destinataires=[demande.user.email],
        sujet=f"Votre demande de rattachement à {structure} est acceptée",
        gabarit="emails/structures/demande_acceptee.txt",
        contexte={
            "demande": demande,
            "structure": structure,
            "membre": membre,
            "lien": lien_absolu(
                reverse("espace:structures_espace:tableau_de_bord", args=[structure.siret])
            ),
        },
    )


def envoyer_demande_refusee(*, demande):
    structure = demande.structure
    _envoyer_apres_commit(
        destinataires=[demande.user.email],
        sujet=f"Votre demande de rattachement à {structure}",
        gabarit="emails/structures/demande_refusee.txt",
        contexte={
            "demande": demande,
            "structure": structure,
            "lien": lien_absolu(reverse("espace:structures_espace:accueil")),
        },
    )
