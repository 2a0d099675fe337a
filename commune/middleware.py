"""Public pages kept whole for anonymous visitors (see commune/cache.py)."""

from django.conf import settings

from . import cache


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
