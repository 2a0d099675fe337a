"""What a change to a commune's public data sets off: its cached pages are dropped
at once, and its score snapshot follows a change of its score.

Connected in CommuneConfig.ready(). Bulk writes (bulk_create, update) send no
signal: the code that does them calls `commune.cache.invalider_communes` itself.
"""

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from axes.models import (
    Action,
    Avis,
    Axe,
    Engagement,
    Jalon,
    Preuve,
    Referentiel,
    ScoreSnapshot,
    Signature,
)
from marches.models import Marche
from structures.models import Soutien, Structure, TypeStructure

from . import cache
from .models import EPCI, Commune, Departement, EluReferent, Rapport, Region

logger = logging.getLogger(__name__)

# Rows that belong to one commune through their `commune` foreign key.
PAR_COMMUNE = (Engagement, Signature, EluReferent, Soutien, Marche, Avis, ScoreSnapshot, Rapport)
# Rows that belong to one commune through their engagement.
PAR_ENGAGEMENT = (Preuve, Jalon)
# Rows that every commune page may show: the referential, the structures, the geography.
SOCLE = (Referentiel, Axe, Action, Structure, TypeStructure, Departement, Region, EPCI)
# Rows whose change can change the score.
SCORE = (Engagement, Preuve)


def _commune_id(instance):
    if isinstance(instance, Commune):
        return instance.pk
    if isinstance(instance, PAR_ENGAGEMENT):
        if type(instance).engagement.is_cached(instance):
            return instance.engagement.commune_id
        # Evidence deleted with its engagement: the engagement's own signal counted.
        return (
            Engagement.objects.filter(pk=instance.engagement_id)
            .values_list("commune_id", flat=True)
            .first()
        )
    return instance.commune_id


def _retenir_commune_initiale(sender, instance, **kwargs):
    # A contract or a support moved to another commune changes both communes' pages.
    # Read from __dict__: a deferred field must not cost a query per loaded row.
    instance._commune_id_initial = instance.__dict__.get("commune_id")


def _commune_modifiee(sender, instance, **kwargs):
    commune_id = _commune_id(instance)
    cache.invalider_communes(commune_id, getattr(instance, "_commune_id_initial", None))
    if isinstance(instance, SCORE) and commune_id is not None:
        planifier_snapshot(commune_id)


def _socle_modifie(sender, **kwargs):
    cache.invalider_tout()


def planifier_snapshot(commune_id):
    """Brings the commune's snapshot of the guide up to date once the transaction commits.

    The services already do it for what members change; this catches the other
    writers (the admin, imports, scripts), so that the latest snapshot is always
    the current score, which the directory sorts and filters on. One snapshot per
    commune and transaction, however many rows changed.
    """
    connexion = transaction.get_connection()
    if any(getattr(f, "commune_id", None) == commune_id for _, f, _ in connexion.run_on_commit):
        return

    def enregistrer():
        from axes.services import snapshot_enregistrer

        guide = Referentiel.objects.guide()
        commune = Commune.objects.filter(pk=commune_id).first()
        if guide is not None and commune is not None:
            snapshot_enregistrer(commune=commune, referentiel=guide)

    enregistrer.commune_id = commune_id
    # robust: the change is committed; a failed snapshot is logged, not raised.
    transaction.on_commit(enregistrer, robust=True)


def connecter():
    for modele in (*PAR_COMMUNE, *PAR_ENGAGEMENT, Commune):
        uid = f"commune.cache.{modele._meta.label_lower}"
        post_save.connect(_commune_modifiee, sender=modele, dispatch_uid=uid)
        post_delete.connect(_commune_modifiee, sender=modele, dispatch_uid=uid)
    for modele in (Marche, Soutien):
        post_init.connect(
            _retenir_commune_initiale,
            sender=modele,
            dispatch_uid=f"commune.cache.initiale.{modele._meta.label_lower}",
        )
    for modele in SOCLE:
        uid = f"commune.cache.socle.{modele._meta.label_lower}"
        post_save.connect(_socle_modifie, sender=modele, dispatch_uid=uid)
        post_delete.connect(_socle_modifie, sender=modele, dispatch_uid=uid)
    for relation in (
        Structure.zones_communes,
        Structure.zones_epci,
        Structure.zones_departements,
        Action.correspondances,
    ):
        m2m_changed.connect(
            _socle_modifie,
            sender=relation.through,
            dispatch_uid=f"commune.cache.socle.{relation.through._meta.label_lower}",
        )
