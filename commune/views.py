from django.db.models import Exists, OuterRef, Prefetch, Sum
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from axes.enums import TypeReferentiel
from axes.models import Axe, Engagement, Jalon, Preuve, Referentiel, Signature
from axes.scoring import calculer_score
from axes.selectors import actions_du_referentiel, entrees, scores_des_communes
from structures.models import Structure

from .filters import CommuneFilter
from .health import etat_des_services
from .models import Commune


def _guide_ou_404():
    guide = Referentiel.objects.guide()
    if guide is None:
        raise Http404("Aucun référentiel actif.")
    return guide


@require_safe
def accueil(request):
    guide = _guide_ou_404()
    axes = list(guide.axes.order_by("numero"))
    signataires = list(
        Signature.objects.filter(referentiel=guide).values_list("commune_id", flat=True)
    )
    scores = scores_des_communes(signataires, guide).values()
    moyennes = []
    for axe in axes:
        valeurs = [s.axe(axe.numero).avancement for s in scores if not s.axe(axe.numero).exclu]
        moyennes.append({"axe": axe, "moyenne": sum(valeurs) / len(valeurs) if valeurs else None})
    contexte = {
        "guide": guide,
        "nombre_communes": Commune.objects.count(),
        "nombre_signataires": len(signataires),
        "nombre_structures": Structure.objects.published().count(),
        "moyennes": moyennes,
    }
    return render(request, "commune/accueil.html", contexte)


class CommuneListView(FilterView):
    filterset_class = CommuneFilter
    template_name = "commune/commune_list.html"
    paginate_by = 25
    strict = False

    def get_queryset(self):
        signee = Signature.objects.filter(
            commune=OuterRef("pk"), referentiel__type=TypeReferentiel.GUIDE
        )
        return (
            Commune.objects.select_related("departement")
            .annotate(signe=Exists(signee))
            .order_by("nom", "code_insee")
        )

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        guide = _guide_ou_404()
        communes = contexte["object_list"]
        scores = scores_des_communes([c.pk for c in communes], guide)
        contexte["lignes"] = [(c, scores[c.pk]) for c in communes]
        contexte["parametres"] = _parametres_sans_page(self.request)
        return contexte


def _parametres_sans_page(request):
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return parametres.urlencode()


@require_safe
def scorecard(request, code_insee):
    commune = get_object_or_404(
        Commune.objects.select_related("departement__region", "epci", "elu_referent"),
        code_insee=code_insee,
    )
    guide = _guide_ou_404()
    signature = Signature.objects.filter(commune=commune, referentiel=guide).first()
    actions = actions_du_referentiel(guide)
    engagements = {
        e.action_id: e
        for e in Engagement.objects.filter(commune=commune, action__referentiel=guide)
        .annotate(a_preuve=Exists(Preuve.objects.filter(engagement=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("preuves", queryset=Preuve.objects.filter(publique=True)),
            Prefetch("jalons", queryset=Jalon.objects.order_by("date", "pk")),
        )
    }
    score = calculer_score(entrees(actions, engagements))
    axes = []
    for axe in Axe.objects.filter(referentiel=guide).order_by("numero"):
        axes.append(
            {
                "axe": axe,
                "score": score.axe(axe.numero),
                "actions": [
                    (action, engagements.get(action.pk))
                    for action in actions
                    if action.axe_id == axe.pk
                ],
            }
        )
    contexte = {
        "commune": commune,
        "guide": guide,
        "signature": signature,
        "referent": elu_referent(commune),
        "score": score,
        "axes": axes,
        "derniere_maj": max((e.updated_at for e in engagements.values()), default=None),
    }
    return render(request, "commune/scorecard.html", contexte)


def elu_referent(commune):
    try:
        return commune.elu_referent
    except Commune.elu_referent.RelatedObjectDoesNotExist:
        return None


@require_safe
def methodologie(request):
    guide = _guide_ou_404()
    axes = (
        Axe.objects.filter(referentiel=guide)
        .annotate(poids_total=Sum("actions__poids"))
        .prefetch_related("actions")
        .order_by("numero")
    )
    return render(request, "commune/methodologie.html", {"guide": guide, "axes": axes})


@require_safe
def healthz(request):
    etat = etat_des_services()
    return JsonResponse(etat, status=200 if etat["ok"] else 503)
