"""Two-factor authentication with django-otp: an authenticator application (TOTP) and
single-use recovery codes (static tokens), offered to everyone from the account page and
required for staff in the admin (settings.OTP_EXIGE_POUR_ADMIN).

After the password, a person with a confirmed device is not yet signed in: the session
keeps who they are for `DELAI_CODE`, and the code page signs them in."""

import base64
import datetime

import segno
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

CLE_SESSION = "comptes.connexion_en_attente"
DELAI_CODE = datetime.timedelta(minutes=5)
NOMBRE_CODES_SECOURS = 10
NOM_APPAREIL = "Application d'authentification"


def est_active(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def exigee_pour(request: HttpRequest) -> bool:
    """Whether this signed-in person still owes a second factor to use the admin."""
    return bool(
        settings.OTP_EXIGE_POUR_ADMIN
        and request.user.is_authenticated
        and not request.user.is_verified()
    )


def mettre_en_attente(request: HttpRequest, user: User, suite: str) -> None:
    """The password was right: remember who, and where to go next, until the code."""
    request.session[CLE_SESSION] = {
        "user": user.pk,
        "backend": user.backend,
        "suite": suite,
        "depuis": timezone.now().isoformat(),
    }


def en_attente(request: HttpRequest) -> tuple[User, dict] | tuple[None, None]:
    attente = request.session.get(CLE_SESSION)
    if not attente:
        return None, None
    depuis = datetime.datetime.fromisoformat(attente["depuis"])
    user = User.objects.filter(pk=attente["user"], is_active=True).first()
    if user is None or timezone.now() - depuis > DELAI_CODE:
        del request.session[CLE_SESSION]
        return None, None
    return user, attente


def verifier_code(user: User, code: str):
    """The device that accepts `code` (an application's code or an unused recovery code,
    which is then spent), or None."""
    code = "".join(code.split())
    if not code:
        return None
    return match_token(user, code)


def terminer_connexion(request: HttpRequest, user: User, attente: dict, appareil) -> None:
    request.session.pop(CLE_SESSION, None)
    auth_login(request, user, backend=attente["backend"])
    otp_login(request, appareil)


def appareil_a_confirmer(user: User) -> TOTPDevice:
    """The not-yet-confirmed application of `user`, made on first visit: the secret
    stays the same across visits until confirmed, so a scanned code stays valid."""
    appareil = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if appareil is None:
        appareil = TOTPDevice.objects.create(user=user, name=NOM_APPAREIL, confirmed=False)
    return appareil


def secret_base32(appareil: TOTPDevice) -> str:
    return base64.b32encode(appareil.bin_key).decode().rstrip("=")


def qr_code_svg(appareil: TOTPDevice) -> SafeString:
    """The otpauth URL as an SVG drawn here, never fetched from another host."""
    qr = segno.make(appareil.config_url, error="m")
    # A white margin and background: a dark theme must not make it unreadable.
    svg = qr.svg_inline(scale=4, border=4, light="#fff")
    etiquette = "QR code à scanner avec votre application d'authentification"
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{etiquette}" ', 1))


@transaction.atomic
def activer(*, request: HttpRequest, appareil: TOTPDevice, code: str) -> list[str] | None:
    """Confirms the application with its first code; returns the recovery codes to show
    once, or None when the code is wrong. The session counts as verified from then on."""
    if not appareil.verify_token("".join(code.split())):
        return None
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    user = appareil.user
    StaticDevice.objects.filter(user=user).delete()
    secours = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_SECOURS)]
    secours.token_set.bulk_create([StaticToken(device=secours, token=c) for c in codes])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    otp_login(request, appareil)
    return codes


@transaction.atomic
def desactiver(*, user: User) -> None:
    for appareil in devices_for_user(user, confirmed=None):
        appareil.delete()
