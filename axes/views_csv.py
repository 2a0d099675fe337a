"""CSV export and import of a commune's engagements. The format lives in csv_io.

The import is two steps. The upload shows a preview and writes nothing; the
file's text then waits in the server-side session under a key made of the
commune and a random token, and only the token travels in the confirmation
form, so the browser never carries data the server would have to trust. The
confirmation checks the file again against the database as it is then.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from commune import perms

from .csv_io import ImportPerime, engagements_analyser, engagements_exporter, engagements_importer
from .enums import Statut
from .forms_csv import ImportCSVForm
from .models import Referentiel


def _guide_ou_404():
    guide = Referentiel.objects.guide()
    if guide is None:
        raise Http404("Aucun référentiel actif.")
    return guide


def _cle_session(commune, jeton):
    return f"engagements_csv:{commune.code_insee}:{jeton}"


@require_safe
@login_required
def export(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee)
    guide = _guide_ou_404()
    nom = f"engagements-{commune.code_insee}-{timezone.localdate():%Y-%m-%d}.csv"
    reponse = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{nom}"',
            # Internal notes are in it: no shared cache may keep a copy.
            "Cache-Control": "private, no-store",
        },
    )
    engagements_exporter(commune=commune, referentiel=guide, fichier=reponse)
    return reponse


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def importer(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_engagements)
    guide = _guide_ou_404()
    if request.method == "POST":
        form = ImportCSVForm(request.POST, request.FILES)
        if form.is_valid():
            analyse = engagements_analyser(
                commune=commune, referentiel=guide, contenu=form.cleaned_data["fichier"].read()
            )
            return _apercu(request, commune, analyse)
    else:
        form = ImportCSVForm()
    contexte = {"commune": commune, "form": form, "statuts": Statut.values}
    return render(request, "axes/csv/import.html", contexte)


@require_POST
@login_required
def confirmer(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_engagements)
    guide = _guide_ou_404()
    # Popped: a preview is confirmed once, a second click finds nothing.
    attente = request.session.pop(_cle_session(commune, request.POST.get("jeton", "")), None)
    if attente is None:
        messages.error(
            request,
            "Cet aperçu a expiré ou a déjà été confirmé : envoyez de nouveau le fichier.",
        )
        return redirect("espace:csv:import", commune.code_insee)
    analyse = engagements_analyser(commune=commune, referentiel=guide, contenu=attente["contenu"])
    if not analyse.valide or analyse.empreinte != attente["empreinte"]:
        return _apercu(request, commune, analyse, perime=True)
    try:
        nombre = engagements_importer(
            commune=commune, referentiel=guide, analyse=analyse, by=request.user
        )
    except ImportPerime as perime:
        return _apercu(request, commune, perime.analyse, perime=True)
    pluriel = "s" if nombre > 1 else ""
    messages.success(request, f"Import terminé : {nombre} action{pluriel} modifiée{pluriel}.")
    return redirect(_apres_import(commune))


def _apercu(request, commune, analyse, perime=False):
    """Shows what the file would change; keeps it for confirmation only when it can be."""
    jeton = None
    if analyse.valide and analyse.modifiees:
        # One pending preview per commune: a new upload replaces the previous one.
        prefixe = _cle_session(commune, "")
        # A session has keys() but is not iterable.
        for cle in [cle for cle in request.session.keys() if cle.startswith(prefixe)]:  # noqa: SIM118
            del request.session[cle]
        jeton = secrets.token_urlsafe(24)
        request.session[_cle_session(commune, jeton)] = {
            "contenu": analyse.contenu,
            "empreinte": analyse.empreinte,
        }
    contexte = {
        "commune": commune,
        "analyse": analyse,
        "jeton": jeton,
        "perime": perime,
        "form": ImportCSVForm(),
    }
    return render(request, "axes/csv/apercu.html", contexte)


def _apres_import(commune):
    try:
        return reverse("espace:engagements:liste", args=[commune.code_insee])
    except NoReverseMatch:
        return reverse("espace:tableau_de_bord", args=[commune.code_insee])
