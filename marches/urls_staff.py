"""Pages at /espace/marches/: the staff's DECP upload, and holders' contracts."""

from django.urls import path

from . import views_staff

app_name = "marches_staff"

urlpatterns = [
    path("import/", views_staff.importer, name="import"),
    path("import/ecrire/", views_staff.ecrire, name="import_ecrire"),
    path("titulaire/", views_staff.titulaire, name="titulaire"),
]
