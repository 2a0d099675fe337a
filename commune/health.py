"""Reachability of the services the portal depends on, for /healthz."""

from django.conf import settings
from django.db import DatabaseError, connection


def base_de_donnees():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "detail": exc.__class__.__name__}
    return {"ok": True, "moteur": connection.vendor}


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
    services = {"base_de_donnees": base_de_donnees(), "broker": broker()}
    return {"ok": all(s["ok"] for s in services.values()), "services": services}
