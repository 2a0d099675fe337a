"""Django's Redis cache, with one client per connection pool instead of one per call,
and a site that keeps serving when Redis is down.

Django builds a new `redis.Redis` for every cache operation; with redis-py 8 that
costs about a quarter of a millisecond (its table of response callbacks is
rebuilt each time), more than the round trip itself. A client is thread-safe
and only borrows connections from its pool, so one per pool is enough.

The cache only saves work: when Redis cannot be reached, every operation answers
as a miss (a read finds nothing, a write keeps nothing, `add` adds nothing, `incr`
finds no counter) and the page is computed from the database. The outage is logged
once per request at warning level; after a failure Redis is left alone for
`PAUSE_APRES_PANNE` seconds, so that an unreachable server (whose connections time
out rather than being refused) costs one timeout every few seconds, not one per
cache call. django-ratelimit reads a counter it cannot get as "over the limit":
the limits fail closed (see `panne_en_cours` for the views that prefer to fail open).
"""

import contextvars
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import request_started
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAUSE_APRES_PANNE = 5
# Seconds before a connection or a reply is given up: a cache slower than this is no help.
DELAI_CONNEXION = 0.5
DELAI_REPONSE = 1.0

_signalee = contextvars.ContextVar("panne_du_cache_signalee", default=False)


def _nouvelle_requete(**kwargs):
    _signalee.set(False)


request_started.connect(_nouvelle_requete, dispatch_uid="config.cache_redis.nouvelle_requete")


class _ClientReutilise(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class CacheRedis(RedisCache):
    def __init__(self, server, params):
        options = {
            "socket_connect_timeout": DELAI_CONNEXION,
            "socket_timeout": DELAI_REPONSE,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ClientReutilise
        self._en_panne_jusqua = 0.0

    def en_panne(self):
        """Whether Redis failed a moment ago: the cache is then bypassed."""
        return time.monotonic() < self._en_panne_jusqua

    def ping(self):
        """Reaches Redis even during a pause, raising its error: for /healthz."""
        self._cache.get_client().ping()

    def _essayer(self, operation, si_panne, *args, **kwargs):
        if self.en_panne():
            _signaler(None)
            return si_panne()
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except RedisError as exc:
            self._en_panne_jusqua = time.monotonic() + PAUSE_APRES_PANNE
            _signaler(exc)
            return si_panne()

    def add(self, *args, **kwargs):
        return self._essayer("add", lambda: False, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._essayer("get", lambda: default, key, default, version)

    def set(self, *args, **kwargs):
        return self._essayer("set", lambda: None, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._essayer("touch", lambda: False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._essayer("delete", lambda: False, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._essayer("get_many", dict, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._essayer("has_key", lambda: False, *args, **kwargs)

    def incr(self, key, delta=1, version=None):
        def absent():
            # What Django answers for a counter that does not exist.
            raise ValueError(f"Key '{key}' not found.")

        return self._essayer("incr", absent, key, delta, version)

    def set_many(self, data, *args, **kwargs):
        # The keys not kept, as Django's set_many reports them: the caller may retry.
        return self._essayer("set_many", lambda: list(data), data, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._essayer("delete_many", lambda: None, *args, **kwargs)

    def clear(self):
        return self._essayer("clear", lambda: False)


def _signaler(exc):
    if _signalee.get():
        return
    _signalee.set(True)
    if exc is None:
        logger.warning("cache Redis en panne : pages calculées sans cache")
    else:
        logger.warning("cache Redis injoignable (%r) : pages calculées sans cache", exc)


def panne_en_cours():
    """Whether the cache failed during this request (or a moment before): a rate limit
    that could not count then reads as reached, which a view may choose to ignore."""
    from django.core.cache import cache

    en_panne = getattr(cache, "en_panne", None)
    return bool(en_panne and en_panne())
