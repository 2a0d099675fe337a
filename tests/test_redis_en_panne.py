"""Redis unreachable: the site keeps serving, computed from the database, and /healthz
names the cache. The cache points at a closed port: no need to stop a real Redis."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from commune import cache as cache_public
from tests.commune.factories import CommuneFactory
from tests.commune.test_pages import remplir_commune

pytestmark = pytest.mark.django_db

CACHE_INJOIGNABLE = {
    "default": {
        "BACKEND": "config.cache_redis.CacheRedis",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def redis_injoignable(settings):
    settings.CACHES = CACHE_INJOIGNABLE


@pytest.fixture
def commune(guide):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    remplir_commune(commune, guide)
    return commune


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/communes/35238/",
        "/communes/",
        "/connexion/",
        "/api/v1/",
        "/api/v1/communes/",
        "/api/v1/communes/35238/",
    ],
)
def test_pages_answer_200_when_redis_is_unreachable(client, commune, redis_injoignable, url):
    assert client.get(url).status_code == 200
    # A second visit is computed again, as nothing could be kept.
    assert client.get(url).status_code == 200


def test_scorecard_shows_the_commune_when_redis_is_unreachable(client, commune, redis_injoignable):
    reponse = client.get(reverse("commune:scorecard", args=["35238"]))
    assert reponse.status_code == 200
    assert "Rennes" in reponse.content.decode()


def test_outage_is_logged_once_per_request_as_a_warning(client, commune, redis_injoignable, caplog):
    with caplog.at_level(logging.WARNING, logger="config.cache_redis"):
        client.get("/communes/35238/")
    avertissements = [r for r in caplog.records if r.name == "config.cache_redis"]
    assert [r.levelno for r in avertissements] == [logging.WARNING]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="config.cache_redis"):
        client.get("/")
    assert len([r for r in caplog.records if r.name == "config.cache_redis"]) == 1


@pytest.mark.parametrize("cookie", [False, True])
def test_healthz_answers_503_json_naming_the_cache(client, redis_injoignable, cookie):
    if cookie:
        client.cookies["sessionid"] = "quelconque"
    reponse = client.get(reverse("commune:healthz"))
    assert reponse.status_code == 503
    assert reponse["Content-Type"] == "application/json"
    etat = json.loads(reponse.content)
    assert etat["services"]["cache"]["ok"] is False
    assert "cache" in etat["en_panne"]
    assert etat["services"]["base_de_donnees"]["ok"] is True


def test_login_page_posts_answer_without_error_when_redis_is_unreachable(client, redis_injoignable):
    """The login's rate limit cannot count: it fails closed (429 in the page), never 500."""
    reponse = client.post("/connexion/", {"username": "a@exemple.fr", "password": "x"})
    assert reponse.status_code in (200, 429)


def test_a_bump_lost_in_the_outage_is_written_when_the_cache_returns(guide):
    commune = CommuneFactory()
    cache.set(cache_public.cle_commune(commune.pk), 1, None)
    with override_settings(CACHES=CACHE_INJOIGNABLE):
        cache_public.invalider_communes(commune.pk)
    assert cache.get(cache_public.cle_commune(commune.pk)) == 1
    cache_public.memoiser("essai", lambda: "valeur", commune_id=commune.pk)
    assert cache.get(cache_public.cle_commune(commune.pk)) != 1


def test_memoised_values_are_computed_when_redis_is_unreachable(redis_injoignable):
    appels = []
    for _ in range(2):
        valeur = cache_public.memoiser("essai", lambda: appels.append(1) or "valeur")
        assert valeur == "valeur"
    assert len(appels) == 2


def test_an_opinion_is_taken_when_redis_is_unreachable(client, commune, redis_injoignable):
    """The opinions' rate limit fails open: they wait for moderation anyway."""
    from axes.models import Avis

    url = reverse("commune:avis:deposer", args=["35238", "1.1"])
    reponse = client.post(url, {"nom": "Camille", "message": "Très bien.", "consentement": "on"})
    assert reponse.status_code == 302
    assert Avis.objects.filter(message="Très bien.").exists()


def test_redis_cache_gives_up_within_a_second_unless_told_otherwise():
    from config.cache_redis import CacheRedis

    options = CacheRedis("redis://127.0.0.1:1/0", {})._cache._pool_options
    assert (options["socket_connect_timeout"], options["socket_timeout"]) == (0.5, 1.0)
    reglee = CacheRedis("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_timeout": 3}})
    assert reglee._cache._pool_options["socket_timeout"] == 3
