"""Security headers that Django has no setting for."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Turns off the browser features the portal never uses (camera, location…)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        reponse.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return reponse
