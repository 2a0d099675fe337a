"""Member pages of a commune's contracts, at /espace/communes/<code INSEE>/marches/."""

from django.urls import path

from . import views

app_name = "marches"

urlpatterns = [
    path("", views.ListeMarches.as_view(), name="liste"),
    path("export.csv", views.export, name="export"),
    path("nouveau/", views.creer, name="creer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/supprimer/", views.supprimer, name="supprimer"),
    path("<int:pk>/clauses/nouvelle/", views.clause_creer, name="clause_creer"),
    path("<int:pk>/clauses/<int:clause>/", views.clause, name="clause"),
    path("<int:pk>/clauses/<int:clause>/modifier/", views.clause_modifier, name="clause_modifier"),
    path(
        "<int:pk>/clauses/<int:clause>/supprimer/", views.clause_supprimer, name="clause_supprimer"
    ),
    path("<int:pk>/clauses/<int:clause>/suivis/", views.suivi_ajouter, name="suivi_ajouter"),
    path(
        "<int:pk>/clauses/<int:clause>/suivis/<int:suivi>/modifier/",
        views.suivi_modifier,
        name="suivi_modifier",
    ),
    path(
        "<int:pk>/clauses/<int:clause>/suivis/<int:suivi>/supprimer/",
        views.suivi_supprimer,
        name="suivi_supprimer",
    ),
]
