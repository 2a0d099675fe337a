"""Member pages of a commune's actions: /espace/communes/<code INSEE>/actions/.

Reading needs membership (or staff); every change needs an éditeur or an
admin. `perms.commune_pour` answers 404 to non-members and 403 to a role
too low, before anything else is looked up, so a refused request learns
nothing and writes nothing.
"""

import re
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from commune import perms
from commune.concurrence import ConflitDeVersion, conflit_preparer
from commune.fichiers import reponse_fichier

from . import history, services
from .forms import EngagementForm, JalonForm, PreuveForm
from .models import Action, Engagement, Jalon, Preuve, Referentiel
from .scoring import calculer_score
from .selectors import actions_du_referentiel, entrees
from .uploads import type_du_fichier

PREFIXE_PREUVE = "preuve"
PREFIXE_JALON = "jalon"


def _guide_ou_404():
    guide = Referentiel.objects.guide()
    if guide is None:
        raise Http404("Aucun référentiel actif.")
    return guide


def _action_ou_404(code):
    return get_object_or_404(
        Action.objects.select_related("axe", "referentiel"), referentiel=_guide_ou_404(), code=code
    )


def _engagement(commune, action):
    return (
        Engagement.objects.filter(commune=commune, action=action).select_related("pilote").first()
    )


def _url_action(commune, action, ancre=""):
    url = reverse("espace:engagements:action", args=[commune.code_insee, action.code])
    return f"{url}#{ancre}" if ancre else url


@require_safe
@login_required
def liste(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee)
    guide = _guide_ou_404()
    actions = actions_du_referentiel(guide)
    engagements = {
        e.action_id: e
        for e in Engagement.objects.de(commune, guide)
        .avec_nombre_preuves()
        .select_related("pilote")
        .order_by()
    }
    for engagement in engagements.values():
        engagement.a_preuve = engagement.nombre_preuves > 0
    score = calculer_score(entrees(actions, engagements))
    axes = []
    for action in actions:
        if not axes or axes[-1]["axe"].pk != action.axe_id:
            axes.append({"axe": action.axe, "score": score.axe(action.axe.numero), "actions": []})
        axes[-1]["actions"].append((action, engagements.get(action.pk)))
    contexte = {
        "commune": commune,
        "guide": guide,
        "score": score,
        "axes": axes,
        "nombre_actions": len(actions),
        "peut_modifier": perms.can_edit_engagements(request.user, commune),
    }
    return render(request, "axes/espace/liste.html", contexte)


def _page_action(
    request,
    commune,
    action,
    *,
    formulaire=None,
    formulaire_preuve=None,
    formulaire_jalon=None,
    conflit=None,
):
    """The action page, with whichever of its forms was just submitted and refused; after
    a conflict of versions (409), with both versions and the form ready to merge."""
    engagement = _engagement(commune, action)
    preuves, jalons = [], []
    if engagement is not None:
        preuves = list(engagement.preuves.select_related("created_by"))
        jalons = list(engagement.jalons.all())
    peut_modifier = perms.can_edit_engagements(request.user, commune)
    if peut_modifier:
        if formulaire is None:
            formulaire = EngagementForm(
                instance=engagement or Engagement(commune=commune, action=action),
                commune=commune,
                nombre_preuves=len(preuves),
            )
        formulaire_preuve = formulaire_preuve or PreuveForm(prefix=PREFIXE_PREUVE)
        formulaire_jalon = formulaire_jalon or JalonForm(prefix=PREFIXE_JALON)
    contexte = {
        "commune": commune,
        "action": action,
        "engagement": engagement,
        "preuves": preuves,
        "jalons": jalons,
        "historique": history.historique(engagement, public=False),
        "peut_modifier": peut_modifier,
        "formulaire": formulaire,
        "formulaire_preuve": formulaire_preuve,
        "formulaire_jalon": formulaire_jalon,
        "conflit": conflit,
    }
    return render(request, "axes/espace/action.html", contexte, status=409 if conflit else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def action_engagement(request, code_insee, code):
    if request.method == "POST":
        with transaction.atomic():
            return _enregistrer_engagement(request, code_insee, code)
    commune = perms.commune_pour(request.user, code_insee)
    return _page_action(request, commune, _action_ou_404(code))


def _enregistrer_engagement(request, code_insee, code):
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_engagements)
    action = _action_ou_404(code)
    engagement = Engagement.objects.filter(commune=commune, action=action).first()
    formulaire = EngagementForm(
        request.POST,
        instance=engagement or Engagement(commune=commune, action=action),
        commune=commune,
        nombre_preuves=engagement.preuves.count() if engagement else 0,
    )
    if formulaire.is_valid():
        valeurs = {nom: formulaire.cleaned_data[nom] for nom in formulaire.Meta.fields}
        try:
            services.engagement_enregistrer(
                commune=commune, action=action, valeurs=valeurs, version=formulaire.version_lue()
            )
        except ConflitDeVersion as conflit:
            conflit = conflit_preparer(conflit, formulaire, valeurs)
            return _page_action(request, commune, action, formulaire=formulaire, conflit=conflit)
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            messages.success(request, f"Action {action.code} enregistrée.")
            return redirect(_url_action(commune, action))
    return _page_action(request, commune, action, formulaire=formulaire)


