"""End-to-end on the real stack: gunicorn (2 workers) + a Celery worker + Chromium."""

import pytest
from django.core.management import call_command

from tests.pile import exiger_services_reels, gunicorn, worker_celery


@pytest.fixture
def pile(transactional_db, donnees_de_reference, settings, tmp_path):
    """The demo data, a gunicorn and a Celery worker; yields the site's base URL."""
    exiger_services_reels()
    call_command("seed_demo", "--force", verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "media"
    with (
        worker_celery(settings.MEDIA_ROOT, tmp_path / "worker.log"),
        gunicorn(settings.MEDIA_ROOT, tmp_path / "gunicorn.log", workers=2) as base,
    ):
        yield base
