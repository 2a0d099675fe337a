"""Limits on signing in, kept in the database so that they hold when Redis is down.

Two limits, both counted on wrong passwords only:
- per pair (client address, account): after `SEUIL_PAIRE` failures the pair waits, and
  each further failure doubles the wait (`attente_apres`). Keyed on the pair, so that a
  stranger guessing someone's password locks out only himself, never the owner signing
  in from elsewhere (issue 16, reproduction 6);
- per client address, over every account: `SEUIL_IP` failures in `FENETRE_IP`, against a
  client that tries many accounts with one password each.

Every `authenticate()` that receives the request is held by `LimiteConnexionBackend`,
first of AUTHENTICATION_BACKENDS: the site's sign-in page, the admin's (which is the
same page) and any other. Parallel guesses may each slip past the check before their
failure is written: a burst gains at most as many guesses as it has requests in flight.
"""

import datetime
import ipaddress

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone

from .models import EchecConnexion

SEUIL_PAIRE = 5
SEUIL_IP = 20
FENETRE_IP = datetime.timedelta(minutes=10)
PREMIERE_ATTENTE = datetime.timedelta(minutes=5)
ATTENTE_MAX = datetime.timedelta(days=1)
# A failure older than this is forgotten: the longest wait, so that no lock outlives it.
MEMOIRE = ATTENTE_MAX

MESSAGE_BLOCAGE = "Trop de tentatives de connexion. Réessayez dans quelques minutes."


def attente_apres(echecs: int) -> datetime.timedelta:
    """How long a pair waits after its `echecs`-th failure: nothing before the fifth, then
    5 minutes, doubled by each failure after it (10, 20, 40 min…), at most a day."""
    if echecs < SEUIL_PAIRE:
        return datetime.timedelta(0)
    return min(PREMIERE_ATTENTE * 2 ** min(echecs - SEUIL_PAIRE, 20), ATTENTE_MAX)


def ip_du_client(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header the proxy sets when
    RATELIMIT_IP_META_KEY names one (the same setting as the other rate limits)."""
    cle = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    for valeur in (request.META.get(cle, ""), request.META.get("REMOTE_ADDR", "")):
        candidat = valeur.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(candidat))
        except ValueError:
            continue
    return "0.0.0.0"


def normaliser(identifiant: str | None) -> str:
    return (identifiant or "").strip().lower()[:254]


def est_bloque(request: HttpRequest, identifiant: str | None) -> bool:
    """Whether this client may not try to sign in to this account now."""
    ip = ip_du_client(request)
    maintenant = timezone.now()
    if EchecConnexion.objects.filter(ip=ip).depuis(maintenant - FENETRE_IP).count() >= SEUIL_IP:
        return True
    paire = (
        EchecConnexion.objects.filter(ip=ip, identifiant=normaliser(identifiant))
        .depuis(maintenant - MEMOIRE)
        .aggregate(echecs=Count("pk"), dernier=Max("created_at"))
    )
    if paire["echecs"] < SEUIL_PAIRE:
        return False
    return paire["dernier"] + attente_apres(paire["echecs"]) > maintenant


def noter_echec(request: HttpRequest, identifiant: str | None) -> None:
    maintenant = timezone.now()
    EchecConnexion.objects.filter(created_at__lt=maintenant - MEMOIRE).delete()
    EchecConnexion.objects.create(
        ip=ip_du_client(request), identifiant=normaliser(identifiant), created_at=maintenant
    )


def oublier_echecs(request: HttpRequest, identifiant: str | None) -> None:
    """After a success the pair starts again from nothing; the client's other pairs and
    its overall count stay."""
    EchecConnexion.objects.filter(
        ip=ip_du_client(request), identifiant=normaliser(identifiant)
    ).delete()


class LimiteConnexionBackend:
    """Refuses, before any password is checked, an authentication asked by a client that
    is locked out. `PermissionDenied` stops Django from asking the next backends; the
    request is marked so that the page answers 429 rather than "wrong password".

    Not a BaseBackend: without `get_user`, `force_login` and the session skip it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        from django.contrib.auth import get_user_model

        identifiant = username or kwargs.get(get_user_model().USERNAME_FIELD)
        if est_bloque(request, identifiant):
            request.connexion_bloquee = True
            raise PermissionDenied(MESSAGE_BLOCAGE)
        return None
