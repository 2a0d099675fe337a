"""Gunicorn configuration, read by `gunicorn -c gunicorn.conf.py config.wsgi`.

Every value that differs between machines comes from the environment, like
the Django settings: PORT, WEB_CONCURRENCY, FORWARDED_ALLOW_IPS.
Sync workers only: the views are short database reads and writes, PDF
generation runs in Celery, and a sync worker is the simplest to reason about.
"""

import os


def _entier(nom, defaut):
    """Read a positive integer from the environment, refusing anything else."""
    brut = os.environ.get(nom, "").strip()
    if not brut:
        return defaut
    try:
        valeur = int(brut)
    except ValueError:
        raise SystemExit(f"{nom} doit être un entier, reçu {brut!r}.") from None
    if valeur < 1:
        raise SystemExit(f"{nom} doit être supérieur ou égal à 1, reçu {valeur}.")
    return valeur


bind = f"0.0.0.0:{_entier('PORT', 8000)}"

worker_class = "sync"
workers = _entier("WEB_CONCURRENCY", 2)

# A request that takes longer than this is stuck: the worker is killed and
# replaced. On SIGTERM, workers get graceful_timeout to finish their request.
timeout = 60
graceful_timeout = 30
keepalive = 5

# Recycle each worker after about fifty thousand requests, at staggered times, to
# bound the effect of any slow memory growth. Not much more often: a new worker
# loads Django again, which costs about a second of CPU; at a thousand requests,
# the cached scorecard served less than half as many requests a second (make bench).
max_requests = 50000
max_requests_jitter = 5000

# Logs go to stdout/stderr, collected by the container runtime.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# One key=value line per request, like the Django log lines ("ligne" formatter):
# duration_ms is the time to produce the response, request_id is the
# X-Request-ID header set by the reverse proxy ("-" when absent).
access_log_format = (
    'remote=%(h)s method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s '
    "duration_ms=%(M)s request_id=%({x-request-id}i)s"
)

# Addresses of the reverse proxies trusted to say the original scheme
# (X-Forwarded-Proto). Comma separated; "*" trusts everyone.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1"

# /tmp may be a disk-backed overlay in a container; the worker heartbeat
# files belong in memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
