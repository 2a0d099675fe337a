"""Reachability of the services the portal depends on, for /healthz.

Each check catches its own failure, so /healthz always answers its JSON: 200 when
every service answers, 503 naming the one that does not.
"""

from django.conf import settings
from django.core.cache import cache as cache_par_defaut
from django.db import DatabaseError, connection


def base_de_donnees():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "detail": exc.__class__.__name__}
    return {"ok": True, "moteur": connection.vendor}


def cache():
    """The shared cache: the site serves without it, slower, so it is reported, not hidden."""
    ping = getattr(cache_par_defaut, "ping", None)
    if ping is None:
        # A memory or file cache of this machine: nothing to reach.
        return {"ok": True, "mode": "local"}
    try:
        ping()
    except Exception as exc:  # redis-py raises connection and timeout errors
        return {"ok": False, "detail": exc.__class__.__name__}
    return {"ok": True, "mode": "redis"}


def broker():
    if not settings.CELERY_BROKER_URL:
        # Embedded mode: tasks run in-process, there is no broker to reach.
        return {"ok": True, "mode": "eager"}
    from config.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        return {"ok": False, "detail": exc.__class__.__name__}
    return {"ok": True, "mode": "broker"}


def etat_des_services():
    services = {"base_de_donnees": base_de_donnees(), "cache": cache(), "broker": broker()}
    en_panne = [nom for nom, etat in services.items() if not etat["ok"]]
    return {"ok": not en_panne, "en_panne": en_panne, "services": services}
