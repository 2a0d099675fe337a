"""Counts sign-in failures and successes for comptes.tentatives, whatever page signed in."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import tentatives


@receiver(user_login_failed, dispatch_uid="comptes.noter_echec")
def noter_echec(sender, credentials, request=None, **kwargs):
    # A refusal because of the lock is not a guess: counting it would lengthen the wait of
    # a person who simply tries again too early.
    if request is None or getattr(request, "connexion_bloquee", False):
        return
    tentatives.noter_echec(request, credentials.get("username") or credentials.get("email"))


@receiver(user_logged_in, dispatch_uid="comptes.oublier_echecs")
def oublier_echecs(sender, request, user, **kwargs):
    if request is not None:
        tentatives.oublier_echecs(request, user.email)
