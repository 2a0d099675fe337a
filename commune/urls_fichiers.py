from django.urls import path

from . import views_fichiers as views

app_name = "fichiers"

urlpatterns = [
    path("deliberations/<int:pk>.pdf", views.deliberation, name="deliberation"),
]
