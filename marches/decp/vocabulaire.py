"""The words of the DECP v1 (arrêté du 14 avril 2017, files of 2019-2023) and v2 (arrêtés
du 22 décembre 2022), mapped onto the v2 vocabulary the contracts are stored in.

Values are compared without case. What v1 says that v2 says elsewhere:
- nature `Accord-cadre` and `Marché subséquent` are marchés (v2 moved the framework
  agreement to `techniques`); `Délégation de service public` and the concessions are
  contracts of concession;
- `formePrix` `Ferme`, `Révisable`, `Ferme et actualisable`, `Actualisable` describe what
  v2 calls `typesPrix`, not its `formePrix` (unitaire, forfaitaire, mixte): they are read
  without complaint and leave the form of the price empty;
- the negotiated procedures of v1 map onto the v2 ones (`Procédure concurrentielle avec
  négociation` → `Procédure avec négociation`, `Marché négocié sans publicité…` →
  `Marché passé sans publicité…`); the procedures of concessions have no v2 marché
  equivalent and stay empty on a concession;
- holder identifier types written by some platforms (`TVA_INTRACOMMUNAUTAIRE`, `HORS_UE`,
  `FRW`) are the schema's `TVA`, `HORS-UE`, `FRWF`.
"""

from ..enums import (
    ConsiderationEnvironnementale,
    ConsiderationSociale,
    FormePrix,
    Nature,
    Procedure,
    TypeCodeLieu,
    TypeIdentifiant,
)
from ..models import ENVIRONNEMENTALES, SOCIALES


def _vocabulaire(valeurs, **synonymes):
    """{value compared without case: stored value}, built once: imports read it a million
    times."""
    mots = {str(valeur).casefold(): str(valeur) for valeur in valeurs}
    mots.update({mot.casefold(): str(valeur) for mot, valeur in synonymes.items()})
    return mots


def _synonymes(valeur, *mots):
    return dict.fromkeys(mots, valeur)


NATURES = _vocabulaire(
    [Nature.MARCHE, Nature.PARTENARIAT, Nature.DEFENSE],
    **_synonymes(
        Nature.MARCHE,
        "Marche",
        "Accord-cadre",
        "Accord cadre",
        "Marché subséquent",
        "Marché subséquent d'accord-cadre",
    ),
    **_synonymes(Nature.DEFENSE, "Marché de défense et de sécurité"),
)
NATURES_CONCESSION = {
    mot.casefold()
    for mot in (
        Nature.CONCESSION,
        "Contrat de concession",
        "Concession",
        "Concession de travaux",
        "Concession de service",
        "Concession de services",
        "Concession de service public",
        "Délégation de service public",
    )
}
PROCEDURES = _vocabulaire(
    Procedure.values,
    **_synonymes(
        Procedure.NEGOCIATION,
        "Procédure concurrentielle avec négociation",
        "Procédure négociée avec mise en concurrence préalable",
    ),
    **_synonymes(
        Procedure.SANS_PUBLICITE,
        "Marché négocié sans publicité ni mise en concurrence préalable",
        "Marché public négocié sans publicité ni mise en concurrence préalable",
        "Marchés publics passés sans publicité ni mise en concurrence préalables",
        "Marché public passé sans publicité ni mise en concurrence préalable",
    ),
)
PROCEDURES_CONCESSION = {
    mot.casefold()
    for mot in (
        "Procédure négociée ouverte",
        "Procédure non négociée ouverte",
        "Procédure négociée restreinte",
        "Procédure non négociée restreinte",
    )
}
# The v1 forms of the price: known, stored as no v2 form.
FORMES_PRIX = _vocabulaire(
    FormePrix.values,
    **_synonymes(
        "", "Ferme", "Révisable", "Ferme et actualisable", "Actualisable", "Ferme actualisable"
    ),
)
TYPES_CODE_LIEU = _vocabulaire(
    TypeCodeLieu.values,
    **_synonymes(TypeCodeLieu.CODE_COMMUNE, "Code INSEE commune", "Code INSEE"),
)
TYPES_IDENTIFIANT = _vocabulaire(
    TypeIdentifiant.values,
    TVA_INTRACOMMUNAUTAIRE=TypeIdentifiant.TVA,
    HORS_UE=TypeIdentifiant.HORS_UE,
    FRW=TypeIdentifiant.FRWF,
)

VOCABULAIRE_SOCIAL = _vocabulaire([*SOCIALES, ConsiderationSociale.AUCUNE])
VOCABULAIRE_ENVIRONNEMENTAL = _vocabulaire(
    [*ENVIRONNEMENTALES, ConsiderationEnvironnementale.AUCUNE]
)
# The same considerations written as boolean keys, as some producers do.
CLES_BOOLEENNES = {
    "clausesociale": "clause_sociale",
    "criteresocial": "critere_social",
    "marchereserve": "marche_reserve",
    "clauseenvironnementale": "clause_environnementale",
    "critereenvironnemental": "critere_environnemental",
}
VRAI = {"oui", "true", "vrai", "1", "o", "yes"}
FAUX = {"non", "false", "faux", "0", "n", "no"}
