"""`manage.py import_structures` on the official lists as published: the ASP's list of SIAE
and the list of the GEIQ (excerpts in tests/fixtures/siae, see its README), after the
real territories of tests/fixtures/decoupage."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from structures.lieux import code_departement, nom_normalise
from structures.models import Structure, TypeStructure
from structures.services import profil_enregistrer
from tests.structures.factories import MembreStructureFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ASP = FIXTURES / "siae" / "liste_siae_asp_2019_07.csv"
GEIQ = FIXTURES / "siae" / "liste_geiq_2019_11_21.csv"


@pytest.fixture
def territoires():
    call_command(
        "import_territoires", "--dossier", str(FIXTURES / "decoupage"), stdout=io.StringIO()
    )


def importer(chemin, *options):
    sortie = io.StringIO()
    call_command("import_structures", str(chemin), *options, stdout=sortie)
    return sortie.getvalue()


def lignes_asp():
    with ASP.open(encoding="utf-8", newline="") as flux:
        return list(csv.DictReader(flux, delimiter=";"))


def commune_de(siret):
    return Structure.objects.select_related("commune").get(siret=siret).commune.code_insee


def test_the_asp_list_keeps_every_kind_of_a_siret(territoires):
    sortie = importer(ASP, "--write")
    lignes = lignes_asp()
    assert "Fichier lu : liste des SIAE de l'ASP, 88 lignes." in sortie
    assert "rejetées : 0" in sortie
    assert Structure.objects.count() == len({ligne["SIRET"] for ligne in lignes})
    # Every (SIRET, kind) of the file is a kind of its structure.
    for ligne in lignes:
        structure = Structure.objects.get(siret=ligne["SIRET"])
        assert ligne["MESURE"] in [t.code for t in structure.types()]
    # Retiers: listed as AI, then as ACI: one structure, one public address, both kinds.
    retiers = Structure.objects.get(siret="34061224100034")
    assert [t.code for t in retiers.types()] == ["AI", "ACI"]
    # Le Chenelet: listed twice as ACI (followed by two départements): a duplicate.
    assert "en double (même SIRET, même type) : 2" in sortie
    assert "SIRET 41141502900056 déjà lu ligne 6 avec le type ACI" in sortie


def test_the_asp_list_finds_communes_by_postcode_and_name(territoires):
    importer(ASP, "--write")
    assert commune_de("34324509800052") == "35288"  # ST MALO
    assert commune_de("43003478500013") == "35251"  # ST AUBIN D AUBIGNE
    assert commune_de("33968832700032") == "35210"  # PACE
    assert commune_de("41071771400035") == "01004"  # AMBERIEU EN BUGEY, département 001
    assert commune_de("38275478600012") == "97502"  # ST PIERRE, département 975
    # Municipal arrondissements lead to their commune.
    codes = {
        ligne["COMMUNE"].split()[0]: commune_de(ligne["SIRET"])
        for ligne in lignes_asp()
        if ligne["COMMUNE"].startswith(("MARSEILLE ", "PARIS ", "LYON "))
    }
    assert codes == {"MARSEILLE": "13055", "PARIS": "75056", "LYON": "69123"}
    # Every line placed in a commune of the excerpt of the territories finds it.
    with (FIXTURES / "decoupage" / "communes.json").open(encoding="utf-8") as flux:
        codes_postaux = {
            code for commune in json.load(flux) for code in commune.get("codesPostaux", [])
        }
    lignes = [ligne for ligne in lignes_asp() if ligne["CODE_POSTAL"] in codes_postaux]
    assert len(lignes) == 77
    sans = set(Structure.objects.filter(commune__isnull=True).values_list("siret", flat=True))
    assert [ligne["COMMUNE"] for ligne in lignes if ligne["SIRET"] in sans] == []


def test_names_are_compared_as_files_write_them():
    assert nom_normalise("STE LUCE SUR LOIRE") == nom_normalise("Sainte-Luce-sur-Loire")
    assert nom_normalise("ST AUBIN D AUBIGNE") == nom_normalise("Saint-Aubin-d'Aubigné")
    assert nom_normalise("SAINT MALO CEDEX") == nom_normalise("Saint-Malo")
    assert nom_normalise("MONTPELLIER Cedex 4") == "MONTPELLIER"
    assert nom_normalise("WOERTH") == nom_normalise("Wœrth")
    assert nom_normalise("MARSEILLE 16") == "MARSEILLE"
    assert nom_normalise("Marseille 16e Arrondissement") == "MARSEILLE"
    assert nom_normalise("Paris 1er Arrondissement") == "PARIS"


def test_departements_on_three_characters_are_read():
    assert [code_departement(c) for c in ("001", "02A", "59L", "59V", "975", "1", "35")] == [
        "01",
        "2A",
        "59",
        "59",
        "975",
        "01",
        "35",
    ]


def test_a_commune_deleguee_leads_to_its_commune(territoires, tmp_path):
    chemin = tmp_path / "structures.csv"
    chemin.write_text(
        "siret,kind,name,post code,city,code_insee\n"
        "93500001800017,ACI,Par le nom,35460,BAILLE,\n"
        "93500002600010,AI,Par le code,,,35011\n",
        encoding="utf-8",
    )
    importer(chemin, "--write")
    assert commune_de("93500001800017") == "35292"
    assert commune_de("93500002600010") == "35292"


def test_the_geiq_list_needs_its_kind_and_rejects_a_bad_siret_key(territoires):
    with pytest.raises(CommandError, match="--type GEIQ"):
        importer(GEIQ, "--write")
    assert not Structure.objects.exists()

    sortie = importer(GEIQ, "--write", "--type", "GEIQ")
    assert "Fichier lu : liste des GEIQ, 11 lignes." in sortie
    assert "SIRET invalide (clé de contrôle) : 1" in sortie
    assert "ligne 6 : Ce SIRET n'est pas valide" in sortie and "40014944900022" in sortie
    assert "créées : 10" in sortie and "rejetées : 1" in sortie
    assert set(Structure.objects.values_list("type__code", flat=True)) == {"GEIQ"}
    assert commune_de("45330458600044") == "35288"  # SAINT MALO CEDEX, 35409
    assert commune_de("41463847800050") == "2B033"  # BASTIA
    assert commune_de("81163530900016") == "75056"  # PARIS 75017
    # A SIRET with a tab in front, in quotes, is read.
    assert Structure.objects.filter(siret="84302481100013").exists()
    saint_malo = Structure.objects.get(siret="45330458600044")
    assert saint_malo.adresse == "12 bis, place du Manoir, BP 40946"


def test_strict_refuses_the_whole_file_and_says_so(territoires):
    with pytest.raises(CommandError, match="--strict : 1 ligne"):
        importer(GEIQ, "--write", "--type", "GEIQ", "--strict")
    assert not Structure.objects.exists()


def test_a_second_import_creates_and_updates_nothing(territoires):
    importer(ASP, "--write")
    historique = Structure.history.count()
    sortie = importer(ASP, "--write")
    assert "créées : 0" in sortie and "mises à jour : 0" in sortie
    assert f"inchangées : {Structure.objects.count()}" in sortie
    assert "autres types ajoutés : 0" in sortie
    assert Structure.history.count() == historique


def test_what_the_structure_edited_is_never_overwritten(territoires):
    importer(ASP, "--write")
    structure = Structure.objects.get(siret="34324509800052")
    membre = MembreStructureFactory(structure=structure)
    profil_enregistrer(
        structure=structure,
        valeurs={"nom": "Nom choisi par la structure", "telephone": "02 99 00 00 00"},
        relations={},
        by=membre.user,
    )
    sortie = importer(ASP, "--write")
    structure.refresh_from_db()
    assert structure.nom == "Nom choisi par la structure"
    assert structure.telephone == "02 99 00 00 00"
    assert "mises à jour : 0" in sortie
    assert "champs modifiés par une personne, laissés tels quels : 2" in sortie


def test_the_summary_in_json(territoires):
    sortie = importer(GEIQ, "--type", "GEIQ", "--format", "json")
    resume = json.loads(sortie)
    assert resume["format"] == "liste des GEIQ"
    assert (resume["ecrit"], resume["lues"], resume["creees"]) == (False, 11, 10)
    motif = resume["rejetees"]["par_motif"]["SIRET invalide (clé de contrôle)"]
    assert motif["nombre"] == 1 and motif["exemples"][0].startswith("ligne 6 : ")
    assert resume["sans_commune"]["nombre"] == 4  # outside the excerpt of the territories
    assert not Structure.objects.exists()


def test_every_kind_shows_on_the_page_and_in_the_directory(client, territoires):
    importer(ASP, "--write", "--verified")
    retiers = Structure.objects.get(siret="34061224100034")
    page = client.get(retiers.get_absolute_url()).content.decode()
    assert "Association intermédiaire (AI), Atelier et chantier d&#x27;insertion (ACI)" in page
    # Found under its other kind too.
    assert TypeStructure.objects.get(code="ACI").structures_autres_types.filter(pk=retiers.pk)
    aci = client.get(reverse("structures:liste"), {"type": "ACI"}).content.decode()
    assert retiers.get_absolute_url() in aci
    ei = client.get(reverse("structures:liste"), {"type": "EI"}).content.decode()
    assert retiers.get_absolute_url() not in ei
