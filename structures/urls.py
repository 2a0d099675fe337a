from django.urls import path

from . import views

app_name = "structures"

urlpatterns = [
    path("", views.StructureListView.as_view(), name="liste"),
    path("<str:siret>/", views.detail, name="detail"),
    path("<str:siret>/logo/", views.logo, name="logo"),
]
