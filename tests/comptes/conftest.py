import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _cache_vide():
    """Throttling counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
