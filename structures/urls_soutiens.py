"""A commune's supports to structures, under /espace/communes/<code INSEE>/soutiens/."""

from django.urls import path

from . import views_soutiens as vues

app_name = "soutiens"

urlpatterns = [
    path("", vues.liste, name="liste"),
    path("ajouter/", vues.ajouter, name="ajouter"),
    path("<int:pk>/modifier/", vues.modifier, name="modifier"),
    path("<int:pk>/supprimer/", vues.supprimer, name="supprimer"),
]
