"""Public pages of a commune's contracts, at /communes/<code INSEE>/marches/."""

from django.urls import path

from . import views_public

app_name = "marches_public"

urlpatterns = [
    path("", views_public.ListePublique.as_view(), name="liste"),
    path("export.csv", views_public.export, name="export"),
]
