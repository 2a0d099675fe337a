from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .docs import Documentation

app_name = "api"

v1 = "v1/"
commune = v1 + "communes/<str:code_insee>/"
engagement = commune + "engagements/<str:code>/"
marche = v1 + "marches/<int:pk>/"
clause = marche + "clauses/<int:clause>/"

urlpatterns = [
    path(v1, views.Racine.as_view(), name="racine"),
    path(v1 + "communes/", views.CommuneListe.as_view(), name="communes"),
    path(commune, views.CommuneDetail.as_view(), name="commune"),
    path(commune + "engagements/", views.EngagementListe.as_view(), name="engagements"),
    path(engagement, views.EngagementDetail.as_view(), name="engagement"),
    path(engagement + "preuves/", views.PreuveListe.as_view(), name="preuves"),
    path(engagement + "preuves/<int:pk>/", views.PreuveDetail.as_view(), name="preuve"),
    path(engagement + "jalons/", views.JalonListe.as_view(), name="jalons"),
    path(engagement + "jalons/<int:pk>/", views.JalonDetail.as_view(), name="jalon"),
    path(commune + "marches/", views.MarcheCommuneListe.as_view(), name="marches_commune"),
    path(
        commune + "marches/indicateurs/",
        views.IndicateursMarches.as_view(),
        name="indicateurs_marches",
    ),
    path(commune + "soutiens/", views.SoutienCommuneListe.as_view(), name="soutiens_commune"),
    path(commune + "soutiens/<int:pk>/", views.SoutienDetail.as_view(), name="soutien"),
    path(commune + "rapports/", views.RapportListe.as_view(), name="rapports"),
    path(commune + "rapports/<int:pk>/", views.RapportDetail.as_view(), name="rapport"),
    path(commune + "rapports/<int:pk>/pdf/", views.RapportPdf.as_view(), name="rapport_pdf"),
    path(v1 + "referentiels/", views.ReferentielListe.as_view(), name="referentiels"),
    path(v1 + "referentiels/<int:pk>/", views.ReferentielDetail.as_view(), name="referentiel"),
    path(v1 + "structures/", views.StructureListe.as_view(), name="structures"),
    path(v1 + "structures/<str:siret>/", views.StructureDetail.as_view(), name="structure"),
    path(v1 + "marches/", views.MarcheListe.as_view(), name="marches"),
    path(marche, views.MarcheDetail.as_view(), name="marche"),
    path(marche + "clauses/", views.ClauseListe.as_view(), name="clauses"),
    path(clause, views.ClauseDetail.as_view(), name="clause"),
    path(clause + "suivis/", views.SuiviListe.as_view(), name="suivis"),
    path(clause + "suivis/<int:suivi>/", views.SuiviDetail.as_view(), name="suivi"),
    path(v1 + "soutiens/", views.SoutienListe.as_view(), name="soutiens"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", Documentation.as_view(url_name="api:schema"), name="docs"),
]
