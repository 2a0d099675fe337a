"""Reads that feed the scoring engine: a constant number of queries per call."""

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Sum,
)

from .models import Action, Engagement, Preuve, ScoreSnapshot, Signature
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


class _AxeDuSnapshot(Func):
    """One figure of an axis in a snapshot's `par_axe`, read in SQL.

    Django's JSON lookups take a key made of digits ("1") for an array index, so
    the path is written here: `avancement` as a number, `exclu` as 1 or 0."""

    def __init__(self, numero, champ):
        if champ not in ("avancement", "exclu"):
            raise ValueError(champ)
        self.numero, self.champ = int(numero), champ
        sortie = FloatField() if champ == "avancement" else IntegerField()
        super().__init__(F("par_axe"), output_field=sortie)

    def as_sql(self, compiler, connection, **extra):
        colonne, parametres = compiler.compile(self.source_expressions[0])
        valeur = f"json_extract({colonne}, '$.\"{self.numero}\".{self.champ}')"
        if self.champ == "exclu":
            return f"COALESCE({valeur}, 0)", parametres
        return f"CAST({valeur} AS REAL)", parametres

    def as_postgresql(self, compiler, connection, **extra):
        colonne, parametres = compiler.compile(self.source_expressions[0])
        valeur = f"({colonne} -> '{self.numero}' ->> '{self.champ}')"
        if self.champ == "exclu":
            return f"(CASE WHEN {valeur} = 'true' THEN 1 ELSE 0 END)", parametres
        return f"CAST({valeur} AS double precision)", parametres


def figures_des_signataires(referentiel, numeros_axes, tranches):
    """National figures of the communes that signed the referential, aggregated in the
    database from their current snapshot: their number, the mean avancement overall
    and per axis (an axis left out by a commune does not count for it), and the
    number of communes per band of avancement `(valeur, bas, haut)`. A signatory
    without a snapshot has filled nothing: it counts at 0 everywhere."""
    # A merged commune that both signed, like the commune it merged into, is not counted
    # twice: its signature waits for staff, its score is that of the past.
    signataires = Signature.objects.filter(
        referentiel=referentiel, commune__fusionnee_dans__isnull=True
    )
    snapshots = ScoreSnapshot.objects.filter(
        referentiel=referentiel, courant=True, commune_id__in=signataires.values("commune_id")
    )
    nombre = signataires.count()

    agregats = {"somme": Sum("avancement"), "notees": Count("pk")}
    for numero in numeros_axes:
        snapshots = snapshots.annotate(
            **{
                f"avancement_{numero}": _AxeDuSnapshot(numero, "avancement"),
                f"exclu_{numero}": _AxeDuSnapshot(numero, "exclu"),
            }
        )
        agregats[f"somme_{numero}"] = Sum(
            f"avancement_{numero}", filter=Q(**{f"exclu_{numero}": 0})
        )
        agregats[f"exclues_{numero}"] = Sum(f"exclu_{numero}")
    for valeur, bas, haut in tranches:
        dans = Q(avancement__gte=bas)
        if haut is not None:
            dans &= Q(avancement__lt=haut)
        agregats[f"tranche_{valeur}"] = Count("pk", filter=dans)
    resultat = snapshots.aggregate(**agregats)

    sans_snapshot = nombre - resultat["notees"]
    par_axe = {}
    for numero in numeros_axes:
        comptees = nombre - (resultat[f"exclues_{numero}"] or 0)
        somme = resultat[f"somme_{numero}"] or 0
        par_axe[numero] = somme / comptees if comptees else None
    tranches_comptees = {}
    for i, (valeur, _, _) in enumerate(tranches):
        # The communes without a snapshot are at 0 %: in the first band.
        tranches_comptees[valeur] = resultat[f"tranche_{valeur}"] + (sans_snapshot if i == 0 else 0)
    return {
        "nombre": nombre,
        "moyenne": float(resultat["somme"] or 0) / nombre if nombre else None,
        "par_axe": par_axe,
        "tranches": tranches_comptees,
    }
