"""CSV export and import of a commune's engagements.

Included at /espace/communes/<code_insee>/engagements/.
"""

from django.urls import path

from . import views_csv

app_name = "csv"

urlpatterns = [
    path("export.csv", views_csv.export, name="export"),
    path("import/", views_csv.importer, name="import"),
    path("import/confirmer/", views_csv.confirmer, name="import_confirmer"),
]
