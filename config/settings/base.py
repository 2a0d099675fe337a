"""Settings shared by every environment.

Every environment variable is read here, through environs, which refuses a
malformed value instead of guessing. The other modules only choose values.
"""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from environs import Env

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = env.path("VAR_DIR", BASE_DIR / "var")

# Production refuses to start without these two (see prod.py); dev and test
# provide throwaway values.
SECRET_KEY = env.str("SECRET_KEY", "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", [])
DEBUG = env.bool("DEBUG", False)
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "comptes.apps.AdministrationConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "simple_history",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "comptes",
    "commune",
    "axes",
    "structures",
    "marches",
]

MIDDLEWARE = [
    # First, so that every error under /api/ leaves as JSON, whichever layer made it.
    "api.middleware.ErreursJsonMiddleware",
    # Anonymous visitors' hits on kept public pages end here (see commune/cache.py).
    "commune.middleware.PagesPubliquesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.limites.LimiteTailleRequeteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "comptes.middleware.ConnexionBloqueeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.entetes.PermissionsPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that its redirections go out through every other middleware.
    "commune.middleware.RedirectionCommuneMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "comptes.User"
# First, so that a locked-out client is refused before any password is checked
# (comptes/tentatives.py).
AUTHENTICATION_BACKENDS = [
    "comptes.tentatives.LimiteConnexionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Two-factor authentication (comptes/deux_facteurs.py): offered to everyone, required for
# the admin unless turned off, which only config/settings/dev.py does.
OTP_EXIGE_POUR_ADMIN = True
OTP_TOTP_ISSUER = "Commune engagée"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "accueil"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Commune engagée <ne-pas-repondre@localhost>")

# Celery: with no broker configured, tasks run in-process, so the embedded
# mode needs neither Redis nor a worker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message is acknowledged once its task is over, and given back to the broker when
# the worker's process dies: a killed worker's build is redelivered, not lost. One
# message reserved at a time, so a dying worker strands no queue of others.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message to another worker after this many seconds,
# looked for every 10 seconds: a worker killed mid-build loses its report for about a
# minute. A build still running past it is delivered again and finds its report
# taken (commune.tasks): harmless.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITE_SECONDES", 60),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "commune-engagee",
    }
}
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", "")
if REDIS_CACHE_URL:
    CACHES["default"] = {
        "BACKEND": "config.cache_redis.CacheRedis",
        "LOCATION": REDIS_CACHE_URL,
    }

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}

# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# No request body above this is read: a 10 MB file and its form fit under it.
TAILLE_MAX_REQUETE = 12 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "config.limites.LimiteTailleUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Nothing inline, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# "ligne" (readable) or "json" (one object a line); production defaults to json.
LOG_FORMAT = env.str("LOG_FORMAT", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "ligne": {"format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"},
        "json": {"()": "config.journal.FormatJSON"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT or "ligne",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every layout step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Comptes
LOGIN_REDIRECT_URL = "espace:accueil"
# Login and password-reset attempts are counted per client address. Behind a reverse
# proxy REMOTE_ADDR is the proxy's, so every visitor would share one counter: name the
# request.META key of a header that the proxy overwrites with the client's single address
# (e.g. HTTP_X_REAL_IP). Not X-Forwarded-For, which a client can prefix and which may
# hold several addresses. Unset: REMOTE_ADDR.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", "") or None

# Rapports PDF : durée maximale d'une construction (secondes), et le calendrier
# des tâches périodiques, déclaré ici et nulle part ailleurs.
RAPPORT_DUREE_MAX = env.int("RAPPORT_DUREE_MAX", 120)
# The worker building a report shows a sign of life every RAPPORT_BATTEMENT seconds; a
# report whose worker has been silent for RAPPORT_SILENCE_MAX is built again elsewhere.
RAPPORT_BATTEMENT = env.int("RAPPORT_BATTEMENT", 10)
RAPPORT_SILENCE_MAX = env.int("RAPPORT_SILENCE_MAX", 45)
# A report waiting this long since it was sent (the broker was down, or lost it) is
# sent again by the sweep, RAPPORT_ENVOIS_MAX times in all, then marked failed.
RAPPORT_ATTENTE_MAX = env.int("RAPPORT_ATTENTE_MAX", 300)
RAPPORT_ENVOIS_MAX = env.int("RAPPORT_ENVOIS_MAX", 3)
# Reports a commune's members may ask for in an hour (one at a time).
RAPPORTS_PAR_HEURE = env.int("RAPPORTS_PAR_HEURE", 5)
CELERY_BEAT_SCHEDULE = {
    "rapports-mensuels": {
        "task": "commune.tasks.rapports_mensuels",
        "schedule": crontab(
            minute=0,
            hour=env.int("RAPPORTS_MENSUELS_HEURE", 3),
            day_of_month=env.int("RAPPORTS_MENSUELS_JOUR", 1),
        ),
    },
    "balayer-rapports": {
        "task": "commune.tasks.balayer_rapports",
        "schedule": env.int("RAPPORTS_BALAYAGE_SECONDES", 120),
    },
}

# API
# The REST API under /api/v1/ (api/): public reads for anyone, member writes with a
# personal access token (comptes.JetonAcces) or the session of the browsable API.
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar", "api"]
REST_FRAMEWORK.update(
    {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "api.authentication.JetonAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["api.permissions.PorteeDuJeton"],
        "DEFAULT_RENDERER_CLASSES": [
            "rest_framework.renderers.JSONRenderer",
            "rest_framework.renderers.BrowsableAPIRenderer",
        ],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
        "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
        "PAGE_SIZE": 50,
        "DEFAULT_THROTTLE_CLASSES": [
            "api.throttling.AnonymeThrottle",
            "api.throttling.UtilisateurThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "anon": env.str("API_DEBIT_ANONYME", "60/min"),
            "user": env.str("API_DEBIT_UTILISATEUR", "600/min"),
        },
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "EXCEPTION_HANDLER": "api.exceptions.gestionnaire_exceptions",
        "COERCE_DECIMAL_TO_STRING": False,
        # Path parameters keep their names ({pk}) in the OpenAPI document.
        "SCHEMA_COERCE_PATH_PK": False,
    }
)
SPECTACULAR_SETTINGS = {
    "TITLE": "API Commune engagée",
    "DESCRIPTION": (
        "Tout ce qui est public sur le portail Commune engagée, lisible par des programmes : "
        "communes et leurs scores, référentiels, engagements action par action, structures "
        "de l'IAE et de l'ESS, marchés publics et clauses sociales, soutiens, rapports. "
        "Les membres d'une commune ou d'une structure modifient leurs données avec un jeton "
        "d'accès personnel, créé sur la page « Mon compte » et envoyé dans l'en-tête "
        "`Authorization: Bearer <jeton>`. Les requêtes anonymes sont limitées en débit."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatutEngagementEnum": "axes.enums.Statut",
        "NaturePreuveEnum": "axes.enums.NaturePreuve",
        "TypeReferentielEnum": "axes.enums.TypeReferentiel",
        "StatutRapportEnum": "commune.enums.StatutRapport",
        "NatureMarcheEnum": "marches.enums.Nature",
        "TypeSoutienEnum": "structures.enums.TypeSoutien",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False},
}
