"""Reads that feed the scoring engine: a constant number of queries per call."""

from django.db.models import Exists, OuterRef

from .models import Action, Engagement, Preuve
from .scoring import ActionInput, calculer_score


def actions_du_referentiel(referentiel):
    return list(
        Action.objects.filter(referentiel=referentiel)
        .select_related("axe")
        .order_by("axe__numero", "ordre", "code")
    )


def engagements_par_commune(commune_ids, referentiel):
    """{commune_id: {action_id: engagement}}, each engagement annotated with `a_preuve`."""
    engagements = (
        Engagement.objects.filter(commune_id__in=commune_ids, action__referentiel=referentiel)
        .annotate(a_preuve=Exists(Preuve.objects.filter(engagement=OuterRef("pk"))))
        .order_by()
    )
    resultat = {commune_id: {} for commune_id in commune_ids}
    for engagement in engagements:
        resultat[engagement.commune_id][engagement.action_id] = engagement
    return resultat


def entrees(actions, engagements):
    """One `ActionInput` per action of the referential; an action never filled counts as such."""
    resultat = []
    for action in actions:
        engagement = engagements.get(action.pk)
        if engagement is None:
            resultat.append(
                ActionInput(axe=action.axe.numero, code=action.code, poids=action.poids)
            )
        else:
            resultat.append(
                ActionInput(
                    axe=action.axe.numero,
                    code=action.code,
                    poids=action.poids,
                    statut=engagement.statut,
                    avancement=engagement.avancement,
                    a_preuve=engagement.a_preuve,
                )
            )
    return resultat


def scores_des_communes(commune_ids, referentiel, actions=None):
    """{commune_id: Score} for many communes in two queries."""
    if actions is None:
        actions = actions_du_referentiel(referentiel)
    par_commune = engagements_par_commune(list(commune_ids), referentiel)
    return {
        commune_id: calculer_score(entrees(actions, engagements))
        for commune_id, engagements in par_commune.items()
    }
