"""Local development: SQLite in var/, eager tasks, console email."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, REDIS_CACHE_URL, SECRET_KEY, VAR_DIR

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-a-secret"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]

# The demo's staff@demo.test reaches /admin/ without a second factor, on this machine only
# (prod.py requires it whatever the environment says).
OTP_EXIGE_POUR_ADMIN = False

VAR_DIR.mkdir(parents=True, exist_ok=True)

if not REDIS_CACHE_URL:
    # One cache for every process of the machine: the server (and its autoreloader) and
    # a `manage.py import_…` run beside it. An import drops the kept pages at once.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
