"""Contract indicators of a commune or an EPCI, computed in the database.

The scorecard shows them beside guide action 1.1. `indicateurs_commune` keeps
this signature and these keys; more keys may be added.

Concession contracts are left out of every indicator (`hors_concessions`): the national
target is about public contracts (marchés); the pages still list them.

Definitions (a year is the year of the contract's notification date):
- nombre, montant: contracts notified, and the sum of their current amounts (after
  the DECP modifications) in euros HT;
- connues / inconnues (montant_connues / montant_inconnues): contracts whose social
  considerations are given or not. Unknown is not "no": DECP v1 records (2019-2023)
  give none, and counting them as "without" would make a false public statement. Every
  share about social considerations is over the known ones only;
- avec_consideration: contracts with at least one social consideration (clause
  sociale, critère social or marché réservé); part: their share of the known ones, in
  %, against the national target `cible` (PNAD 2022-2025: 30 %); part_montant: their
  share of the known ones' amount. Both are None, and so is `cible_atteinte`, when no
  contract's considerations are known: there is no verdict to give;
- sans_consideration: contracts known to have none;
- par_consideration: the same per consideration (a contract with two counts in
  both rows), plus those known to have none;
- reserves: contracts reserved (L2113-12, -13 or -15);
- par_base_legale: the social clauses of those contracts per legal basis, with
  their planned hours and the hours done, people hired and contracts signed
  reported on them (every follow-up period of those clauses, whatever its dates);
- heures_prevues / heures_realisees: the totals; taux_heures: hours done on clauses
  that plan hours, over the hours planned, in %; clauses_en_depassement: clauses
  whose reported hours exceed the planned ones (allowed, shown as a warning);
- montant_siae: the amount of contracts held by at least one SIAE (a holder linked
  to a structure of the IAE family). A contract with several holders counts once,
  for its full amount, when any of them is a SIAE: the DECP do not say how a
  contract is shared among co-holders, and the guide's question is whether
  contracts reach SIAE at all. `nombre_siae` counts those contracts.

`indicateurs` makes four queries and `indicateurs_par_annee` one, whatever the number
of contracts.
"""

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear

from structures.enums import FamilleStructure

from .enums import BaseLegale, ConsiderationSociale
from .models import (
    AVEC_CONSIDERATION_SOCIALE,
    CIBLE_PNAD_CONSIDERATION_SOCIALE,
    ClauseSociale,
    Marche,
    SuiviHeures,
    Titulaire,
)

CONNUES = Q(sociales_connues=True)
# The model's `considerations_sociales` says "Non renseigné" for an unknown contract
# whatever its flags: counted the same way here.
AVEC_CONSIDERATION = CONNUES & AVEC_CONSIDERATION_SOCIALE
SANS_CONSIDERATION = CONNUES & ~AVEC_CONSIDERATION_SOCIALE
CONSIDERATIONS = (
    ("clause_sociale", ConsiderationSociale.CLAUSE.label),
    ("critere_social", ConsiderationSociale.CRITERE.label),
    ("marche_reserve", ConsiderationSociale.RESERVE.label),
)
ZERO = Decimal(0)


def _part(valeur, total):
    """A share in %, as an exact Decimal so that display rounds half up faithfully."""
    return Decimal(100) * Decimal(valeur) / Decimal(total) if total else None


def _titulaire_siae():
    return Exists(
        Titulaire.objects.filter(
            marche=OuterRef("pk"), structure__type__famille=FamilleStructure.IAE
        )
    )


