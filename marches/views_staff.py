"""Pages under /espace/marches/: the staff's DECP upload, and the contracts a person's
structures hold (where the staff of a SIAE reports insertion hours).

The upload runs the same import as `manage.py import_decp`, synchronously, for files up
to 20 MB. First a dry run: the file waits in the default storage under a random name,
and only that name's token travels, in the server-side session, so the browser never
carries data the server would have to trust. "Écrire" runs the import again on the
stored file, against the database as it is then, and deletes the file.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import perms
from .decp import decp_importer
from .forms import ImportDECPForm
from .models import Marche, Titulaire
from .views import PAR_PAGE

CLE_SESSION = "marches_decp"
DOSSIER = "decp-en-attente"


def _staff_ou_404(user):
    # The page does not exist for anyone else, not even as "forbidden".
    if not perms.can_import_decp(user):
        raise Http404("Page introuvable.")


def _oublier_attente(request):
    attente = request.session.pop(CLE_SESSION, None)
    if attente:
        default_storage.delete(attente["nom"])


@require_http_methods(["GET", "HEAD", "POST"])
def importer(request):
    _staff_ou_404(request.user)
    if request.method != "POST":
        return render(request, "marches/staff/import.html", {"formulaire": ImportDECPForm()})
    formulaire = ImportDECPForm(request.POST, request.FILES)
    if not formulaire.is_valid():
        return render(request, "marches/staff/import.html", {"formulaire": formulaire})

    _oublier_attente(request)
    fichier = formulaire.cleaned_data["fichier"]
    strict = formulaire.cleaned_data["tout_ou_rien"]
    jeton = secrets.token_urlsafe(24)
    nom = default_storage.save(f"{DOSSIER}/{jeton}.json", fichier)
    with default_storage.open(nom, "rb") as flux:
        rapport = decp_importer(fichier=flux, ecrire=False, strict=strict, by=request.user)
    a_ecrire = not rapport.refuse and (rapport.crees or rapport.mis_a_jour)
    if a_ecrire:
        request.session[CLE_SESSION] = {
            "jeton": jeton,
            "nom": nom,
            "strict": strict,
            "fichier": fichier.name,
        }
    else:
        default_storage.delete(nom)
    contexte = {
        "rapport": rapport,
        "jeton": jeton if a_ecrire else None,
        "nom_fichier": fichier.name,
        "formulaire": ImportDECPForm(),
    }
    return render(request, "marches/staff/rapport.html", contexte)


@require_POST
def ecrire(request):
    _staff_ou_404(request.user)
    attente = request.session.get(CLE_SESSION)
    if not attente or attente["jeton"] != request.POST.get("jeton", ""):
        messages.error(
            request,
            "Cette simulation a expiré ou a déjà été écrite : envoyez de nouveau le fichier.",
        )
        return redirect("espace:marches_staff:import")
    # Popped first: a second click finds nothing to write.
    _oublier = request.session.pop(CLE_SESSION)
    try:
        with default_storage.open(_oublier["nom"], "rb") as flux:
            rapport = decp_importer(
                fichier=flux, ecrire=True, strict=_oublier["strict"], by=request.user
            )
    finally:
        default_storage.delete(_oublier["nom"])
    contexte = {
        "rapport": rapport,
        "jeton": None,
        "nom_fichier": _oublier["fichier"],
        "formulaire": ImportDECPForm(),
    }
    return render(request, "marches/staff/rapport.html", contexte)


@require_safe
@login_required
def titulaire(request):
    """The contracts held by the structures the user is a member of."""
    tenus = Titulaire.objects.filter(marche=OuterRef("pk"), structure__membres__user=request.user)
    marches = (
        Marche.objects.filter(Exists(tenus))
        .select_related("commune")
        .annotate(nombre_clauses=Count("clauses"))
        .recents_d_abord()
    )
    page = Paginator(marches, PAR_PAGE).get_page(request.GET.get("page"))
    contexte = {
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "marches": page.object_list,
        "parametres": "",
    }
    return render(request, "marches/staff/titulaire.html", contexte)
