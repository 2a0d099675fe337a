"""A commune's supports to structures, under /espace/communes/<code INSEE>/soutiens/.

Every member of the commune, and staff, read them; éditeurs and admins record,
correct and delete them (commune.perms). The structure is found by its SIRET or
its name among the verified structures.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from commune import perms as perms_commune
from commune.perms import commune_pour

from . import services
from .forms import RechercheStructureForm, SoutienForm
from .models import Soutien, Structure

GET_OU_POST = require_http_methods(["GET", "HEAD", "POST"])
RESULTATS_RECHERCHE = 20


def _vers_liste(commune):
    return redirect("espace:soutiens:liste", commune.code_insee)


@login_required
@require_safe
def liste(request, code_insee):
    commune = commune_pour(request.user, code_insee)
    soutiens = (
        Soutien.objects.filter(commune=commune)
        .select_related("structure__commune", "created_by")
        .order_by("-annee", "structure__nom", "pk")
    )
    contexte = {
        "commune": commune,
        "soutiens": soutiens,
        "peut_modifier": perms_commune.can_edit_engagements(request.user, commune),
    }
    return render(request, "structures/soutiens/liste.html", contexte)


def _resultats(recherche):
    """The verified structures matching the search, at most RESULTATS_RECHERCHE."""
    if not recherche.is_valid():
        return None
    if recherche.siret:
        condition = Q(siret=recherche.siret)
    else:
        q = recherche.cleaned_data["q"]
        condition = Q(nom__icontains=q) | Q(enseigne__icontains=q)
    return list(
        Structure.objects.filter(condition, verifiee=True)
        .order_by("nom", "pk")
        .values_list("pk", flat=True)[:RESULTATS_RECHERCHE]
    )


def _formulaire(request, commune, soutien):
    """The add and edit pages: a search narrows the structures the form offers."""
    recherche = RechercheStructureForm(request.GET if "q" in request.GET else None)
    resultats = _resultats(recherche)
    if request.method == "POST":
        form = SoutienForm(request.POST, instance=soutien)
        if form.is_valid():
            verbe = "enregistré" if soutien is None else "modifié"
            soutien = services.soutien_enregistrer(
                commune=commune, by=request.user, soutien=soutien, **form.cleaned_data
            )
            messages.success(request, f"Soutien à {soutien.structure} ({soutien.annee}) {verbe}.")
            return _vers_liste(commune)
    else:
        initial = {}
        if resultats and len(resultats) == 1:
            initial["structure"] = resultats[0]
        form = SoutienForm(instance=soutien, initial=initial)
    proposees = set(resultats or [])
    # The structure already chosen stays on offer, whatever the search.
    choisie = form["structure"].value()
    if choisie and str(choisie).isdigit():
        proposees.add(int(choisie))
    form.fields["structure"].queryset = (
        Structure.objects.filter(pk__in=proposees, verifiee=True)
        .select_related("commune")
        .order_by("nom", "pk")
    )
    contexte = {
        "commune": commune,
        "soutien": soutien,
        "form": form,
        "recherche": recherche,
        "resultats": resultats,
        "limite": RESULTATS_RECHERCHE,
        "choix_structure": bool(proposees),
    }
    return render(request, "structures/soutiens/formulaire.html", contexte)


@login_required
@GET_OU_POST
@transaction.atomic
def ajouter(request, code_insee):
    commune = commune_pour(request.user, code_insee, perms_commune.can_edit_engagements)
    return _formulaire(request, commune, None)


def _soutien_ou_404(commune, pk):
    return get_object_or_404(Soutien.objects.select_related("structure"), pk=pk, commune=commune)


@login_required
@GET_OU_POST
@transaction.atomic
def modifier(request, code_insee, pk):
    commune = commune_pour(request.user, code_insee, perms_commune.can_edit_engagements)
    return _formulaire(request, commune, _soutien_ou_404(commune, pk))


@login_required
@GET_OU_POST
@transaction.atomic
def supprimer(request, code_insee, pk):
    commune = commune_pour(request.user, code_insee, perms_commune.can_edit_engagements)
    soutien = _soutien_ou_404(commune, pk)
    if request.method == "POST":
        services.soutien_supprimer(soutien=soutien, by=request.user)
        messages.success(request, f"Soutien à {soutien.structure} ({soutien.annee}) supprimé.")
        return _vers_liste(commune)
    return render(
        request, "structures/soutiens/supprimer.html", {"commune": commune, "soutien": soutien}
    )
