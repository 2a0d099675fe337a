"""The emails a commune's membership sends. Plain text, in French.

Each message is rendered at once (inside the transaction that decided it) but sent
with `transaction.on_commit`: a rolled-back decision never reaches anyone's inbox.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse


def lien_absolu(chemin):
    return settings.SITE_URL.rstrip("/") + chemin


def _envoyer_apres_commit(*, destinataire, sujet, gabarit, contexte):
    corps = render_to_string(gabarit, {"site_url": settings.SITE_URL, **contexte})
    message = EmailMessage(subject=sujet, body=corps, to=[destinataire])
    transaction.on_commit(message.send)


def envoyer_invitation(*, invitation, jeton, expire_le):
    commune = invitation.commune
    _envoyer_apres_commit(
        destinataire=invitation.email,
        sujet=f"Invitation à rejoindre l'espace de {commune.nom} sur Commune engagée",
        gabarit="emails/commune/invitation.txt",
        contexte={
            "invitation": invitation,
            "commune": commune,
            "invite_par": invitation.invited_by.nom_affiche if invitation.invited_by else "",
            "lien": lien_absolu(reverse("espace:membres:invitation", args=[jeton])),
            "expire_le": expire_le,
        },
    )


def envoyer_demande_acceptee(*, demande, membre):
    commune = demande.commune
    _envoyer_apres_commit(
        destinataire=demande.user.email,
        sujet=f"Votre demande pour rejoindre {commune.nom} est acceptée",
        gabarit="emails/commune/demande_acceptee.txt",
        contexte={
            "demande": demande,
            "commune": commune,
            "membre": membre,
            "lien": lien_absolu(reverse("espace:tableau_de_bord", args=[commune.code_insee])),
        },
    )


def envoyer_demande_refusee(*, demande):
    commune = demande.commune
    _envoyer_apres_commit(
        destinataire=demande.user.email,
        sujet=f"Votre demande pour rejoindre {commune.nom}",
        gabarit="emails/commune/demande_refusee.txt",
        contexte={
            "demande": demande,
            "commune": commune,
            "lien_rejoindre": lien_absolu(reverse("espace:membres:rejoindre")),
        },
    )
