from django.urls import include, path

from axes import urls_avis

from . import cache, views

app_name = "commune"

urlpatterns = [
    path(
        "communes/",
        cache.page_du_site(views.CommuneListView.as_view()),
        name="liste",
    ),
    path("communes/comparer/", views.comparer, name="comparer"),
    path("communes/<str:code_insee>/", views.scorecard, name="scorecard"),
    path("communes/<str:code_insee>/donnees.csv", views.scorecard_csv, name="scorecard_csv"),
    path("communes/<str:code_insee>/donnees.json", views.scorecard_json, name="scorecard_json"),
    path("communes/<str:code_insee>/actions/<str:code>/", views.action, name="action"),
    path("communes/<str:code_insee>/actions/<str:code>/avis/", include(urls_avis.publiques)),
    path("communes/<str:code_insee>/marches/", include("marches.urls_public")),
    path("departements/<str:code>/", views.departement, name="departement"),
    path("methodologie/", views.methodologie, name="methodologie"),
    path("donnees/", views.donnees, name="donnees"),
    path("donnees/communes.csv", views.donnees_csv, name="donnees_csv"),
    path("donnees/communes.json", views.donnees_json, name="donnees_json"),
    path("donnees/structures.csv", views.donnees_structures_csv, name="donnees_structures_csv"),
    path("donnees/structures.json", views.donnees_structures_json, name="donnees_structures_json"),
    path("donnees/marches.csv", views.donnees_marches_csv, name="donnees_marches_csv"),
    path("donnees/marches.json", views.donnees_marches_json, name="donnees_marches_json"),
    path("healthz", views.healthz, name="healthz"),
]
