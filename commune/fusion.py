"""A commune merged into another (a commune nouvelle, a commune that became déléguée or
associée): what was attached to it moves to its new commune, and what cannot move is
left in plain sight for staff.

The move is generic: every relation that points to a commune (a foreign key, a one to
one, a many to many) is walked through `Commune._meta`, so that the ground floor never
names the apps built on it, and a relation added tomorrow moves too. A row that cannot
move because the new commune already holds its twin (a signature of the same
referential, an engagement on the same action, an élu référent, a membership of the
same person) stays on the merged commune and is listed: staff resolve it in the admin
(filter "Fusionnée, données à reprendre"), never on a dead code without anyone knowing.
Rows are saved one by one (and so their history and their signals follow: the new
commune's pages are dropped from the cache, its score snapshot is brought up to date).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import cache
from .models import CodePostal, Commune, CommuneRattachee

RAISON_FUSION = "Fusion de communes (code officiel géographique)"


@dataclass
class RapportFusion:
    """What one merger moved, and what it had to leave behind."""

    ancienne: Commune
    commune: Commune
    deplaces: Counter = field(default_factory=Counter)
    restes: list[str] = field(default_factory=list)

    def en_donnees(self) -> dict:
        return {
            "commune": self.ancienne.code_insee,
            "fusionnee_dans": self.commune.code_insee,
            "deplaces": dict(self.deplaces),
            "a_reprendre": self.restes,
        }

    def resume(self) -> str:
        deplaces = ", ".join(f"{nombre} {quoi}" for quoi, nombre in sorted(self.deplaces.items()))
        texte = f"{self.ancienne} fusionnée dans {self.commune} : "
        texte += f"déplacé(s) : {deplaces}" if deplaces else "rien à déplacer"
        if self.restes:
            texte += f" ; {len(self.restes)} à reprendre par l'équipe : " + " ; ".join(self.restes)
        return texte


# What names a commune rather than belongs to it: it follows the merger where the new
# commune does not already have it, and is dropped otherwise (no one has to resolve it).
NOMS_DE_LA_COMMUNE = (CodePostal, CommuneRattachee)


# A model whose rows tell what the merged commune itself was (its score history, its
# reports) sets `HISTOIRE_DE_LA_COMMUNE = True`: they stay with it, and nobody has to
# resolve them. The new commune's own score follows the engagements that moved.
ATTRIBUT_HISTOIRE = "HISTOIRE_DE_LA_COMMUNE"


def _relations():
    """The relations that attach rows to a commune, its names, its history and the merger
    link excepted."""
    for relation in Commune._meta.related_objects:
        modele = relation.related_model
        if (
            modele is Commune
            or modele in NOMS_DE_LA_COMMUNE
            or getattr(modele, ATTRIBUT_HISTOIRE, False)
        ):
            continue
        yield relation


def _deplacer_les_noms(ancienne, commune):
    codes = set(commune.codes_postaux.values_list("code", flat=True))
    for code_postal in ancienne.codes_postaux.all():
        if code_postal.code in codes:
            code_postal.delete()
        else:
            CodePostal.objects.filter(pk=code_postal.pk).update(commune=commune)
    CommuneRattachee.objects.filter(commune=ancienne).update(commune=commune)


def _nom(relation):
    return str(relation.related_model._meta.verbose_name_plural)


def _deplacer_ligne(objet, nom_champ, commune):
    avant = getattr(objet, nom_champ)
    setattr(objet, nom_champ, commune)
    try:
        with transaction.atomic():  # a savepoint: one refused row does not spoil the rest
            objet.save()
    except IntegrityError:
        # Back to the commune it stays on, so that the report names the row left behind.
        setattr(objet, nom_champ, avant)
        return False
    return True


def _deplacer_lien_multiple(relation, ancienne, commune, rapport):
    """A many to many (a structure's intervention zones): the new commune replaces the old
    one; where it is already there, the old link is simply dropped."""
    champ = relation.field
    through = champ.remote_field.through
    cote_commune = champ.m2m_reverse_field_name()
    cote_autre = champ.m2m_field_name()
    liens = through.objects.filter(**{cote_commune: ancienne})
    deja = set(
        through.objects.filter(**{cote_commune: commune}).values_list(f"{cote_autre}_id", flat=True)
    )
    for lien in liens:
        if getattr(lien, f"{cote_autre}_id") in deja:
            lien.delete()  # already serving the new commune: nothing to move
        else:
            setattr(lien, cote_commune, commune)
            lien.save()
            rapport.deplaces[f"{_nom(relation)} (zones)"] += 1


def _rattacher_les_fusionnees(ancienne, commune):
    """Communes merged earlier into the one merging now follow it (no chain to walk)."""
    Commune.objects.filter(fusionnee_dans=ancienne).update(fusionnee_dans=commune)


@transaction.atomic
def commune_fusionner(
    *, ancienne: Commune, commune: Commune, date: datetime.date | None = None
) -> RapportFusion:
    """Merges `ancienne` into `commune`: moves what can move, marks it merged, reports."""
    commune = commune.actuelle()
    if commune.pk == ancienne.pk:
        raise ValueError(f"{ancienne} ne peut pas fusionner dans elle-même.")
    rapport = RapportFusion(ancienne=ancienne, commune=commune)
    # Rows are saved one by one (signals drop their communes' pages), but the zones and
    # the names are moved in bulk, and the structures' pages show the zones.
    transaction.on_commit(cache.invalider_tout)
    for relation in _relations():
        if relation.many_to_many:
            _deplacer_lien_multiple(relation, ancienne, commune, rapport)
            continue
        nom_champ = relation.field.name
        lignes = relation.related_model._base_manager.filter(**{nom_champ: ancienne})
        for objet in lignes.order_by("pk"):
            if _deplacer_ligne(objet, nom_champ, commune):
                rapport.deplaces[_nom(relation)] += 1
            else:
                rapport.restes.append(
                    f"{relation.related_model._meta.verbose_name} « {objet} » : "
                    f"{commune.nom} a déjà le sien"
                )
    _deplacer_les_noms(ancienne, commune)
    _rattacher_les_fusionnees(ancienne, commune)
    ancienne.fusionnee_dans = commune
    ancienne.fusionnee_le = date or timezone.localdate()
    ancienne._change_reason = RAISON_FUSION
    ancienne.save()
    return rapport


def donnees_restantes(commune: Commune) -> Counter:
    """What is still attached to a commune, relation by relation (for a merged one: what
    staff have to resolve)."""
    restes = Counter()
    for relation in _relations():
        if relation.many_to_many:
            continue
        nombre = relation.related_model._base_manager.filter(
            **{relation.field.name: commune}
        ).count()
        if nombre:
            restes[_nom(relation)] = nombre
    return restes


def filtre_donnees_restantes() -> Q:
    """Communes that still hold rows of any relation: for the admin's list filter."""
    condition = Q()
    for relation in _relations():
        if relation.many_to_many:
            continue
        condition |= Q(
            Exists(
                relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})
            )
        )
    return condition
