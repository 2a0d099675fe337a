from django.contrib import admin
from django.core.exceptions import PermissionDenied


class SiteAdministration(admin.AdminSite):
    """The admin, signed into through the site's own page: the same limits on wrong
    passwords, the same French 429 page, the same second step."""

    def login(self, request, extra_context=None):
        from .views import ConnexionView

        if request.user.is_authenticated and not self.has_permission(request):
            # Sent back here by the admin: redirecting to `next` would loop.
            raise PermissionDenied("Votre compte n'a pas accès à l'administration.")
        return ConnexionView.as_view()(request)