@require_POST
@login_required
@transaction.atomic
def preuve_ajouter(request, code_insee, code):
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_engagements)
    action = _action_ou_404(code)
    formulaire = PreuveForm(request.POST, request.FILES, prefix=PREFIXE_PREUVE)
    if formulaire.is_valid():
        try:
            services.preuve_ajouter(
                commune=commune, action=action, user=request.user, **formulaire.cleaned_data
            )
        except ValidationError as erreur:
            formulaire.add_error(None, erreur)
        else:
            messages.success(request, f"Preuve ajoutée à l'action {action.code}.")
            return redirect(_url_action(commune, action, "preuves"))
    return _page_action(request, commune, action, formulaire_preuve=formulaire)


def _preuve_ou_404(commune, action, pk):
    return get_object_or_404(Preuve, pk=pk, engagement__commune=commune, engagement__action=action)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def preuve_supprimer(request, code_insee, code, pk):
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_engagements)
    action = _action_ou_404(code)
    preuve = _preuve_ou_404(commune, action, pk)
    erreur = None
    if request.method == "POST":
        try:
            services.preuve_supprimer(preuve=preuve)
        except ValidationError as refus:
            erreur = refus.messages[0]
        else:
            messages.success(request, f"Preuve « {preuve.titre} » supprimée.")
            return redirect(_url_action(commune, action, "preuves"))
    contexte = {"commune": commune, "action": action, "preuve": preuve, "erreur": erreur}
    return render(request, "axes/espace/preuve_supprimer.html", contexte)


@require_POST
@login_required
@transaction.atomic
def jalon_ajouter(request, code_insee, code):
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_engagements)
    action = _action_ou_404(code)
    formulaire = JalonForm(request.POST, prefix=PREFIXE_JALON)
    if formulaire.is_valid():
        services.jalon_ajouter(commune=commune, action=action, **formulaire.cleaned_data)
        messages.success(request, f"Jalon ajouté à l'action {action.code}.")
        return redirect(_url_action(commune, action, "jalons"))
    return _page_action(request, commune, action, formulaire_jalon=formulaire)


def _jalon_ou_404(commune, action, pk):
    return get_object_or_404(Jalon, pk=pk, engagement__commune=commune, engagement__action=action)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def jalon_modifier(request, code_insee, code, pk):
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_engagements)
    action = _action_ou_404(code)
    jalon = _jalon_ou_404(commune, action, pk)
    titre = jalon.titre
    if request.method == "POST":
        formulaire = JalonForm(request.POST, instance=jalon, prefix=PREFIXE_JALON)
        if formulaire.is_valid():
            formulaire.save()
            messages.success(request, f"Jalon « {jalon.titre} » enregistré.")
            return redirect(_url_action(commune, action, "jalons"))
    else:
        formulaire = JalonForm(instance=jalon, prefix=PREFIXE_JALON)
    contexte = {"commune": commune, "action": action, "titre": titre, "formulaire": formulaire}
    return render(request, "axes/espace/jalon_modifier.html", contexte)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@transaction.atomic
def jalon_supprimer(request, code_insee, code, pk):
    commune = perms.commune_pour(request.user, code_insee, perms.can_edit_engagements)
    action = _action_ou_404(code)
    jalon = _jalon_ou_404(commune, action, pk)
    if request.method == "POST":
        jalon.delete()
        messages.success(request, f"Jalon « {jalon.titre} » supprimé.")
        return redirect(_url_action(commune, action, "jalons"))
    contexte = {"commune": commune, "action": action, "jalon": jalon}
    return render(request, "axes/espace/jalon_supprimer.html", contexte)


def _nom_de_fichier(preuve, extension):
    """The evidence title as a download name: one line, no path separators."""
    titre = re.sub(r"[\s/\\]+", " ", preuve.titre).strip() or "preuve"
    return f"{titre}{extension}"


@require_safe
def preuve_fichier(request, code_insee, code, pk):
    """Streams an evidence file: public ones to anyone, members-only ones to members
    and staff. Everyone else gets 404, as if it did not exist."""
    preuve = get_object_or_404(
        Preuve.objects.select_related("engagement__commune").exclude(fichier=""),
        pk=pk,
        engagement__commune__code_insee=code_insee,
        engagement__action__code=code,
        engagement__action__referentiel=_guide_ou_404(),
    )
    if not preuve.publique and not perms.can_view_private_commune(
        request.user, preuve.engagement.commune
    ):
        raise Http404("Preuve introuvable.")
    type_mime = type_du_fichier(preuve.fichier.name)
    try:
        contenu = preuve.fichier.open("rb")
    except FileNotFoundError as absent:
        raise Http404("Fichier introuvable.") from absent
    extension = PurePosixPath(preuve.fichier.name).suffix.lower()
    # A PDF is downloaded, an image shown; a file stored before type checking existed
    # has no known type and is downloaded too.
    reponse = reponse_fichier(contenu, type_mime=type_mime, nom=_nom_de_fichier(preuve, extension))
    if not preuve.publique:
        reponse["Cache-Control"] = "private, no-store"
    return reponse
