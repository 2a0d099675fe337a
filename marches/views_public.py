"""Public pages of a commune's contracts: /communes/<code INSEE>/marches/.

Published contracts only (a commune may unpublish one), their indicators against the
30 % national target, and the CSV export of the same contracts.
"""

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from commune import cache
from commune.models import Commune

from .export import marches_exporter, nom_du_fichier
from .filters import MarcheFilter
from .indicateurs import indicateurs_commune, indicateurs_par_annee
from .models import Marche, Titulaire
from .views import PAR_PAGE, parametres_sans_page


def _commune_ou_404(code_insee):
    return get_object_or_404(
        Commune.objects.actuelles().select_related("departement"), code_insee=code_insee
    )


class ListePublique(FilterView):
    filterset_class = MarcheFilter
    template_name = "marches/public/liste.html"
    paginate_by = PAR_PAGE
    strict = False
    http_method_names = ["get", "head"]

    def get(self, request, *args, code_insee, **kwargs):
        """Anonymous visitors share the page, kept whole per version of the commune."""
        self.commune = _commune_ou_404(code_insee)
        return cache.page_gardee(
            cache.cles_commune(self.commune.pk),
            lambda: super(ListePublique, self).get(request, *args, **kwargs),
        )

    def get_queryset(self):
        return (
            Marche.objects.publies()
            .filter(commune=self.commune)
            .prefetch_related(Prefetch("titulaires", queryset=Titulaire.objects.order_by("pk")))
            .recents_d_abord()
        )

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        annee = self.filterset.annee_choisie
        contexte.update(
            commune=self.commune,
            annee=annee,
            indicateurs=indicateurs_commune(self.commune, annee),
            par_annee=indicateurs_par_annee(Marche.objects.publies().filter(commune=self.commune)),
            parametres=parametres_sans_page(self.request),
        )
        return contexte


@require_safe
def export(request, code_insee):
    commune = _commune_ou_404(code_insee)
    return StreamingHttpResponse(
        marches_exporter(marches=Marche.objects.publies().filter(commune=commune)),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{nom_du_fichier(commune, publics=True)}"'
        },
    )