def indicateurs(marches):
    """Every indicator over the contracts of the queryset `marches` (see the module)."""
    siae = _titulaire_siae()
    sommes = {
        "nombre": Count("pk"),
        "avec_consideration": Count("pk", filter=AVEC_CONSIDERATION),
        "montant": Sum("montant"),
        "montant_avec_consideration": Sum("montant", filter=AVEC_CONSIDERATION),
        "connues": Count("pk", filter=CONNUES),
        "montant_connues": Sum("montant", filter=CONNUES),
        "sans_consideration": Count("pk", filter=SANS_CONSIDERATION),
        "montant_sans_consideration": Sum("montant", filter=SANS_CONSIDERATION),
        "clause_environnementale": Count("pk", filter=Q(clause_environnementale=True)),
        "critere_environnemental": Count("pk", filter=Q(critere_environnemental=True)),
        "nombre_siae": Count("pk", filter=siae),
        "montant_siae": Sum("montant", filter=siae),
    }
    for champ, _ in CONSIDERATIONS:
        sommes[f"nombre_{champ}"] = Count("pk", filter=CONNUES & Q(**{champ: True}))
        sommes[f"montant_{champ}"] = Sum("montant", filter=CONNUES & Q(**{champ: True}))
    # Aliases must not shadow the fields the other aggregates read.
    agregats = {
        cle.removeprefix("_"): valeur
        for cle, valeur in marches.order_by()
        .aggregate(**{f"_{cle}": somme for cle, somme in sommes.items()})
        .items()
    }

    nombre = agregats["nombre"]
    montant = agregats["montant"] or ZERO
    connues = agregats["connues"]
    montant_connues = agregats["montant_connues"] or ZERO
    resultat = {
        "nombre": nombre,
        "connues": connues,
        "inconnues": nombre - connues,
        "montant_connues": montant_connues,
        "montant_inconnues": montant - montant_connues,
        "avec_consideration": agregats["avec_consideration"],
        "part": _part(agregats["avec_consideration"], connues),
        "cible": CIBLE_PNAD_CONSIDERATION_SOCIALE,
        # None without any contract, as before: "no amount" is not "0 €".
        "montant": agregats["montant"],
        "montant_avec_consideration": agregats["montant_avec_consideration"],
        "part_montant": _part(agregats["montant_avec_consideration"] or ZERO, montant_connues),
        "sans_consideration": agregats["sans_consideration"],
        "montant_sans_consideration": agregats["montant_sans_consideration"] or ZERO,
        "reserves": agregats["nombre_marche_reserve"],
        "montant_reserves": agregats["montant_marche_reserve"] or ZERO,
        "nombre_siae": agregats["nombre_siae"],
        "montant_siae": agregats["montant_siae"] or ZERO,
        "part_montant_siae": _part(agregats["montant_siae"] or ZERO, montant),
        "environnement": {
            "clause_environnementale": agregats["clause_environnementale"],
            "critere_environnemental": agregats["critere_environnemental"],
        },
    }
    part = resultat["part"]
    resultat["cible_atteinte"] = None if part is None else part >= resultat["cible"]
    resultat["ecart_cible"] = None if part is None else part - resultat["cible"]
    resultat["par_consideration"] = [
        {
            "cle": champ,
            "libelle": libelle,
            "nombre": agregats[f"nombre_{champ}"],
            "montant": agregats[f"montant_{champ}"] or ZERO,
            "part": _part(agregats[f"nombre_{champ}"], connues),
        }
        for champ, libelle in CONSIDERATIONS
    ] + [
        {
            "cle": "aucune",
            "libelle": ConsiderationSociale.AUCUNE.label,
            "nombre": agregats["sans_consideration"],
            "montant": resultat["montant_sans_consideration"],
            "part": _part(agregats["sans_consideration"], connues),
        }
    ]
    resultat.update(_heures(marches))
    return resultat


