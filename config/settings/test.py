"""Test suite: loud about mistakes, fast hashing, mail kept in memory."""

from django.template.base import TemplateSyntaxError

from .base import *  # noqa: F403
from .base import TEMPLATES, VAR_DIR, env

SECRET_KEY = "test-only-not-a-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DEBUG = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A Celery worker started by a test shares the test's media folder through MEDIA_ROOT.
MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "test-media")


class InvalidTemplateVariable(str):
    """A template that names a variable that does not exist fails the test."""

    def __mod__(self, name):
        raise TemplateSyntaxError(f"Variable de gabarit inconnue : {name!r}")


TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")

# No collectstatic before tests: whitenoise finds files through the finders.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
CELERY_TASK_ALWAYS_EAGER = True
# Seconds a report's build waits before drawing, in a worker that a test means to kill
# mid-build (tests/e2e/test_rapport_worker_tue.py); never set outside tests.
RAPPORT_PAUSE_DE_TEST = env.float("RAPPORT_PAUSE_DE_TEST", 0)
# The admin's tests sign in with force_login; tests/comptes/test_deux_facteurs.py turns the
# requirement on.
OTP_EXIGE_POUR_ADMIN = False
