from django.urls import path

from . import views_rapports as views

app_name = "rapports"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("demander/", views.demander, name="demander"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/etat/", views.etat, name="etat"),
    path("<int:pk>/publier/", views.publier, name="publier"),
    path("<int:pk>/telecharger/", views.telecharger, name="telecharger"),
]
