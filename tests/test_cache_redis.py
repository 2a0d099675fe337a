"""The Redis cache of production, on the real Redis (the broker's server, its own db)."""

import os

import pytest
from django.conf import settings

from config.cache_redis import CacheRedis


@pytest.fixture
def cache_redis():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        message = "ce test demande Redis (CELERY_BROKER_URL)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    serveur = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/9"
    cache = CacheRedis(serveur, {"KEY_PREFIX": f"test-{os.getpid()}"})
    cache.clear()
    yield cache
    cache.clear()
    for pool in cache._cache._pools.values():
        pool.disconnect()


def test_one_client_serves_every_call(cache_redis):
    client = cache_redis._cache.get_client()
    assert cache_redis._cache.get_client(write=True) is client


def test_reads_and_writes_go_through_the_shared_client(cache_redis):
    assert cache_redis.add("version", 1, timeout=None)
    assert not cache_redis.add("version", 2, timeout=None)
    cache_redis.set_many({"a": b"page", "b": (1, [2, 3])}, timeout=60)
    assert cache_redis.get_many(["version", "a", "b", "absente"]) == {
        "version": 1,
        "a": b"page",
        "b": (1, [2, 3]),
    }
    cache_redis.delete("a")
    assert cache_redis.get("a", "défaut") == "défaut"
