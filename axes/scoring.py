"""The scoring engine: pure functions, no database access.

Two figures are computed, always unrounded, and rounded only for display:

* **avancement** — how far the commune has gone. An action counts for
  100 % when it is `réalisé` *and* backed by at least one piece of evidence,
  for its declared progress when it is `en cours`, and 0 otherwise. An axis
  is the weighted mean over its concerned actions. The overall figure is the
  mean of the axes weighted by each axis's *full* weight (the sum of all its
  actions' weights, `non concerné` ones included), so the weight of an action
  that does not concern the commune is shared among its siblings and the
  axis keeps its importance.
* **taux d'engagement** — the share of concerned weight whose status is
  anything but `non renseigné`; the overall figure uses the same axis
  weighting as the avancement.

An axis whose actions are all `non concerné` is left out of both overall
figures. A commune that filled nothing scores 0 on both.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .enums import Statut

CENT = Fraction(100)


@dataclass(frozen=True)
class ActionInput:
    """What the engine needs to know about one action of one commune."""

    axe: int
    code: str
    poids: int
    statut: str = Statut.NON_RENSEIGNE
    avancement: int | None = None
    a_preuve: bool = False


@dataclass(frozen=True)
class ScoreAxe:
    numero: int
    avancement: Fraction
    taux_engagement: Fraction
    poids_total: int
    poids_concerne: int
    comptes: dict = field(default_factory=dict)

    @property
    def exclu(self):
        """True when every action of the axis is `non concerné`."""
        return self.poids_concerne == 0


@dataclass(frozen=True)
class Score:
    avancement: Fraction
    taux_engagement: Fraction
    axes: tuple
    comptes: dict = field(default_factory=dict)

    def axe(self, numero):
        return next(a for a in self.axes if a.numero == numero)


def statut_effectif(statut, a_preuve):
    """`réalisé` without evidence does not count as done: it is a commitment."""
    if statut == Statut.REALISE and not a_preuve:
        return Statut.ENGAGE
    return statut


def progression(action):
    """The share of an action that is done, from 0 to 100 (unrounded)."""
    statut = statut_effectif(action.statut, action.a_preuve)
    if statut == Statut.REALISE:
        return CENT
    if statut == Statut.EN_COURS:
        return Fraction(min(max(action.avancement or 0, 0), 100))
    return Fraction(0)


def compter_statuts(actions):
    """Counts per effective status, every status present (zero included)."""
    comptes = Counter(statut_effectif(a.statut, a.a_preuve) for a in actions)
    return {statut: comptes.get(statut, 0) for statut in Statut.values}


def score_axe(numero, actions):
    actions = list(actions)
    concernees = [a for a in actions if a.statut != Statut.NON_CONCERNE]
    poids_total = sum(a.poids for a in actions)
    poids_concerne = sum(a.poids for a in concernees)
    if poids_concerne == 0:
        avancement = taux = Fraction(0)
    else:
        avancement = sum(a.poids * progression(a) for a in concernees) / poids_concerne
        poids_engage = sum(a.poids for a in concernees if a.statut != Statut.NON_RENSEIGNE)
        taux = CENT * poids_engage / poids_concerne
    return ScoreAxe(
        numero=numero,
        avancement=Fraction(avancement),
        taux_engagement=Fraction(taux),
        poids_total=poids_total,
        poids_concerne=poids_concerne,
        comptes=compter_statuts(actions),
    )


def calculer_score(actions):
    """Scores a commune from the list of its actions (one `ActionInput` per action)."""
    actions = list(actions)
    par_axe = {}
    for action in actions:
        par_axe.setdefault(action.axe, []).append(action)
    axes = tuple(score_axe(numero, par_axe[numero]) for numero in sorted(par_axe))
    retenus = [a for a in axes if not a.exclu]
    poids = sum(a.poids_total for a in retenus)
    if poids == 0:
        avancement = taux = Fraction(0)
    else:
        avancement = sum(a.poids_total * a.avancement for a in retenus) / poids
        taux = sum(a.poids_total * a.taux_engagement for a in retenus) / poids
    return Score(
        avancement=Fraction(avancement),
        taux_engagement=Fraction(taux),
        axes=axes,
        comptes=compter_statuts(actions),
    )


def arrondi(valeur):
    """Rounds half up to one decimal, for display: 12.25 → 12.3, 12.24 → 12.2."""
    valeur = Fraction(valeur)
    exact = Decimal(valeur.numerator) / Decimal(valeur.denominator)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
