"""A holder meets the structure of its SIRET whatever came first: the contracts (a DECP
import) or the structure (created on the site, or by an import of the official list)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from marches.enums import TypeIdentifiant
from structures.models import Structure
from tests.marches.factories import TitulaireFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_a_structure_created_after_its_contracts_gets_their_holders():
    siret = "93500004200017"
    titulaires = TitulaireFactory.create_batch(2, identifiant=siret)
    autre = TitulaireFactory(identifiant="93500001800017")
    etranger = TitulaireFactory(identifiant=siret, type_identifiant=TypeIdentifiant.TVA)

    structure = StructureFactory(siret=siret)

    for titulaire in titulaires:
        titulaire.refresh_from_db()
        assert titulaire.structure == structure
    for titulaire in (autre, etranger):
        titulaire.refresh_from_db()
        assert titulaire.structure is None


def test_structures_imported_after_the_contracts_get_their_holders():
    call_command(
        "import_territoires", "--dossier", str(FIXTURES / "decoupage"), stdout=io.StringIO()
    )
    liste = FIXTURES / "siae" / "liste_siae_asp_2019_07.csv"
    with liste.open(encoding="utf-8") as flux:
        ligne = flux.read().splitlines()[1]
    siret = next(champ for champ in ligne.split(";") if len(champ) == 14 and champ.isdigit())
    titulaire = TitulaireFactory(identifiant=siret)

    call_command("import_structures", str(liste), "--write", stdout=io.StringIO())

    titulaire.refresh_from_db()
    assert titulaire.structure == Structure.objects.get(siret=siret)
