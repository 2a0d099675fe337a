"""Public pages: the directory of structures, one structure's page, its logo.

The public sees a structure once platform staff have verified it and as long as it is
published. Before that, or after it is unpublished, its members and staff still
see its page, as a preview marked as such; everyone else gets 404.
"""

from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from commune.fichiers import reponse_fichier
from commune.models import Commune
from marches.models import Titulaire

from . import perms
from .filters import StructureFilter
from .logos import type_du_logo
from .models import Secteur, Soutien, Structure


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
                Prefetch("secteurs", queryset=Secteur.objects.select_related("groupe")),
                "autres_types",
            )
            .order_by("nom", "pk")
        )

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        parametres = self.request.GET.copy()
        parametres.pop("page", None)
        contexte["parametres"] = parametres.urlencode()
        return contexte


def _visible(request, structure):
    """Whether the request may see the structure's page, and whether as a preview."""
    publique = structure.verifiee and structure.publiee
    if not publique and not perms.can_view_private_structure(request.user, structure):
        raise Http404("Structure introuvable.")
    return not publique


@require_safe
def detail(request, siret):
    structure = get_object_or_404(Structure.objects.avec_profil(), siret=siret)
    apercu = _visible(request, structure)
    epci = [e.pk for e in structure.zones_epci.all()]
    communes_zones = [c.pk for c in structure.zones_communes.all()]
    communes_servies = (
        list(
            Commune.objects.filter(Q(pk__in=communes_zones) | Q(epci__in=epci))
            .select_related("departement")
            .order_by("nom", "code_insee")
        )
        if epci or communes_zones
        else []
    )
    contexte = {
        "structure": structure,
        "apercu": apercu,
        "communes_servies": communes_servies,
        "marches": Titulaire.objects.filter(structure=structure)
        .select_related("marche__commune", "marche__epci")
        .order_by(F("marche__date_notification").desc(nulls_last=True), "pk"),
        "soutiens": Soutien.objects.filter(structure=structure)
        .select_related("commune")
        .order_by("-annee", "commune__nom", "pk"),
    }
    return render(request, "structures/structure_detail.html", contexte)


@require_safe
def logo(request, siret):
    """The logo of a structure that may be seen, with the type its extension says."""
    structure = get_object_or_404(Structure.objects.exclude(logo=""), siret=siret)
    apercu = _visible(request, structure)
    type_mime = type_du_logo(structure.logo.name)
    if type_mime is None:
        raise Http404("Logo introuvable.")
    try:
        contenu = structure.logo.open("rb")
    except FileNotFoundError as absent:
        raise Http404("Logo introuvable.") from absent
    # Shown inline (an image), never sniffed, sandboxed: see commune/fichiers.py.
    reponse = reponse_fichier(contenu, type_mime=type_mime)
    # The URL carries the logo's name: a new logo is a new URL.
    reponse["Cache-Control"] = "private, no-store" if apercu else "public, max-age=86400"
    return reponse
