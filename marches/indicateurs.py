"""Contract indicators of a commune, computed in the database.

The scorecard shows them beside guide action 1.1. `indicateurs_commune` keeps
this signature and these keys; more keys may be added.
"""

from django.db.models import Count, Q, Sum

from .models import CIBLE_PNAD_CONSIDERATION_SOCIALE, Marche

AVEC_CONSIDERATION = Q(clause_sociale=True) | Q(critere_social=True) | Q(marche_reserve=True)


def indicateurs_commune(commune, annee=None):
    """{"nombre", "avec_consideration", "part" (0–100 or None), "cible", "montant",
    "montant_avec_consideration"} over the commune's contracts (of `annee` if given)."""
    marches = Marche.objects.filter(commune=commune)
    if annee is not None:
        marches = marches.filter(date_notification__year=annee)
    agregats = marches.aggregate(
        nombre=Count("pk"),
        avec_consideration=Count("pk", filter=AVEC_CONSIDERATION),
        # An alias may not shadow the field it sums: "montant" is renamed below.
        montant_total=Sum("montant"),
        montant_avec_consideration=Sum("montant", filter=AVEC_CONSIDERATION),
    )
    agregats["montant"] = agregats.pop("montant_total")
    nombre = agregats["nombre"]
    agregats["part"] = 100 * agregats["avec_consideration"] / nombre if nombre else None
    agregats["cible"] = CIBLE_PNAD_CONSIDERATION_SOCIALE
    return agregats
