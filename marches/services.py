"""Writes on contracts that touch several rows or models: keyword-only `<thing>_<verb>`.

The DECP import lives in marches.decp; the rules of a follow-up period are here.

What a follow-up period may declare (each refusal comes with its reason):
- no negative figure (hours, people hired, contracts signed);
- its end is on or after its start;
- it does not overlap another period of the same clause (dates are inclusive:
  a period ending on 31 March and one starting on 31 March overlap);
- it lasts less than the contract's duration plus 12 months (a follow-up may
  run late, a period longer than the contract itself is a typing mistake);
- at most 1,000,000 hours, and at most 1,820 h (a full-time year) per person hired
  plus 10,000 h: hours of people hired before the period are counted in the margin;
- at most 10,000 people hired, and 10,000 contracts signed.
Hours done above the hours planned by the clause are accepted: the clause and the
indicators show the excess as a warning, since an extension of a contract or a
late report can explain it.
"""

import calendar
import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format, number_format

from commune.concurrence import version_verifier
from structures.models import Structure

from .enums import TypeIdentifiant
from .models import HEURES_MAX, PERSONNES_MAX, ClauseSociale, Marche, SuiviHeures
from .perms import can_edit_clauses, can_edit_marches, can_edit_suivis

HEURES_PAR_PERSONNE = 1_820
MARGE_HEURES = 10_000
MARGE_PERIODE_MOIS = 12


def ajouter_mois(jour, mois):
    """The same day `mois` months later, or the month's last day when it is shorter."""
    annee, rang = divmod(jour.month - 1 + mois, 12)
    annee += jour.year
    dernier = calendar.monthrange(annee, rang + 1)[1]
    return datetime.date(annee, rang + 1, min(jour.day, dernier))


def _date(jour):
    return date_format(jour, "j F Y")


def _nombre(valeur):
    return number_format(valeur, force_grouping=True)


# Contracts entered by hand ------------------------------------------------------


def _structure_du_titulaire(titulaire):
    if titulaire.type_identifiant != TypeIdentifiant.SIRET:
        return None
    structures = Structure.objects.filter(siret=titulaire.identifiant)
    return structures.values_list("pk", flat=True).first()


@transaction.atomic
def marche_enregistrer(*, commune, marche, titulaires, retires, by, version: int | None = None):
    """Saves a contract of `commune` entered or changed by hand, with its holders.

    `titulaires` are the new or changed holders, `retires` those to remove. A holder
    identified by a SIRET is linked to the structure of that SIRET, when there is one.
    `version` is the version the change was based on: saved by someone else since, it
    raises ConflitDeVersion and nothing is written.
    """
    if not can_edit_marches(by, commune):
        raise PermissionDenied("Seuls les éditeurs et administrateurs modifient les marchés.")
    if marche.pk is not None:
        # Locked: two members saving at once are served one after the other, and the
        # second one's version is compared with what the first one saved.
        enregistre = Marche.objects.select_for_update().get(pk=marche.pk)
        version_verifier(enregistre, version)
        marche.version = enregistre.version
    marche.commune = commune
    marche.save()
    for titulaire in retires:
        if titulaire.pk is not None:
            titulaire.delete()
    for titulaire in titulaires:
        titulaire.marche = marche
        titulaire.structure_id = _structure_du_titulaire(titulaire)
        titulaire.save()
    return marche


@transaction.atomic
def marche_supprimer(*, marche, by):
    """Deletes a contract with its holders, clauses and follow-ups (all kept in history)."""
    if marche.commune is None or not can_edit_marches(by, marche.commune):
        raise PermissionDenied("Seuls les éditeurs et administrateurs suppriment les marchés.")
    marche.delete()


# Social clauses -----------------------------------------------------------------


@transaction.atomic
def clause_enregistrer(*, clause, by):
    """Creates or changes a social clause of a contract (the commune's éditeurs, admins)."""
    if not can_edit_clauses(by, clause.marche):
        raise PermissionDenied("Seule la commune acheteuse définit les clauses sociales.")
    clause.full_clean()
    clause.save()
    return clause


@transaction.atomic
def clause_supprimer(*, clause, by):
    """Deletes a clause and its follow-ups (kept in history)."""
    if not can_edit_clauses(by, clause.marche):
        raise PermissionDenied("Seule la commune acheteuse définit les clauses sociales.")
    clause.delete()


# Follow-up of hours -------------------------------------------------------------


