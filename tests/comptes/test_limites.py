from unittest import mock

import pytest
from django.urls import reverse

from comptes.checks import check_login_throttling_cache_is_shared
from tests.comptes.factories import MOT_DE_PASSE, UserFactory

pytestmark = pytest.mark.django_db

URL_CONNEXION = reverse("comptes:connexion")
MESSAGE = "Trop de tentatives de connexion. Réessayez dans quelques minutes."


def tenter(client, email, mot_de_passe="faux", **extra):
    return client.post(URL_CONNEXION, {"username": email, "password": mot_de_passe}, **extra)


def test_sixth_attempt_on_one_account_gets_429_even_with_the_right_password(client):
    user = UserFactory(email="elue@mairie.test")
    for _ in range(5):
        assert tenter(client, "elue@mairie.test").status_code == 200

    with mock.patch("django.contrib.auth.forms.authenticate") as authenticate:
        reponse = tenter(client, "elue@mairie.test", MOT_DE_PASSE)
    assert reponse.status_code == 429
    authenticate.assert_not_called()
    contenu = reponse.content.decode()
    assert MESSAGE in contenu
    assert 'role="alert"' in contenu
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is None


def test_account_limit_ignores_case_and_spaces_of_the_address(client):
    UserFactory(email="elue@mairie.test")
    variantes = ["elue@mairie.test", "ELUE@mairie.test", " Elue@Mairie.Test ", "elue@MAIRIE.test"]
    for email in [*variantes, "elue@mairie.test"]:
        assert tenter(client, email).status_code == 200

    reponse = tenter(client, "Elue@mairie.test", MOT_DE_PASSE)
    assert reponse.status_code == 429


def test_stranger_guessing_an_address_does_not_lock_its_owner_out(client):
    """Issue 16, reproduction 6: the lock is per (client, account) pair."""
    UserFactory(email="elue@mairie.test")
    for _ in range(8):
        tenter(client, "elue@mairie.test", REMOTE_ADDR="198.51.100.66")
    assert (
        tenter(client, "elue@mairie.test", MOT_DE_PASSE, REMOTE_ADDR="198.51.100.66").status_code
        == 429
    )

    reponse = tenter(client, "elue@mairie.test", MOT_DE_PASSE, REMOTE_ADDR="192.0.2.10")
    assert reponse.status_code == 302
    assert client.session["_auth_user_id"]


def test_one_account_limit_leaves_other_accounts_alone(client):
    UserFactory(email="elue@mairie.test")
    UserFactory(email="maire@mairie.test")
    for _ in range(6):
        tenter(client, "elue@mairie.test")

    assert tenter(client, "maire@mairie.test", MOT_DE_PASSE).status_code == 302


def test_attempts_from_one_ip_across_many_accounts_are_limited(client):
    UserFactory(email="elue@mairie.test")
    for n in range(20):
        assert tenter(client, f"personne{n}@mairie.test").status_code == 200

    reponse = tenter(client, "elue@mairie.test", MOT_DE_PASSE)
    assert reponse.status_code == 429
    assert MESSAGE in reponse.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert (
        tenter(client, "elue@mairie.test", MOT_DE_PASSE, REMOTE_ADDR="10.9.9.9").status_code == 302
    )


def test_client_address_comes_from_the_configured_proxy_header(client, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    UserFactory(email="elue@mairie.test")
    for n in range(20):
        tenter(client, f"personne{n}@mairie.test", HTTP_X_REAL_IP="203.0.113.7")

    # Same proxy (REMOTE_ADDR), other client: let in.
    reponse = tenter(client, "elue@mairie.test", MOT_DE_PASSE, HTTP_X_REAL_IP="203.0.113.8")
    assert reponse.status_code == 302
    client.logout()
    reponse = tenter(client, "elue@mairie.test", MOT_DE_PASSE, HTTP_X_REAL_IP="203.0.113.7")
    assert reponse.status_code == 429


def test_showing_the_sign_in_page_is_not_counted(client):
    UserFactory(email="elue@mairie.test")
    for _ in range(30):
        assert client.get(URL_CONNEXION).status_code == 200
    assert tenter(client, "elue@mairie.test", MOT_DE_PASSE).status_code == 302


def test_deploy_check_says_when_counters_are_per_process(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [m.id for m in check_login_throttling_cache_is_shared(None)] == ["comptes.I001"]

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    assert check_login_throttling_cache_is_shared(None) == []
