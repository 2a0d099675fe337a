"""Writes on engagements that touch several rows: keyword-only `<thing>_<verb>`."""

import datetime
from decimal import Decimal

from django.utils import timezone

from .models import ScoreSnapshot
from .scoring import Score
from .selectors import scores_des_communes

TROIS_DECIMALES = Decimal("0.001")


def _decimal(valeur):
    return (Decimal(valeur.numerator) / Decimal(valeur.denominator)).quantize(TROIS_DECIMALES)


def snapshot_valeurs(score: Score):
    """What a snapshot stores of a score: both figures, overall and per axis."""
    return {
        "avancement": _decimal(score.avancement),
        "taux_engagement": _decimal(score.taux_engagement),
        "par_axe": {
            str(axe.numero): {
                "avancement": str(_decimal(axe.avancement)),
                "taux_engagement": str(_decimal(axe.taux_engagement)),
                "exclu": axe.exclu,
                "comptes": axe.comptes,
            }
            for axe in score.axes
        },
    }


def snapshot_enregistrer(*, commune, referentiel, date: datetime.date | None = None):
    """Keeps today's snapshot of the commune's score when it changed since the last one.

    At most one snapshot a day: a second change on the same day updates it.
    Returns the snapshot, or None when nothing changed.
    """
    date = date or timezone.localdate()
    score = scores_des_communes([commune.pk], referentiel)[commune.pk]
    valeurs = snapshot_valeurs(score)
    precedent = (
        ScoreSnapshot.objects.filter(commune=commune, referentiel=referentiel, date__lt=date)
        .order_by("-date")
        .first()
    )
    if precedent is not None and (
        precedent.avancement == valeurs["avancement"]
        and precedent.taux_engagement == valeurs["taux_engagement"]
        and precedent.par_axe == valeurs["par_axe"]
    ):
        ScoreSnapshot.objects.filter(commune=commune, referentiel=referentiel, date=date).delete()
        return None
    snapshot, _ = ScoreSnapshot.objects.update_or_create(
        commune=commune, referentiel=referentiel, date=date, defaults=valeurs
    )
    return snapshot
