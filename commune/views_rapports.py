"""Members ask for PDF progress reports, follow their build and publish them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from axes.models import Referentiel

from . import perms, rapports, services
from .enums import StatutRapport
from .models import Rapport

PAR_PAGE = 20


def _rapport(commune, pk):
    return get_object_or_404(Rapport.objects.select_related("commune"), commune=commune, pk=pk)


def _etat(rapport):
    return {
        "id": rapport.pk,
        "statut": rapport.statut,
        "libelle": rapport.get_statut_display(),
        "termine": rapport.statut in (StatutRapport.PRET, StatutRapport.ECHEC),
        "erreur": rapport.erreur,
        "telechargement": (
            reverse("espace:rapports:telecharger", args=[rapport.commune.code_insee, rapport.pk])
            if rapport.statut == StatutRapport.PRET
            else None
        ),
    }


@require_safe
@login_required
def liste(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee)
    rapports = Paginator(
        commune.rapports.select_related("requested_by", "referentiel").order_by("-created_at"),
        PAR_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "commune/rapports/liste.html",
        {
            "commune": commune,
            "page_obj": rapports,
            "peut_demander": perms.can_request_report(request.user, commune),
            "peut_publier": perms.can_publish_report(request.user, commune),
        },
    )


@require_POST
@login_required
def demander(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee, perms.can_request_report)
    try:
        rapport = rapports.rapport_demander_dans_les_limites(
            commune=commune, referentiel=Referentiel.objects.guide(), by=request.user
        )
    except rapports.DemandeRefusee as refus:
        messages.error(request, str(refus))
        return redirect("espace:rapports:liste", commune.code_insee)
    rapport.refresh_from_db(fields=["statut", "erreur"])
    if rapport.erreur:
        # The broker could not be reached: the report waits, and the page says so.
        messages.warning(request, rapport.erreur)
    else:
        messages.success(request, "Rapport demandé : il sera prêt dans quelques instants.")
    return redirect("espace:rapports:detail", commune.code_insee, rapport.pk)


@require_safe
@login_required
def detail(request, code_insee, pk):
    commune = perms.commune_pour(request.user, code_insee)
    rapport = _rapport(commune, pk)
    return render(
        request,
        "commune/rapports/detail.html",
        {
            "commune": commune,
            "rapport": rapport,
            "etat": _etat(rapport),
            "peut_publier": perms.can_publish_report(request.user, commune),
        },
    )


@require_safe
@login_required
def etat(request, code_insee, pk):
    """The build status as JSON, polled by the detail page when JavaScript is on."""
    commune = perms.commune_pour(request.user, code_insee)
    return JsonResponse(_etat(_rapport(commune, pk)))


@require_POST
@login_required
def publier(request, code_insee, pk):
    commune = perms.commune_pour(request.user, code_insee, perms.can_publish_report)
    rapport = _rapport(commune, pk)
    publie = request.POST.get("publie") == "oui"
    try:
        services.rapport_publier(rapport=rapport, publie=publie)
    except ValueError as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(
            request,
            "Rapport publié : il est proposé sur la page publique de la commune."
            if publie
            else "Rapport retiré de la page publique.",
        )
    return redirect("espace:rapports:detail", commune.code_insee, rapport.pk)


def _fichier(rapport):
    if rapport.statut != StatutRapport.PRET or not rapport.fichier:
        raise Http404("Ce rapport n'est pas disponible.")
    nom = f"rapport-{rapport.commune.slug}-{rapport.created_at:%Y-%m-%d}.pdf"
    return FileResponse(
        rapport.fichier.open("rb"), as_attachment=True, filename=nom, content_type="application/pdf"
    )


@require_safe
@login_required
def telecharger(request, code_insee, pk):
    commune = perms.commune_pour(request.user, code_insee)
    return _fichier(_rapport(commune, pk))


@require_safe
def telecharger_public(request, code_insee, pk):
    """A published report, for anyone; others are not found."""
    rapport = get_object_or_404(
        Rapport.objects.select_related("commune"), commune__code_insee=code_insee, pk=pk
    )
    if not perms.can_download_report(request.user, rapport):
        raise Http404("Ce rapport n'est pas publié.")
    return _fichier(rapport)
