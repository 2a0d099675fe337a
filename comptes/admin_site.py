from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import deux_facteurs


class SiteAdministration(admin.AdminSite):
    """The admin, signed into through the site's own page: the same limits on wrong
    passwords, the same French 429 page, the same second step; and, where
    settings.OTP_EXIGE_POUR_ADMIN (always in production), only with a verified second
    factor, staff being the most powerful accounts."""

    def has_permission(self, request):
        return super().has_permission(request) and not deux_facteurs.exigee_pour(request)

    def login(self, request, extra_context=None):
        from .views import ConnexionView

        if request.user.is_authenticated and not self.has_permission(request):
            # Sent back here by the admin: redirecting to `next` would loop.
            if not (request.user.is_active and request.user.is_staff):
                raise PermissionDenied("Votre compte n'a pas accès à l'administration.")
            suite = request.GET.get("next", reverse("admin:index"))
            if deux_facteurs.est_active(request.user):
                url = reverse("comptes:connexion_code")
                return redirect(f"{url}?{urlencode({'next': suite})}")
            messages.info(
                request,
                "L'administration exige la double authentification : activez-la pour y accéder.",
            )
            return redirect("comptes:deux_facteurs")
        return ConnexionView.as_view()(request)
