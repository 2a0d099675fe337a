from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from axes.enums import Statut
from axes.models import Engagement, Jalon, Preuve, Referentiel, ScoreSnapshot
from axes.selectors import actions_du_referentiel, scores_des_communes
from structures.models import MembreStructure

from . import perms
from .models import MembreCommune

DERNIERES_MODIFICATIONS = 10
LIBELLES_OPERATION = {"+": "création", "~": "modification", "-": "suppression"}


@require_safe
@login_required
def accueil(request):
    """My communes and my structures."""
    adhesions = (
        MembreCommune.objects.filter(user=request.user)
        .select_related("commune__departement")
        .order_by("commune__nom")
    )
    structures = (
        MembreStructure.objects.filter(user=request.user)
        .select_related("structure__commune")
        .order_by("structure__nom", "structure__pk")
    )
    return render(
        request, "espace/accueil.html", {"adhesions": adhesions, "structures": structures}
    )


def _variation(actuel, precedent):
    """Change in percentage points since the previous snapshot, or None without one."""
    if precedent is None:
        return None
    return actuel - Fraction(precedent)


def dernieres_modifications(commune, limite=DERNIERES_MODIFICATIONS):
    """The latest changes to the commune's engagements, evidence and milestones, newest first."""
    lignes = []
    historiques = (
        (Engagement.history.filter(commune=commune).select_related("history_user", "action"), None),
        (
            Preuve.history.filter(engagement__commune=commune).select_related(
                "history_user", "engagement__action"
            ),
            "preuve",
        ),
        (
            Jalon.history.filter(engagement__commune=commune).select_related(
                "history_user", "engagement__action"
            ),
            "jalon",
        ),
    )
    for requete, objet in historiques:
        for version in requete.order_by("-history_date")[:limite]:
            action = version.action if objet is None else version.engagement.action
            auteur = version.history_user
            lignes.append(
                {
                    "date": version.history_date,
                    "qui": auteur.nom_affiche if auteur else "Plateforme",
                    "action": action,
                    "quoi": (
                        f"statut « {version.statut} »"
                        if objet is None
                        else f"{objet} « {version.titre} »"
                    ),
                    "operation": LIBELLES_OPERATION.get(version.history_type, ""),
                }
            )
    lignes.sort(key=lambda ligne: ligne["date"], reverse=True)
    return lignes[:limite]


@require_safe
@login_required
def tableau_de_bord(request, code_insee):
    commune = perms.commune_pour(request.user, code_insee)
    guide = Referentiel.objects.guide()
    actions = actions_du_referentiel(guide)
    score = scores_des_communes([commune.pk], guide, actions=actions)[commune.pk]
    aujourd_hui = timezone.localdate()
    precedent = (
        ScoreSnapshot.objects.filter(commune=commune, referentiel=guide, date__lt=aujourd_hui)
        .order_by("-date")
        .first()
    )
    par_axe_precedent = precedent.par_axe if precedent else {}
    axes = []
    for axe in score.axes:
        avant = par_axe_precedent.get(str(axe.numero))
        axes.append(
            {
                "score": axe,
                "titre": next(a.axe.titre for a in actions if a.axe.numero == axe.numero),
                "variation": _variation(axe.avancement, avant["avancement"] if avant else None),
            }
        )
    engagements = {
        e.action_id: e
        for e in Engagement.objects.filter(commune=commune, action__referentiel=guide)
    }
    non_renseignees = [
        a
        for a in actions
        if engagements.get(a.pk) is None or engagements[a.pk].statut == Statut.NON_RENSEIGNE
    ]
    en_retard = [
        (a, engagements[a.pk])
        for a in actions
        if a.pk in engagements
        and engagements[a.pk].statut in (Statut.ENGAGE, Statut.EN_COURS)
        and engagements[a.pk].date_cible is not None
        and engagements[a.pk].date_cible < aujourd_hui
    ]
    contexte = {
        "commune": commune,
        "role": perms.role_de(request.user, commune),
        "peut_modifier": perms.can_edit_engagements(request.user, commune),
        "score": score,
        "axes": axes,
        "precedent": precedent,
        "variation_avancement": _variation(
            score.avancement, precedent.avancement if precedent else None
        ),
        "non_renseignees": non_renseignees,
        "en_retard": en_retard,
        "modifications": dernieres_modifications(commune),
        "dernier_rapport": commune.rapports.order_by("-created_at").first(),
        "peut_demander_rapport": perms.can_request_report(request.user, commune),
        "aujourd_hui": aujourd_hui,
    }
    return render(request, "espace/tableau_de_bord.html", contexte)
