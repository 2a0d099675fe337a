"""The signed-in area, /espace/. Each part lives in its own module."""

from django.urls import include, path

from . import views_espace

app_name = "espace"

urlpatterns = [
    path("", views_espace.accueil, name="accueil"),
    path("communes/<str:code_insee>/", views_espace.tableau_de_bord, name="tableau_de_bord"),
    path("communes/<str:code_insee>/actions/", include("axes.urls_espace")),
    path("communes/<str:code_insee>/engagements/", include("axes.urls_csv")),
    path("communes/<str:code_insee>/marches/", include("marches.urls_espace")),
    path("communes/<str:code_insee>/rapports/", include("commune.urls_rapports")),
    path("communes/<str:code_insee>/avis/", include("axes.urls_avis")),
    path("communes/<str:code_insee>/soutiens/", include("structures.urls_soutiens")),
    path("structures/", include("structures.urls_espace")),
    path("marches/", include("marches.urls_staff")),
    path("", include("commune.urls_membres")),
]
