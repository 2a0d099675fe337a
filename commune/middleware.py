"""Public pages kept whole for anonymous visitors (see commune/cache.py)."""

import re

from django.conf import settings
from django.http import HttpResponsePermanentRedirect

from . import cache
from .models import Commune


class PagesPubliquesMiddleware:
    """Serves an anonymous visitor a page kept whole, or keeps the page a view marked.

    First of the stack: a hit skips every other middleware, the URL resolver and the
    view, and is sent with the headers the page had when it was kept (security,
    Content-Security-Policy, Vary…). Static files and a plain-HTTP request that the
    security middleware must redirect go through the stack as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        partageable = (
            cache.page_partageable(request)
            and not request.path.startswith(settings.STATIC_URL)
            and (request.is_secure() or not settings.SECURE_SSL_REDIRECT)
        )
        if partageable and (reponse := cache.page_lue(request)) is not None:
            return reponse
        reponse = self.get_response(request)
        if partageable and hasattr(reponse, "garde_publique"):
            cache.page_ecrite(request, reponse)
        return reponse


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
