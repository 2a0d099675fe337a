import os

import pytest
from django.db import connection

from tests.navigateur import (  # noqa: F401  (browser fixtures)
    capture,
    erreurs_console_attendues,
    navigateur,
    page,
)
from tests.roles import matrice  # noqa: F401  (the role matrix fixture)


def pytest_configure(config):
    # In CI the suite must run on the real services: a missing PostgreSQL is a
    # failure, never a silent fallback to SQLite.
    if os.environ.get("CI") == "true" and not os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")
    ):
        raise pytest.UsageError("CI=true : DATABASE_URL doit pointer vers PostgreSQL.")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _cache_vide():
    """Each test starts with an empty cache: what a previous test wrote without
    signals (and so without a bump) must not be served to the next one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def guide(db):
    from axes.models import Referentiel

    return Referentiel.objects.guide()


@pytest.fixture
def on_postgresql():
    return connection.vendor == "postgresql"


DONNEES_DE_REFERENCE = (
    "commune.migrations.0003_regions_departements",
    "axes.migrations.0004_referentiels",
    "structures.migrations.0002_reference",
)


@pytest.fixture
def donnees_de_reference(transactional_db):
    """Reloads the reference data of the data migrations (idempotent).

    A transactional test starts from whatever the previous one left, and ends by
    emptying every table, reference data included: it reloads what it needs.
    """
    import importlib

    from django.apps import apps

    for module in DONNEES_DE_REFERENCE:
        importlib.import_module(module).charger(apps, None)
