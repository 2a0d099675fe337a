from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from .filters import parametres_repetes

PAGE_INVALIDE = "Donnez un numéro de page entier, à partir de 1."
TAILLE_INVALIDE = "Donnez un nombre entier de résultats par page, à partir de 1 (200 au plus)."


class Pagination(PageNumberPagination):
    """50 a page by default, up to 200 with ?page_size= (a larger size gives 200).

    DRF reads `page_size=abc` as the default size and `page=` as the first page: a
    mistyped parameter went unnoticed. Here a page or a size that is not a whole number
    from 1, or that is given twice, is refused (400) and named, as the OpenAPI document
    says."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = "Nombre de résultats par page (50 par défaut, 200 au plus)."
    page_query_description = "Numéro de la page, à partir de 1."
    max_page_size = 200
    # No « page=last »: the document says a page is a number.
    last_page_strings = ()
    invalid_page_message = "Cette page n'existe pas : la liste compte moins de pages."

    def paginate_queryset(self, queryset, request, view=None):
        parametres = request.query_params
        noms = (self.page_query_param, self.page_size_query_param)
        erreurs = parametres_repetes(parametres, noms)
        for nom, message in zip(noms, (PAGE_INVALIDE, TAILLE_INVALIDE), strict=True):
            valeur = parametres.get(nom)
            if nom not in erreurs and valeur is not None and not _entier_positif(valeur):
                erreurs[nom] = [message]
        if erreurs:
            raise exceptions.ValidationError(erreurs)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parametres = super().get_schema_operation_parameters(view)
        for parametre in parametres:
            parametre["schema"]["minimum"] = 1
        return parametres


def _entier_positif(texte):
    # ASCII digits only: int() would also take « ٣ », « 1_000 » or « +2 ».
    return texte.isascii() and texte.isdigit() and int(texte) >= 1
