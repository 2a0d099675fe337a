"""The real stack for end-to-end tests: gunicorn and a Celery worker as separate
processes, on the local PostgreSQL (the test database) and Redis.

Locally without those services the tests that need them are skipped; in CI
(CI=true) a missing service fails them.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

RACINE = Path(__file__).resolve().parent.parent


def exiger_services_reels():
    manquants = []
    if connection.vendor != "postgresql":
        manquants.append("PostgreSQL (DATABASE_URL)")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        manquants.append("Redis (CELERY_BROKER_URL)")
    if manquants:
        message = "ce test demande " + " et ".join(manquants)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def url_base_de_test():
    reglages = connection.settings_dict
    return (
        f"postgres://{reglages['USER']}:{reglages['PASSWORD'] or ''}@{reglages['HOST']}:"
        f"{reglages['PORT'] or 5432}/{reglages['NAME']}"
    )


def url_cache_redis():
    """The cache of the real stack, shared by gunicorn's workers and the test process as
    in production: the broker's Redis server, database 12."""
    return settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/12"


def environnement(media_root):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url_base_de_test(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "REDIS_CACHE_URL": url_cache_redis(),
        "MEDIA_ROOT": str(media_root),
    }


def port_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def processus(commande, env, journal):
    with open(journal, "w") as sortie:
        p = subprocess.Popen(commande, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT)
        try:
            yield p
        finally:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


@contextmanager
def worker_celery(media_root, journal):
    """A `celery -A config worker` process; the web side sends it tasks through Redis."""
    from config.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.control.purge()
    commande = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel",
        "info",
        "--concurrency",
        "1",
        "--without-gossip",
        "--without-mingle",
    ]
    try:
        with processus(commande, environnement(media_root), journal) as p:
            yield p
    finally:
        app.conf.task_always_eager = True


@contextmanager
def gunicorn(media_root, journal, workers=2):
    """gunicorn serving the project with its own configuration file; yields its base URL."""
    port = port_libre()
    env = {**environnement(media_root), "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    commande = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "config.wsgi",
    ]
    with processus(commande, env, journal) as p:
        base = f"http://127.0.0.1:{port}"
        limite = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                if p.poll() is not None or time.monotonic() > limite:
                    raise RuntimeError(f"gunicorn n'a pas démarré : voir {journal}") from None
                time.sleep(0.3)
        yield base
