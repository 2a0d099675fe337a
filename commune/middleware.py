"""Public pages kept whole for anonymous visitors (see commune/cache.py)."""

import logging
import re

from django.conf import settings
from django.http import HttpResponsePermanentRedirect

from . import cache
from .models import Commune

logger = logging.getLogger(__name__)


class PagesPubliquesMiddleware:
    """Serves an anonymous visitor a page kept whole, or keeps the page a view marked.

    First of the stack: a hit skips every other middleware, the URL resolver and the
    view, and is sent with the headers the page had when it was kept (security,
    Content-Security-Policy, Vary…). Static files and a plain-HTTP request that the
    security middleware must redirect go through the stack as usual.

    The kept pages only save work: when the cache fails (config.cache_redis already
    answers a Redis outage as a miss; this covers any other backend), the page is
    computed as if nothing were kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        partageable = (
            cache.page_partageable(request)
            and not request.path.startswith(settings.STATIC_URL)
            and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
        )
        if partageable and (reponse := self._lue(request)) is not None:
            return reponse
        reponse = self.get_response(request)
        if partageable and hasattr(reponse, "garde_publique"):
            try:
                cache.page_ecrite(request, reponse)
            except Exception:
                logger.warning("page non gardée : cache en erreur", exc_info=True)
        return reponse

    @staticmethod
    def _lue(request):
        try:
            return cache.page_lue(request)
        except Exception:
            logger.warning("page gardée non lue : cache en erreur", exc_info=True)
            return None


class RedirectionCommuneMiddleware:
    """`/communes/<code>/…` (and `/api/v1/communes/<code>/…`) of a code that is no longer
    a commune of its own (a merged commune, a commune déléguée, a municipal arrondissement)
    answers 301 to the same page of the commune it leads to: citizens' bookmarks and other
    sites' links keep working.

    Looked up only when the page was not found, so that a found page costs nothing.
    """

    CHEMIN = re.compile(r"^/(?:api/v1/)?communes/(?P<code>[0-9]{5}|2[AB][0-9]{3})/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        if reponse.status_code != 404 or request.method not in ("GET", "HEAD"):
            return reponse
        trouve = self.CHEMIN.match(request.path)
        if trouve is None:
            return reponse
        commune = Commune.actuelle_pour_le_code(trouve["code"])
        if commune is None:
            return reponse
        debut, fin = trouve.span("code")
        chemin = f"{request.path[:debut]}{commune.code_insee}{request.path[fin:]}"
        requete = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{chemin}?{requete}" if requete else chemin)
