"""How complete a structure's profile is: a percentage and what is missing.

Pure: reads the structure (its relations prefetched, or it queries them) and says
nothing about who may see it. Each item weighs the same; the conventionnement
end date only counts for the SIAE, the only ones to hold a conventionnement.
"""

from dataclasses import dataclass

from .enums import FamilleStructure


@dataclass(frozen=True)
class Completion:
    pourcentage: int
    manquants: tuple[str, ...]

    @property
    def complete(self):
        return not self.manquants


def _contact_public(structure):
    return any(
        (valeur and publie)
        for valeur, publie in (
            (structure.email, structure.email_public),
            (structure.telephone, structure.telephone_public),
            (structure.site_web, structure.site_web_public),
        )
    )


def _zones(structure):
    return bool(
        structure.zones_communes.all()
        or structure.zones_epci.all()
        or structure.zones_departements.all()
    )


ELEMENTS = (
    ("une description de l'activité", lambda s: bool(s.description.strip())),
    ("un logo", lambda s: bool(s.logo)),
    (
        "l'adresse complète (adresse, code postal, commune)",
        lambda s: bool(s.adresse and s.code_postal and s.commune_id),
    ),
    ("un moyen de contact publié (e-mail, téléphone ou site web)", _contact_public),
    ("au moins un secteur d'activité", lambda s: bool(s.secteurs.all())),
    ("au moins un type de prestation", lambda s: bool(s.types_prestation.all())),
    ("les zones d'intervention (communes, EPCI ou départements)", _zones),
    ("le nombre d'ETP en insertion", lambda s: s.etp_insertion is not None),
    (
        "le nombre de personnes accompagnées sur un an",
        lambda s: s.personnes_accompagnees is not None,
    ),
    ("la part de sorties positives", lambda s: s.taux_sorties_positives is not None),
)
CONVENTIONNEMENT = (
    "la date de fin du conventionnement",
    lambda s: s.fin_conventionnement is not None,
)


def completion(structure):
    elements = list(ELEMENTS)
    if structure.type.famille == FamilleStructure.IAE:
        elements.append(CONVENTIONNEMENT)
    manquants = tuple(libelle for libelle, present in elements if not present(structure))
    faits = len(elements) - len(manquants)
    # Rounded down: 100 % only when nothing is missing.
    return Completion(pourcentage=faits * 100 // len(elements), manquants=manquants)
