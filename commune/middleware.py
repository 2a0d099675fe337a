"""Public pages kept whole for anonymous visitors (see commune/cache.py)."""

from . import cache


class PagesPubliquesMiddleware:
    """Serves an anonymous visitor a page kept whole, or keeps the page a view marked.

    It sits before the session, authentication, CSRF and messages middleware: a hit
    skips them, the URL resolver and the view. The page's own headers (content type,
    Content-Security-Policy, Vary…) are kept with it; the security middleware, outside,
    adds its headers to every response, kept or not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        partageable = cache.page_partageable(request)
        if partageable and (reponse := cache.page_lue(request)) is not None:
            return reponse
        reponse = self.get_response(request)
        if partageable and hasattr(reponse, "garde_publique"):
            cache.page_ecrite(request, reponse)
        return reponse
