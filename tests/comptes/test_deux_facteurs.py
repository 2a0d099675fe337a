"""Two-factor authentication: enrolment from the account page, the second step of signing
in, recovery codes, and the admin that requires it."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from comptes.models import EchecConnexion
from tests.comptes.factories import MOT_DE_PASSE, UserFactory

pytestmark = pytest.mark.django_db

URL_CONNEXION = reverse("comptes:connexion")
URL_CODE = reverse("comptes:connexion_code")
URL_PAGE = reverse("comptes:deux_facteurs")


def oublier_le_delai(appareil):
    """django-otp makes a device wait 1 s after a wrong code, 2 after two…: skip it."""
    TOTPDevice.objects.filter(pk=appareil.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def code_de(appareil):
    return (
        f"{totp(appareil.bin_key, step=appareil.step, t0=appareil.t0, digits=appareil.digits):06d}"
    )


@pytest.fixture
def protegee():
    user = UserFactory(email="elue@mairie.test")
    appareil = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return user, appareil


def connecter(client, email="elue@mairie.test", suite=None):
    donnees = {"username": email, "password": MOT_DE_PASSE}
    if suite:
        donnees["next"] = suite
    return client.post(URL_CONNEXION, donnees)


def test_password_alone_does_not_sign_in_a_person_with_an_application(client, protegee):
    reponse = connecter(client)
    assert reponse.status_code == 302 and reponse.url == URL_CODE
    assert "_auth_user_id" not in client.session
    page = client.get(URL_CODE)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()


def test_right_code_signs_in_and_goes_on_to_next(client, protegee):
    user, appareil = protegee
    connecter(client, suite="/compte/jetons/")
    reponse = client.post(URL_CODE, {"code": code_de(appareil)})
    assert reponse.status_code == 302 and reponse.url == "/compte/jetons/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["otp_device_id"] == appareil.persistent_id


def test_wrong_code_does_not_sign_in_and_counts_as_a_failure(client, protegee):
    connecter(client)
    reponse = client.post(URL_CODE, {"code": "000000"})
    assert reponse.status_code == 400
    assert "Ce code n&#x27;est pas valable" in reponse.content.decode()
    assert "_auth_user_id" not in client.session
    assert EchecConnexion.objects.filter(identifiant="elue@mairie.test").count() == 1


def test_five_wrong_codes_lock_the_second_step_too(client, protegee):
    _, appareil = protegee
    connecter(client)
    for _ in range(5):
        client.post(URL_CODE, {"code": "000000"})
    reponse = client.post(URL_CODE, {"code": code_de(appareil)})
    assert reponse.status_code == 429
    assert "_auth_user_id" not in client.session


def test_code_page_without_a_password_first_sends_back_to_sign_in(client, protegee):
    assert client.get(URL_CODE).url == URL_CONNEXION
    assert client.post(URL_CODE, {"code": "123456"}).url == URL_CONNEXION


def test_a_recovery_code_signs_in_once(client, protegee):
    user, _ = protegee
    secours = StaticDevice.objects.create(user=user, name="Secours", confirmed=True)
    secours.token_set.create(token="secours1")
    connecter(client)
    assert client.post(URL_CODE, {"code": "secours1"}).status_code == 302
    client.logout()
    connecter(client)
    assert client.post(URL_CODE, {"code": "secours1"}).status_code == 400


def test_enrolment_shows_secret_otpauth_url_and_a_qr_code_drawn_here(client):
    user = UserFactory(email="elue@mairie.test")
    client.force_login(user)
    reponse = client.get(URL_PAGE)
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    appareil = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'<code id="secret-totp">([A-Z2-7]+)</code>', contenu).group(1)
    assert len(secret) >= 32
    assert 'href="otpauth://totp/' in contenu
    assert '<svg role="img" aria-label="QR code' in contenu
    assert "<img" not in contenu.split("<main", 1)[-1]
    # The same secret on the next visit, until confirmed.
    assert secret in client.get(URL_PAGE).content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert appareil.confirmed is False


def test_enrolment_needs_a_right_first_code_and_gives_recovery_codes(client):
    user = UserFactory(email="elue@mairie.test")
    client.force_login(user)
    client.get(URL_PAGE)
    appareil = TOTPDevice.objects.get(user=user)

    assert client.post(URL_PAGE, {"code": "000000"}).status_code == 400
    appareil.refresh_from_db()
    assert appareil.confirmed is False
    assert appareil.throttling_failure_count == 1

    oublier_le_delai(appareil)
    reponse = client.post(URL_PAGE, {"code": code_de(appareil)})
    assert reponse.status_code == 200
    appareil.refresh_from_db()
    assert appareil.confirmed is True
    codes = re.findall(r"<li><code>(\w+)</code></li>", reponse.content.decode())
    assert len(codes) == 10
    assert StaticDevice.objects.get(user=user).token_set.count() == 10
    # From now on, the password alone is not enough.
    client.logout()
    assert connecter(client).url == URL_CODE


def test_disabling_needs_a_current_code(client, protegee):
    user, appareil = protegee
    client.force_login(user)
    assert client.post(URL_PAGE, {"code": "000000"}).status_code == 400
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    oublier_le_delai(appareil)
    reponse = client.post(URL_PAGE, {"code": code_de(appareil)})
    assert reponse.status_code == 302
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    client.logout()
    assert connecter(client).status_code == 302
    assert "_auth_user_id" in client.session


@pytest.fixture
def exigee(settings):
    settings.OTP_EXIGE_POUR_ADMIN = True


def test_staff_without_second_factor_is_sent_to_enrolment_not_the_admin(client, exigee):
    UserFactory(email="staff@mairie.test", is_staff=True, is_superuser=True)
    reponse = connecter(client, "staff@mairie.test", suite="/admin/")
    assert reponse.url == "/admin/"
    reponse = client.get("/admin/", follow=True)
    assert reponse.redirect_chain[-1][0] == URL_PAGE
    assert "exige la double authentification" in reponse.content.decode()
    assert client.get(reverse("admin:comptes_user_changelist")).status_code == 302


def test_staff_with_a_verified_code_uses_the_admin(client, exigee):
    staff = UserFactory(email="staff@mairie.test", is_staff=True, is_superuser=True)
    appareil = TOTPDevice.objects.create(user=staff, name="Téléphone", confirmed=True)
    connecter(client, "staff@mairie.test", suite="/admin/")
    reponse = client.post(URL_CODE, {"code": code_de(appareil)})
    assert reponse.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_signed_in_before_enrolling_elsewhere_is_asked_for_a_code(client, exigee):
    staff = UserFactory(email="staff@mairie.test", is_staff=True, is_superuser=True)
    appareil = TOTPDevice.objects.create(user=staff, name="Téléphone", confirmed=True)
    client.force_login(staff)
    reponse = client.get("/admin/", follow=True)
    assert reponse.redirect_chain[-1][0].startswith(URL_CODE)
    assert client.post(f"{URL_CODE}?next=/admin/", {"code": code_de(appareil)}).url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_production_settings_require_the_second_factor_for_the_admin():
    from pathlib import Path

    texte = Path("config/settings/prod.py").read_text()
    assert "\nOTP_EXIGE_POUR_ADMIN = True\n" in texte
