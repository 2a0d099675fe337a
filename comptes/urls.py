from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "comptes"

urlpatterns = [
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
    path("connexion/code/", views.connexion_code, name="connexion_code"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path("compte/", views.CompteView.as_view(), name="compte"),
    path("compte/deux-facteurs/", views.deux_facteurs_page, name="deux_facteurs"),
    path("compte/jetons/", views.jetons, name="jetons"),
    path("compte/jetons/<int:pk>/revoquer/", views.jeton_revoquer, name="jeton_revoquer"),
    path(
        "compte/mot-de-passe/changer/",
        views.ChangerMotDePasseView.as_view(),
        name="changer_mot_de_passe",
    ),
    path(
        "compte/mot-de-passe/oublie/",
        views.MotDePasseOublieView.as_view(),
        name="mot_de_passe_oublie",
    ),
    path(
        "compte/mot-de-passe/oublie/envoye/",
        views.MotDePasseOublieEnvoyeView.as_view(),
        name="mot_de_passe_oublie_envoye",
    ),
    path(
        "compte/mot-de-passe/nouveau/<uidb64>/<token>/",
        views.NouveauMotDePasseView.as_view(),
        name="nouveau_mot_de_passe",
    ),
    path(
        "compte/mot-de-passe/reinitialise/",
        views.MotDePasseReinitialiseView.as_view(),
        name="mot_de_passe_reinitialise",
    ),
]
