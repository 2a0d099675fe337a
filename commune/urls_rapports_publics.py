from django.urls import path

from . import views_rapports as views

app_name = "rapports_publics"

urlpatterns = [
    path("<int:pk>.pdf", views.telecharger_public, name="telecharger"),
]
