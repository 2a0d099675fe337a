from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from .filters import StructureFilter
from .models import Secteur, Structure


class StructureListView(FilterView):
    filterset_class = StructureFilter
    template_name = "structures/structure_list.html"
    paginate_by = 25
    strict = False

    def get_queryset(self):
        return (
            Structure.objects.published()
            .select_related("type", "commune__departement")
            .prefetch_related(
                Prefetch("secteurs", queryset=Secteur.objects.select_related("groupe"))
            )
            .order_by("nom", "pk")
        )

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        parametres = self.request.GET.copy()
        parametres.pop("page", None)
        contexte["parametres"] = parametres.urlencode()
        return contexte


@require_safe
def detail(request, siret):
    structure = get_object_or_404(
        Structure.objects.published()
        .select_related("type", "commune__departement")
        .prefetch_related(
            Prefetch("secteurs", queryset=Secteur.objects.select_related("groupe")),
            "types_prestation",
            "reseaux",
        ),
        siret=siret,
    )
    return render(request, "structures/structure_detail.html", {"structure": structure})
