"""The change history of a structure's profile, for its members.

`modifications()` reads the latest historical records of the structure in one query
and the snapshots of its relations (sectors, zones…) in one query per relation, then
compares each record with the one before it: what changed, who changed it, when.
"""

from dataclasses import dataclass

from django.apps import apps

from .models import Structure
from .services import RAISON_IMPORT

PLATEFORME = "Plateforme"
DERNIERES = 10

# The fields a person sees in the history; dates of figures follow their figure.
CHAMPS = (
    "siret",
    "nom",
    "enseigne",
    "type",
    "forme_juridique",
    "description",
    "logo",
    "adresse",
    "code_postal",
    "commune",
    "email",
    "email_public",
    "telephone",
    "telephone_public",
    "site_web",
    "site_web_public",
    "etp_insertion",
    "personnes_accompagnees",
    "taux_sorties_positives",
    "fin_conventionnement",
    "verifiee",
    "publiee",
)
# relation → the field of its through table that points to the other side
RELATIONS = {
    "secteurs": "secteur",
    "types_prestation": "typeprestation",
    "reseaux": "reseau",
    "zones_communes": "commune",
    "zones_epci": "epci",
    "zones_departements": "departement",
}


@dataclass(frozen=True)
class Modification:
    date: object
    auteur: str
    creation: bool
    changements: tuple[str, ...]
    raison: str = ""


def _libelle(nom):
    libelle = str(Structure._meta.get_field(nom).verbose_name)
    return libelle[:1].upper() + libelle[1:]


def _instantanes(ids):
    """{(history id, relation): {target pk: name}} for the given historical records."""
    instantanes = {}
    for relation, cible in RELATIONS.items():
        modele = apps.get_model("structures", f"HistoricalStructure_{relation}")
        lignes = modele.objects.filter(history_id__in=ids).values_list(
            "history_id", f"{cible}_id", f"{cible}__nom"
        )
        for history_id, pk, nom in lignes:
            instantanes.setdefault((history_id, relation), {})[pk] = nom or "?"
    return instantanes


def _relations_connues(versions, instantanes):
    """{history id: {relation: {pk: name}}, or None when unknown}, oldest record first.

    The import writes its records in bulk, without a snapshot of the relations, which
    it does not change: such a record keeps the relations of the record before it.
    """
    connues, derniere = {}, None
    for version in reversed(versions):
        if version.history_change_reason != RAISON_IMPORT or version.history_type == "+":
            derniere = {
                relation: instantanes.get((version.history_id, relation), {})
                for relation in RELATIONS
            }
        connues[version.history_id] = derniere
    return connues


def _changements(version, precedente, relations):
    changes = []
    for nom in CHAMPS:
        attname = Structure._meta.get_field(nom).attname
        if getattr(version, attname) != getattr(precedente, attname):
            changes.append(_libelle(nom))
    apres_connues = relations[version.history_id]
    avant_connues = relations[precedente.history_id]
    if apres_connues is None or avant_connues is None:
        return tuple(changes)
    for relation in RELATIONS:
        apres, avant = apres_connues[relation], avant_connues[relation]
        ajouts = sorted(apres[pk] for pk in apres.keys() - avant.keys())
        retraits = sorted(avant[pk] for pk in avant.keys() - apres.keys())
        if ajouts or retraits:
            detail = ", ".join([f"+ {nom}" for nom in ajouts] + [f"− {nom}" for nom in retraits])
            changes.append(f"{_libelle(relation)} ({detail})")
    return tuple(changes)


def modifications(structure, limite=DERNIERES):
    """The latest changes of the profile, newest first. A record that changed nothing
    a person sees (the date of a save alone) is left out."""
    versions = list(
        structure.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limite + 1
        ]
    )
    relations = _relations_connues(versions, _instantanes([v.history_id for v in versions]))
    resultat = []
    for rang, version in enumerate(versions[:limite]):
        precedente = versions[rang + 1] if rang + 1 < len(versions) else None
        auteur = version.history_user.nom_affiche if version.history_user else PLATEFORME
        if precedente is None:
            if version.history_type != "+":
                break  # older records were not loaded
            changements, creation = (), True
        else:
            changements, creation = _changements(version, precedente, relations), False
            if not changements:
                continue
        resultat.append(
            Modification(
                date=version.history_date,
                auteur=auteur,
                creation=creation,
                changements=changements,
                raison=version.history_change_reason or "",
            )
        )
    return resultat
