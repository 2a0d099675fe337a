"""Member pages of a commune's actions, under /espace/communes/<code INSEE>/actions/."""

from django.urls import path

from . import views

app_name = "engagements"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<str:code>/", views.action_engagement, name="action"),
    path("<str:code>/preuves/ajouter/", views.preuve_ajouter, name="preuve_ajouter"),
    path("<str:code>/preuves/<int:pk>/supprimer/", views.preuve_supprimer, name="preuve_supprimer"),
    path("<str:code>/preuves/<int:pk>/fichier/", views.preuve_fichier, name="preuve_fichier"),
    path("<str:code>/jalons/ajouter/", views.jalon_ajouter, name="jalon_ajouter"),
    path("<str:code>/jalons/<int:pk>/", views.jalon_modifier, name="jalon_modifier"),
    path("<str:code>/jalons/<int:pk>/supprimer/", views.jalon_supprimer, name="jalon_supprimer"),
]
