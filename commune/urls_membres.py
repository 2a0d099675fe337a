"""Members, invitations, requests to join, signature and élu référent, under /espace/."""

from django.urls import path

from . import views_membres as vues

app_name = "membres"

urlpatterns = [
    path("communes/<str:code_insee>/membres/", vues.liste, name="liste"),
    path("communes/<str:code_insee>/membres/inviter/", vues.inviter, name="inviter"),
    path("communes/<str:code_insee>/membres/quitter/", vues.quitter, name="quitter"),
    path("communes/<str:code_insee>/membres/<int:pk>/role/", vues.changer_role, name="role"),
    path("communes/<str:code_insee>/membres/<int:pk>/retirer/", vues.retirer, name="retirer"),
    path(
        "communes/<str:code_insee>/invitations/<int:pk>/annuler/",
        vues.invitation_annuler,
        name="invitation_annuler",
    ),
    path("communes/<str:code_insee>/signature/", vues.signature, name="signature"),
    path("communes/<str:code_insee>/referent/", vues.referent, name="referent"),
    path(
        "communes/<str:code_insee>/referent/retirer/",
        vues.referent_retirer,
        name="referent_retirer",
    ),
    path("invitations/<str:jeton>/", vues.invitation, name="invitation"),
    path("rejoindre/", vues.rejoindre, name="rejoindre"),
    path("demandes/", vues.demandes, name="demandes"),
    path("demandes/<int:pk>/accepter/", vues.demande_accepter, name="demande_accepter"),
    path("demandes/<int:pk>/refuser/", vues.demande_refuser, name="demande_refuser"),
]
