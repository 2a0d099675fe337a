from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from commune.views import accueil

admin.site.site_header = "Commune engagée — administration"
admin.site.site_title = "Commune engagée"
admin.site.index_title = "Administration de la plateforme"

urlpatterns = [
    path("", accueil, name="accueil"),
    path("communes/<str:code_insee>/rapports/", include("commune.urls_rapports_publics")),
    path("communes/<str:code_insee>/fichiers/", include("commune.urls_fichiers")),
    path("", include("commune.urls")),
    path("", include("comptes.urls")),
    path("structures/", include("structures.urls")),
    path("espace/", include("commune.urls_espace")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