def _heures(marches):
    """Clauses per legal basis, and the follow-up reported on them."""
    clauses = ClauseSociale.objects.filter(marche__in=marches)
    par_base = {
        ligne["base_legale"]: ligne
        for ligne in clauses.order_by()
        .values("base_legale")
        .annotate(
            clauses=Count("pk"),
            marches=Count("marche", distinct=True),
            heures_prevues=Sum("heures_prevues"),
        )
    }
    suivis = {
        ligne["clause__base_legale"]: ligne
        for ligne in SuiviHeures.objects.filter(clause__marche__in=marches)
        .order_by()
        .values("clause__base_legale")
        .annotate(
            heures=Sum("heures_realisees"),
            heures_sur_prevues=Sum(
                "heures_realisees", filter=Q(clause__heures_prevues__isnull=False)
            ),
            personnes=Sum("personnes_embauchees"),
            contrats=Sum("contrats_signes"),
        )
    }
    depassements = (
        clauses.filter(heures_prevues__isnull=False)
        .annotate(realisees=Sum("suivis__heures_realisees"))
        .filter(realisees__gt=F("heures_prevues"))
        .count()
    )

    lignes = []
    for base in BaseLegale:
        clause = par_base.get(base.value, {})
        suivi = suivis.get(base.value, {})
        lignes.append(
            {
                "base_legale": base.value,
                "libelle": base.label,
                "clauses": clause.get("clauses", 0),
                "marches": clause.get("marches", 0),
                "heures_prevues": clause.get("heures_prevues") or 0,
                "heures_realisees": suivi.get("heures") or ZERO,
                "heures_sur_prevues": suivi.get("heures_sur_prevues") or ZERO,
                "personnes_embauchees": suivi.get("personnes") or 0,
                "contrats_signes": suivi.get("contrats") or 0,
            }
        )
    heures_prevues = sum(ligne["heures_prevues"] for ligne in lignes)
    heures_sur_prevues = sum(ligne["heures_sur_prevues"] for ligne in lignes)
    return {
        "par_base_legale": lignes,
        "clauses": sum(ligne["clauses"] for ligne in lignes),
        "heures_prevues": heures_prevues,
        "heures_realisees": sum((ligne["heures_realisees"] for ligne in lignes), ZERO),
        "taux_heures": _part(heures_sur_prevues, heures_prevues),
        "personnes_embauchees": sum(ligne["personnes_embauchees"] for ligne in lignes),
        "contrats_signes": sum(ligne["contrats_signes"] for ligne in lignes),
        "clauses_en_depassement": depassements,
    }


def marches_de_la_commune(commune, annee=None, *, publies_seulement=True):
    marches = Marche.objects.hors_concessions().filter(commune=commune).de_l_annee(annee)
    return marches.publies() if publies_seulement else marches


def marches_de_l_epci(epci, annee=None, *, publies_seulement=True):
    """The contracts the EPCI itself bought (not those of its member communes)."""
    marches = Marche.objects.hors_concessions().filter(epci=epci).de_l_annee(annee)
    return marches.publies() if publies_seulement else marches


def indicateurs_commune(commune, annee=None, *, publies_seulement=True):
    """{"nombre", "avec_consideration", "part" (0–100 or None), "cible", "montant",
    "montant_avec_consideration", …} over the commune's contracts (of `annee` if given).

    Public figures by default: a contract the commune unpublished is left out, as it
    is from the public list; members' pages pass `publies_seulement=False`.
    """
    resultat = indicateurs(
        marches_de_la_commune(commune, annee, publies_seulement=publies_seulement)
    )
    resultat["annee"] = annee
    return resultat


def indicateurs_epci(epci, annee=None, *, publies_seulement=True):
    """The same over the contracts an EPCI bought."""
    resultat = indicateurs(marches_de_l_epci(epci, annee, publies_seulement=publies_seulement))
    resultat["annee"] = annee
    return resultat


def indicateurs_par_annee(marches):
    """Count, amount and share with a social consideration (over the contracts whose
    considerations are known, see the module), one row per year, newest first; concession
    contracts left out, as from every indicator."""
    marches = marches.hors_concessions()
    lignes = []
    for ligne in (
        marches.order_by()
        .annotate(annee=ExtractYear("date_notification"))
        .values("annee")
        .annotate(
            # Aliases must not shadow the `montant` field the other sums read.
            _nombre=Count("pk"),
            _connues=Count("pk", filter=CONNUES),
            _avec=Count("pk", filter=AVEC_CONSIDERATION),
            _montant=Sum("montant"),
            _montant_avec=Sum("montant", filter=AVEC_CONSIDERATION),
        )
        .order_by(F("annee").desc(nulls_last=True))
    ):
        part = _part(ligne["_avec"], ligne["_connues"])
        lignes.append(
            {
                "annee": ligne["annee"],
                "nombre": ligne["_nombre"],
                "connues": ligne["_connues"],
                "inconnues": ligne["_nombre"] - ligne["_connues"],
                "avec_consideration": ligne["_avec"],
                "montant": ligne["_montant"],
                "montant_avec_consideration": ligne["_montant_avec"] or ZERO,
                "part": part,
                "cible_atteinte": None
                if part is None
                else part >= CIBLE_PNAD_CONSIDERATION_SOCIALE,
            }
        )
    return lignes
