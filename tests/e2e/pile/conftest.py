"""End-to-end on the real stack: gunicorn (2 workers) + a Celery worker + Chromium."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.pile import exiger_services_reels, gunicorn, url_cache_redis, worker_celery


@pytest.fixture
def pile(transactional_db, donnees_de_reference, settings, tmp_path):
    """The demo data, a gunicorn and a Celery worker; yields the site's base URL."""
    exiger_services_reels()
    # One cache for the test process and the servers: what the test writes drops the
    # pages the servers keep, as a change made through the site does.
    settings.CACHES = {
        "default": {"BACKEND": "config.cache_redis.CacheRedis", "LOCATION": url_cache_redis()}
    }
    cache.clear()
    call_command("seed_demo", "--force", verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "media"
    with (
        worker_celery(settings.MEDIA_ROOT, tmp_path / "worker.log"),
        gunicorn(settings.MEDIA_ROOT, tmp_path / "gunicorn.log", workers=2) as base,
    ):
        yield base
