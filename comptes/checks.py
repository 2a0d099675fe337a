from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def check_login_throttling_cache_is_shared(app_configs, **kwargs):
    """Say when password-reset requests are counted per process rather than once for the
    site. (Sign-in failures are counted in the database: comptes/tentatives.py.)

    django_ratelimit's own checks are not used (the app is not in INSTALLED_APPS, which
    the decorator does not need): they warn about Django's built-in RedisCache, the cache
    production uses, although it increments atomically.
    """
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES[alias]["BACKEND"]
    if backend != "django.core.cache.backends.locmem.LocMemCache":
        return []
    # Info, not Warning: the limits still hold, only looser, which the embedded mode
    # without Redis accepts.
    return [
        checks.Info(
            "Les demandes de réinitialisation de mot de passe sont comptées séparément par "
            "chaque processus web (cache en mémoire) : les limites sont multipliées par le "
            "nombre de processus.",
            hint="Définir REDIS_CACHE_URL pour un compteur partagé.",
            id="comptes.I001",
        )
    ]
