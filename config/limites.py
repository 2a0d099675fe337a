"""Refuses request bodies that are too large before Django reads them."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render


class LimiteTailleRequeteMiddleware:
    """A declared Content-Length above the limit gets a 413 page at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            taille = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            taille = 0
        if taille > settings.TAILLE_MAX_REQUETE:
            return render(
                request,
                "413.html",
                {"limite_mo": settings.TAILLE_MAX_REQUETE // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)


class LimiteTailleUploadHandler(FileUploadHandler):
    """Stops reading an upload sent without a Content-Length once it passes the limit."""

    def __init__(self, request=None):
        super().__init__(request)
        self.recus = 0

    def receive_data_chunk(self, raw_data, start):
        self.recus += len(raw_data)
        if self.recus > settings.TAILLE_MAX_REQUETE:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
