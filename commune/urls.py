from django.urls import include, path

from . import views

app_name = "commune"

urlpatterns = [
    path("communes/", views.CommuneListView.as_view(), name="liste"),
    path("communes/<str:code_insee>/", views.scorecard, name="scorecard"),
    path("communes/<str:code_insee>/marches/", include("marches.urls_public")),
    path("methodologie/", views.methodologie, name="methodologie"),
    path("healthz", views.healthz, name="healthz"),
]
