"""The structures' member area, under /espace/structures/. The fixed paths come before
the ones that start with a SIRET."""

from django.urls import path

from . import views_espace as vues

app_name = "structures_espace"

urlpatterns = [
    path("", vues.accueil, name="accueil"),
    path("creer/", vues.creer, name="creer"),
    path("revendiquer/<int:pk>/", vues.revendiquer, name="revendiquer"),
    path("invitations/<str:jeton>/", vues.invitation, name="invitation"),
    path("demandes/", vues.demandes, name="demandes"),
    path("demandes/<int:pk>/accepter/", vues.staff_demande_accepter, name="staff_accepter"),
    path("demandes/<int:pk>/refuser/", vues.staff_demande_refuser, name="staff_refuser"),
    path("<str:siret>/", vues.tableau_de_bord, name="tableau_de_bord"),
    path("<str:siret>/profil/", vues.profil, name="profil"),
    path("<str:siret>/membres/", vues.membres, name="membres"),
    path("<str:siret>/membres/inviter/", vues.inviter, name="inviter"),
    path("<str:siret>/membres/quitter/", vues.quitter, name="quitter"),
    path(
        "<str:siret>/membres/<int:pk>/administrateur/",
        vues.administrateur,
        name="administrateur",
    ),
    path("<str:siret>/membres/<int:pk>/retirer/", vues.retirer, name="retirer"),
    path(
        "<str:siret>/invitations/<int:pk>/annuler/",
        vues.invitation_annuler,
        name="invitation_annuler",
    ),
    path("<str:siret>/demandes/<int:pk>/accepter/", vues.demande_accepter, name="demande_accepter"),
    path("<str:siret>/demandes/<int:pk>/refuser/", vues.demande_refuser, name="demande_refuser"),
]
