from django.shortcuts import render

from .tentatives import MESSAGE_BLOCAGE


class ConnexionBloqueeMiddleware:
    """Whatever page called `authenticate()` for a locked-out client answers the site's
    429 page, in French, rather than its own "wrong password"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        if getattr(request, "connexion_bloquee", False) and reponse.status_code != 429:
            return render(
                request,
                "comptes/connexion_bloquee.html",
                {"message_limite": MESSAGE_BLOCAGE},
                status=429,
            )
        return reponse