def erreurs_suivi(*, marche, periode_debut, periode_fin, heures, personnes, contrats):
    """The rules of one period on its own (see the module's docstring): {field: message}."""
    erreurs = {}
    if heures is not None:
        if heures < 0:
            erreurs["heures_realisees"] = "Les heures réalisées ne peuvent pas être négatives."
        elif heures > HEURES_MAX:
            erreurs["heures_realisees"] = (
                f"{_nombre(heures)} heures sur une période : c'est plus que le maximum de "
                f"{_nombre(HEURES_MAX)} heures. Vérifiez la saisie."
            )
        elif personnes is not None and personnes >= 0:
            plafond = HEURES_PAR_PERSONNE * personnes + MARGE_HEURES
            if heures > plafond:
                erreurs["heures_realisees"] = (
                    f"{_nombre(heures)} heures pour {personnes} personne(s) embauchée(s) : "
                    f"c'est plus que {_nombre(HEURES_PAR_PERSONNE)} h par personne (un temps "
                    f"plein sur un an) plus {_nombre(MARGE_HEURES)} h, soit "
                    f"{_nombre(plafond)} h. Vérifiez les heures et le nombre de personnes."
                )
    for champ, valeur, libelle in (
        ("personnes_embauchees", personnes, "personnes embauchées"),
        ("contrats_signes", contrats, "contrats signés"),
    ):
        if valeur is None:
            continue
        if valeur < 0:
            erreurs[champ] = f"Le nombre de {libelle} ne peut pas être négatif."
        elif valeur > PERSONNES_MAX:
            erreurs[champ] = (
                f"{_nombre(valeur)} {libelle} sur une période : c'est plus que le maximum "
                f"de {_nombre(PERSONNES_MAX)}. Vérifiez la saisie."
            )
    if periode_debut and periode_fin:
        if periode_fin < periode_debut:
            erreurs["periode_fin"] = (
                f"La fin de la période ({_date(periode_fin)}) est avant son début "
                f"({_date(periode_debut)})."
            )
        elif marche.duree_mois is not None:  # unknown for some DECP imports
            mois = marche.duree_mois + MARGE_PERIODE_MOIS
            if periode_fin >= ajouter_mois(periode_debut, mois):
                erreurs["periode_fin"] = (
                    f"Une période de suivi dure moins que le marché ({marche.duree_mois} mois) "
                    f"plus {MARGE_PERIODE_MOIS} mois : elle doit finir avant le "
                    f"{_date(ajouter_mois(periode_debut, mois))}. Découpez-la en périodes "
                    "plus courtes."
                )
    return erreurs


def erreur_chevauchement(*, clause, periode_debut, periode_fin, exclure=None):
    """The message when the period overlaps another of the clause, else None."""
    autres = SuiviHeures.objects.filter(
        clause=clause, periode_debut__lte=periode_fin, periode_fin__gte=periode_debut
    )
    if exclure is not None:
        autres = autres.exclude(pk=exclure)
    autre = autres.order_by("periode_debut").first()
    if autre is None:
        return None
    return (
        f"Cette période chevauche celle du {_date(autre.periode_debut)} au "
        f"{_date(autre.periode_fin)}, déjà saisie pour cette clause : les périodes d'une "
        "clause ne se recouvrent pas."
    )


@transaction.atomic
def suivi_enregistrer(*, suivi, by):
    """Creates or changes a follow-up period of a clause; ValidationError({field: …})
    when a rule refuses it. The clause's row is locked first, so two periods sent at
    the same moment are checked one after the other for overlap."""
    clause = (
        ClauseSociale.objects.select_for_update().select_related("marche").get(pk=suivi.clause_id)
    )
    if not can_edit_suivis(by, clause.marche):
        raise PermissionDenied(
            "Seuls la commune acheteuse et les titulaires du marché saisissent le suivi."
        )
    erreurs = erreurs_suivi(
        marche=clause.marche,
        periode_debut=suivi.periode_debut,
        periode_fin=suivi.periode_fin,
        heures=suivi.heures_realisees,
        personnes=suivi.personnes_embauchees,
        contrats=suivi.contrats_signes,
    )
    if "periode_fin" not in erreurs:
        chevauchement = erreur_chevauchement(
            clause=clause,
            periode_debut=suivi.periode_debut,
            periode_fin=suivi.periode_fin,
            exclure=suivi.pk,
        )
        if chevauchement:
            erreurs["periode_debut"] = chevauchement
    if erreurs:
        raise ValidationError(erreurs)
    if suivi.pk is None:
        suivi.saisi_par = by
    suivi.heures_realisees = Decimal(suivi.heures_realisees)
    suivi.save()
    return suivi


@transaction.atomic
def suivi_supprimer(*, suivi, by):
    """Deletes a follow-up period (kept in history)."""
    if not can_edit_suivis(by, suivi.clause.marche):
        raise PermissionDenied(
            "Seuls la commune acheteuse et les titulaires du marché saisissent le suivi."
        )
    suivi.delete()
