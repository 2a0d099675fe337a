"""Fixtures of the contract tests: a contract of the matrix's commune, its holder's staff."""

from dataclasses import dataclass

import pytest

from marches.models import ClauseSociale, Marche, SuiviHeures, Titulaire
from structures.models import TypeStructure
from tests.marches.factories import ClauseSocialeFactory, MarcheFactory, TitulaireFactory
from tests.structures.factories import MembreStructureFactory, StructureFactory

SIRET_MAIRIE_RENNES = "21350238800019"


@dataclass
class Contrat:
    """A contract of the matrix's commune held by a SIAE, with a clause, and the people
    around it: the SIAE's staff and the staff of a structure that holds nothing here."""

    marche: Marche
    titulaire: Titulaire
    clause: ClauseSociale
    membre_titulaire: object
    membre_autre_structure: object


@pytest.fixture
def contrat(matrice):
    structure = StructureFactory(type=TypeStructure.objects.get(code="ACI"))
    marche = MarcheFactory(commune=matrice.commune, clause_sociale=True)
    titulaire = TitulaireFactory(
        marche=marche, identifiant=structure.siret, denomination=structure.nom, structure=structure
    )
    return Contrat(
        marche=marche,
        titulaire=titulaire,
        clause=ClauseSocialeFactory(marche=marche, heures_prevues=700),
        membre_titulaire=MembreStructureFactory(structure=structure, est_admin=False).user,
        membre_autre_structure=MembreStructureFactory().user,
    )


@pytest.fixture
def utilisateurs(matrice, contrat):
    """The matrix's users plus the holder's staff and another structure's staff."""
    return {
        **matrice.users,
        "membre_titulaire": contrat.membre_titulaire,
        "membre_autre_structure": contrat.membre_autre_structure,
    }


def etat_des_marches():
    """Every row a contract page could write, history included."""
    return {
        "marchés": Marche.objects.count(),
        "titulaires": Titulaire.objects.count(),
        "clauses": ClauseSociale.objects.count(),
        "suivis": SuiviHeures.objects.count(),
        "historique marchés": Marche.history.count(),
        "historique titulaires": Titulaire.history.count(),
        "historique clauses": ClauseSociale.history.count(),
        "historique suivis": SuiviHeures.history.count(),
    }
