from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """50 a page by default, up to 200 with ?page_size=."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = "Nombre de résultats par page (50 par défaut, 200 au plus)."
    page_query_description = "Numéro de la page, à partir de 1."
    max_page_size = 200
    invalid_page_message = "Cette page n'existe pas : la liste compte moins de pages."
