from django import template
from django.utils.formats import date_format

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


@register.filter
def realisees(comptes):
    """The number of actions that count as done, from counts per status."""
    return comptes.get(Statut.REALISE, 0)


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


# Charts: the geometry is computed here, the drawing is in the templates
# (commune/_evolution.html, commune/_repartition.html), SVG attributes only.

GRAPHE_LARGEUR, GRAPHE_HAUTEUR = 560, 260
MARGES = {"haut": 16, "droite": 24, "bas": 40, "gauche": 72}
# Dates closer than this on the x axis would overlap: the earlier one is not written.
ECART_ETIQUETTES = 150
GRADUATIONS = (0, 25, 50, 75, 100)


def _n(valeur):
    """A coordinate as SVG reads it: a dot, never the French decimal comma that
    the template engine would print for a float."""
    return f"{valeur:.1f}"


def _y(valeur):
    hauteur = GRAPHE_HAUTEUR - MARGES["haut"] - MARGES["bas"]
    return MARGES["haut"] + hauteur * (1 - float(valeur) / 100)


def _mois(date):
    return date_format(date, "N Y")


@register.simple_tag
def courbe_evolution(points):
    """The geometry of the evolution chart: two series (avancement, taux d'engagement)
    over time, x proportional to the dates. `points` are dicts with date, avancement
    and taux_engagement, oldest first."""
    largeur = GRAPHE_LARGEUR - MARGES["gauche"] - MARGES["droite"]
    debut, fin = points[0]["date"], points[-1]["date"]
    etendue = (fin - debut).days

    def x(date):
        if etendue == 0:
            return MARGES["gauche"] + largeur / 2
        return MARGES["gauche"] + largeur * (date - debut).days / etendue

    series = []
    for cle, classe, couleur, pointilles in (
        ("avancement", "avancement", "#0b5394", False),
        ("taux_engagement", "engagement", "#1b6e3a", True),
    ):
        coordonnees = [(x(p["date"]), _y(p[cle])) for p in points]
        series.append(
            {
                "classe": classe,
                "couleur": couleur,
                "pointilles": pointilles,
                "trace": " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in coordonnees),
                # (x, y) of the centre; (coin_x, coin_y) of a square marker's corner.
                "marqueurs": [
                    {"x": _n(cx), "y": _n(cy), "coin_x": _n(cx - 3.5), "coin_y": _n(cy - 3.5)}
                    for cx, cy in coordonnees
                ],
            }
        )
    etiquettes = []
    for i, point in reversed(list(enumerate(points))):
        position = x(point["date"])
        if etiquettes and etiquettes[-1]["position"] - position < ECART_ETIQUETTES:
            continue
        ancre = "middle"
        if len(points) > 1 and i == 0:
            ancre = "start"
        elif len(points) > 1 and i == len(points) - 1:
            ancre = "end"
        etiquettes.append(
            {"position": position, "x": _n(position), "texte": _mois(point["date"]), "ancre": ancre}
        )
    etiquettes.reverse()
    return {
        "largeur": GRAPHE_LARGEUR,
        "hauteur": GRAPHE_HAUTEUR,
        "gauche": MARGES["gauche"],
        "x_graduations": MARGES["gauche"] - 6,
        "droite": GRAPHE_LARGEUR - MARGES["droite"],
        "bas": GRAPHE_HAUTEUR - MARGES["bas"],
        "y_etiquettes": GRAPHE_HAUTEUR - MARGES["bas"] + 24,
        "debut": debut,
        "fin": fin,
        "grille": [{"y": _n(_y(v)), "texte": f"{v}\u00a0%"} for v in GRADUATIONS],
        "series": series,
        "etiquettes": etiquettes,
    }


@register.simple_tag
def barres(tranches):
    """The geometry of a bar chart of communes per band: one bar per band, the height
    proportional to the number of communes. `tranches` are dicts with valeur
    ("25-50"), libelle and nombre."""
    hauteur = GRAPHE_HAUTEUR - MARGES["haut"] - MARGES["bas"] - 20
    largeur = GRAPHE_LARGEUR - MARGES["gauche"] - MARGES["droite"]
    maximum = max((t["nombre"] for t in tranches), default=0) or 1
    pas = largeur / len(tranches)
    bas = GRAPHE_HAUTEUR - MARGES["bas"]
    resultat = []
    for i, tranche in enumerate(tranches):
        h = hauteur * tranche["nombre"] / maximum
        debut, fin = tranche["valeur"].split("-")
        resultat.append(
            {
                "x": _n(MARGES["gauche"] + i * pas + pas * 0.15),
                "y": _n(bas - h),
                "largeur": _n(pas * 0.7),
                "hauteur": _n(h),
                "milieu": _n(MARGES["gauche"] + i * pas + pas / 2),
                "y_nombre": _n(bas - h - 6),
                "nombre": tranche["nombre"],
                "court": f"{debut}–{fin}\u00a0%",
            }
        )
    return {
        "largeur": GRAPHE_LARGEUR,
        "hauteur": GRAPHE_HAUTEUR,
        "gauche": MARGES["gauche"],
        "droite": GRAPHE_LARGEUR - MARGES["droite"],
        "bas": bas,
        "y_etiquettes": bas + 24,
        "barres": resultat,
    }
