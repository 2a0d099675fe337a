"""Writes on engagements that touch several rows: keyword-only `<thing>_<verb>`."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commune.concurrence import version_verifier

from .enums import Statut
from .models import Engagement, Jalon, Preuve, ScoreSnapshot
from .scoring import Score
from .selectors import scores_des_communes
from .uploads import extension_detectee, nom_genere

TROIS_DECIMALES = Decimal("0.001")

MESSAGE_REALISE_SANS_PREUVE = "Ajoutez au moins une preuve avant de déclarer l'action réalisée."
MESSAGE_SEULE_PREUVE = "C'est la seule preuve d'une action réalisée : changez d'abord le statut."


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


@transaction.atomic(savepoint=False)
def snapshot_enregistrer(*, commune, referentiel, date: datetime.date | None = None):
    """Keeps today's snapshot of the commune's score when it changed since the last one,
    and marks the latest snapshot as the current score (`courant`).

    At most one snapshot a day: a second change on the same day updates it.
    Returns the snapshot, or None when nothing changed.
    """
    date = date or timezone.localdate()
    score = scores_des_communes([commune.pk], referentiel)[commune.pk]
    valeurs = snapshot_valeurs(score)
    snapshots = ScoreSnapshot.objects.filter(commune=commune, referentiel=referentiel)
    # Locked: two writers of one commune take turns to move its current snapshot.
    precedent = snapshots.select_for_update().filter(date__lt=date).order_by("-date").first()
    if precedent is not None and (
        precedent.avancement == valeurs["avancement"]
        and precedent.taux_engagement == valeurs["taux_engagement"]
        and precedent.par_axe == valeurs["par_axe"]
    ):
        snapshots.filter(date=date).delete()
        if not precedent.courant:
            snapshots.filter(pk=precedent.pk).update(courant=True)
        return None
    if precedent is not None and precedent.courant:
        snapshots.filter(pk=precedent.pk).update(courant=False)
    snapshot, _ = ScoreSnapshot.objects.update_or_create(
        commune=commune, referentiel=referentiel, date=date, defaults={**valeurs, "courant": True}
    )
    return snapshot


@transaction.atomic
def snapshots_courants_marquer(*, communes, referentiel):
    """Marks the latest snapshot of each of `communes` as its current score, for code
    that wrote snapshots itself (seeds, scripts)."""
    snapshots = ScoreSnapshot.objects.filter(commune__in=communes, referentiel=referentiel)
    snapshots.filter(courant=True).update(courant=False)
    for commune in communes:
        dernier = snapshots.filter(commune=commune).order_by("-date").first()
        if dernier is not None:
            snapshots.filter(pk=dernier.pk).update(courant=True)


def _engagement_verrouille(*, commune, action):
    """The commune's engagement on the action, created `non renseigné` if needed, locked
    until the end of the transaction so evidence checks cannot race."""
    engagement, _ = Engagement.objects.select_for_update().get_or_create(
        commune=commune, action=action
    )
    return engagement


def engagement_enregistrer(*, commune, action, valeurs: dict, version: int | None = None):
    """Creates or updates the commune's engagement on the action, then the day's snapshot.

    `valeurs` maps engagement fields to their new values. `réalisé` needs at
    least one piece of evidence already recorded: ValidationError otherwise,
    and nothing is written. `version` is the version the values were based on (0: no
    engagement yet); saved by someone else since, it raises ConflitDeVersion and
    nothing is written.
    """
    engagement = (
        Engagement.objects.select_for_update().filter(commune=commune, action=action).first()
    )
    version_verifier(engagement, version)
    if valeurs.get("statut") == Statut.REALISE and (
        engagement is None or not engagement.preuves.exists()
    ):
        raise ValidationError({"statut": MESSAGE_REALISE_SANS_PREUVE})
    if engagement is None:
        Engagement(commune=commune, action=action, **valeurs).clean()
        engagement, cree = Engagement.objects.get_or_create(
            commune=commune, action=action, defaults=valeurs
        )
        if cree:
            snapshot_enregistrer(commune=commune, referentiel=action.referentiel)
            return engagement
        # Created by a concurrent request in between: update it like any other.
        engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
        version_verifier(engagement, version)
    modifies = {
        nom: valeur for nom, valeur in valeurs.items() if getattr(engagement, nom) != valeur
    }
    if modifies:
        for nom, valeur in modifies.items():
            setattr(engagement, nom, valeur)
        engagement.clean()
        engagement.save()
    snapshot_enregistrer(commune=commune, referentiel=action.referentiel)
    return engagement


def preuve_ajouter(
    *, commune, action, user, titre, nature, date, publique=True, url="", fichier=None
):
    """Adds a piece of evidence (a link or a file) to the commune's engagement on the action,
    creating the engagement if needed. A file is checked and renamed before it is stored."""
    if bool(url) == bool(fichier):
        raise ValidationError("Une preuve est soit un lien, soit un fichier.")
    if fichier:
        fichier.name = nom_genere(extension_detectee(fichier))
    engagement = _engagement_verrouille(commune=commune, action=action)
    preuve = Preuve.objects.create(
        engagement=engagement,
        titre=titre,
        nature=nature,
        date=date,
        publique=publique,
        url=url or "",
        fichier=fichier or "",
        created_by=user,
    )
    snapshot_enregistrer(commune=commune, referentiel=action.referentiel)
    return preuve


def preuve_supprimer(*, preuve):
    """Deletes a piece of evidence and, once committed, its file.

    The last piece of evidence of a `réalisé` engagement stays: ValidationError.
    """
    # Lock the engagement row only, not the commune and action rows joined to it.
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("action", "commune")
        .get(pk=preuve.engagement_id)
    )
    if (
        engagement.statut == Statut.REALISE
        and not engagement.preuves.exclude(pk=preuve.pk).exists()
    ):
        raise ValidationError(MESSAGE_SEULE_PREUVE)
    nom, stockage = preuve.fichier.name, preuve.fichier.storage
    preuve.delete()
    if nom:
        transaction.on_commit(lambda: stockage.delete(nom))
    snapshot_enregistrer(commune=engagement.commune, referentiel=engagement.action.referentiel)


def jalon_ajouter(*, commune, action, date, titre, description="", atteint=False):
    """Adds a milestone to the commune's engagement on the action, creating it if needed."""
    engagement = _engagement_verrouille(commune=commune, action=action)
    return Jalon.objects.create(
        engagement=engagement, date=date, titre=titre, description=description, atteint=atteint
    )
