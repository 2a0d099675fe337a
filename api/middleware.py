"""JSON for every error under /api/, even those that DRF never sees.

DRF answers the errors of its own views in JSON. An address that no view serves (the
URLconf's 404), an Http404 or an exception outside DRF, a server error (Django's 500
page) and a method refused by a plain Django view used to come back as HTML pages,
which a script cannot read. Below /api/ they are turned into {"detail": "…"} with the
same status and headers; the rest of the site keeps its own French HTML error pages.
"""

from django.http import JsonResponse

PREFIXE = "/api/"
# Headers that tell the client what to do next: kept on the JSON answer.
ENTETES_GARDEES = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")

REFUSEE = "Requête refusée."
MESSAGES = {
    400: "Requête mal formée.",
    403: "Vous n'avez pas le droit d'accéder à cette adresse.",
    404: "Cette adresse n'existe pas dans l'API : la liste des adresses est à /api/v1/ "
    "et leur documentation à /api/docs/.",
    405: "Méthode « {methode} » non autorisée à cette adresse.",
    413: "Requête trop volumineuse.",
    500: "Erreur du serveur : la requête n'a pas abouti. Réessayez plus tard ; si l'erreur "
    "persiste, signalez-la à l'équipe de la plateforme.",
}


def est_json(reponse):
    type_ = reponse.get("Content-Type", "")
    return type_.startswith("application/json") or "+json" in type_.split(";")[0]


class ErreursJsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        if (
            not request.path.startswith(PREFIXE)
            or reponse.status_code < 400
            or reponse.streaming
            or est_json(reponse)
        ):
            return reponse
        return self.en_json(request, reponse)

    def en_json(self, request, reponse):
        statut = reponse.status_code
        message = MESSAGES.get(statut) or (MESSAGES[500] if statut >= 500 else REFUSEE)
        # The method is one of a known few or Django would not have routed it; it is
        # placed with str.replace, never %-formatted or .format()ted.
        message = message.replace("{methode}", request.method)
        json = JsonResponse(
            {"detail": message}, status=statut, json_dumps_params={"ensure_ascii": False}
        )
        for entete in ENTETES_GARDEES:
            if entete in reponse:
                json[entete] = reponse[entete]
        return json
