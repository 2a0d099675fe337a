from django import template

from axes.enums import Statut
from axes.scoring import arrondi

register = template.Library()

# A status is never shown by colour alone: each has a symbol and its label.
SYMBOLES = {
    Statut.NON_RENSEIGNE: "○",
    Statut.ENGAGE: "◔",
    Statut.EN_COURS: "◑",
    Statut.REALISE: "●",
    Statut.NON_CONCERNE: "⊘",
}
CLASSES = {
    Statut.NON_RENSEIGNE: "non-renseigne",
    Statut.ENGAGE: "engage",
    Statut.EN_COURS: "en-cours",
    Statut.REALISE: "realise",
    Statut.NON_CONCERNE: "non-concerne",
}


@register.filter
def pourcent(valeur):
    """70 → « 70,0 % », rounded half up to one decimal, French style."""
    if valeur is None:
        return "—"
    return f"{arrondi(valeur):.1f}".replace(".", ",") + "\u00a0%"


@register.filter
def variation(valeur):
    """A change in percentage points: « +3,2 points », « −1,0 point », « stable »."""
    if valeur is None:
        return "—"
    arrondie = arrondi(abs(valeur))
    if arrondie == 0:
        return "stable"
    signe = "+" if valeur > 0 else "−"
    unite = "point" if arrondie < 2 else "points"
    return f"{signe}{arrondie:.1f}".replace(".", ",") + f"\u00a0{unite}"


@register.filter
def pourcent_nombre(valeur):
    """The rounded figure as a plain number, for aria-valuenow and widths."""
    return f"{arrondi(valeur or 0):.1f}"


@register.inclusion_tag("axes/_statut.html")
def statut(valeur):
    return {
        "libelle": Statut(valeur).label,
        "symbole": SYMBOLES[valeur],
        "classe": CLASSES[valeur],
    }


@register.inclusion_tag("axes/_comptes.html")
def comptes_statuts(comptes):
    return {
        "lignes": [
            {"libelle": Statut(s).label, "symbole": SYMBOLES[s], "classe": CLASSES[s], "n": n}
            for s, n in comptes.items()
        ]
    }
