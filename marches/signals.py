"""Holders and the structures of the directory meet whatever was imported first.

A DECP import links a holder to the structure of its SIRET when that structure is
already there; when the structure comes later (created on the site, or by an import
of the official lists), these receivers link the holders that were waiting for it.
Connected in MarchesConfig.ready().
"""

from django.db.models.signals import post_save

from structures.models import Structure
from structures.signals import structures_creees

from .enums import TypeIdentifiant
from .models import Titulaire

TAILLE_LOT = 1000


def lier_titulaires(structures: list[tuple[int, str]]) -> int:
    """Links to these (pk, SIRET) structures the holders of that SIRET that have none;
    returns how many were linked."""
    par_siret = {siret: pk for pk, siret in structures}
    sirets = list(par_siret)
    lies = 0
    for debut in range(0, len(sirets), TAILLE_LOT):
        en_attente = Titulaire.objects.filter(
            type_identifiant=TypeIdentifiant.SIRET,
            identifiant__in=sirets[debut : debut + TAILLE_LOT],
            structure__isnull=True,
        )
        for siret in set(en_attente.values_list("identifiant", flat=True)):
            lies += en_attente.filter(identifiant=siret).update(structure_id=par_siret[siret])
    return lies


def _structures_importees(sender, structures, **kwargs):
    lier_titulaires(structures)


def _structure_enregistree(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        lier_titulaires([(instance.pk, instance.siret)])


def connecter():
    structures_creees.connect(_structures_importees, dispatch_uid="marches.titulaires.import")
    post_save.connect(
        _structure_enregistree, sender=Structure, dispatch_uid="marches.titulaires.structure"
    )
