"""Display of the contract figures, French style."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

DIXIEME = Decimal("0.1")
ESPACE = "\u202f"  # narrow no-break space, the French thousands separator


def _decimal(valeur):
    return valeur if isinstance(valeur, Decimal) else Decimal(str(valeur))


def _groupes(entier):
    return f"{entier:,}".replace(",", ESPACE)


@register.filter
def pourcent(valeur):
    """12.35 → « 12,4 % », rounded half up to one decimal; None → « — »."""
    if valeur is None:
        return "—"
    arrondi = _decimal(valeur).quantize(DIXIEME, rounding=ROUND_HALF_UP)
    return f"{arrondi}".replace(".", ",") + "\u00a0%"


@register.filter
def pourcent_nombre(valeur):
    """The rounded share as a plain number, for aria-valuenow: « 12.4 »."""
    return f"{_decimal(valeur or 0).quantize(DIXIEME, rounding=ROUND_HALF_UP)}"


@register.filter
def svg(valeur):
    """A number for an SVG attribute: dot decimal, whatever the locale; 0 to 100."""
    nombre = min(max(_decimal(valeur or 0), Decimal(0)), Decimal(100))
    return f"{nombre.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


@register.filter
def euros(valeur):
    """85000.00 → « 85 000 € »; cents only when there are some; None → « — »."""
    if valeur is None:
        return "—"
    montant = _decimal(valeur).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    entier, centimes = divmod(abs(montant), 1)
    texte = _groupes(int(entier))
    if centimes:
        texte += "," + f"{centimes:.2f}"[2:]
    return ("−" if montant < 0 else "") + texte + "\u00a0€"


@register.filter
def nombre(valeur):
    """1820.5 → « 1 820,5 »; integers without decimals; None → « — »."""
    if valeur is None:
        return "—"
    valeur = _decimal(valeur)
    entier, reste = divmod(abs(valeur), 1)
    texte = _groupes(int(entier))
    if reste:
        texte += "," + f"{reste.normalize()}"[2:]
    return ("−" if valeur < 0 else "") + texte
