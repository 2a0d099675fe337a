from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commune.models import Commune
from tests.commune.factories import CommuneFactory

DONNEES = Path(__file__).resolve().parent.parent / "data"
ENTETE = "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"


pytestmark = pytest.mark.django_db


def importer(fichier, *options):
    sortie = StringIO()
    call_command("import_communes", str(fichier), *options, stdout=sortie)
    return sortie.getvalue()


def fichier_cog(tmp_path, *lignes, entete=ENTETE):
    chemin = tmp_path / "communes.csv"
    chemin.write_text(entete + "".join(f"{ligne}\n" for ligne in lignes), encoding="utf-8")
    return chemin


def erreur_d_import(fichier):
    with pytest.raises(CommandError) as erreur:
        importer(fichier, "--write")
    return str(erreur.value)


def test_a_bad_row_blocks_the_whole_file_even_with_write():
    message = erreur_d_import(DONNEES / "cog_communes_une_erreur.csv")

    assert "ligne 4 : département « 99 » inconnu" in message
    assert "ligne 2" not in message
    assert not Commune.objects.exists()


def test_every_bad_row_is_reported(tmp_path):
    fichier = fichier_cog(
        tmp_path,
        "COM,35238,53,35,35D,352,0,RENNES,Rennes,Rennes,3599,",
        "COM,3523,53,35,35D,352,0,X,X,X,3599,",
        "COM,35051,53,35,35D,352,0,CESSON,Cesson,,3504,",
    )

    message = erreur_d_import(fichier)

    assert "ligne 3 : code INSEE « 3523 » invalide" in message
    assert "ligne 4 : nom de la commune (LIBELLE) vide" in message


def test_write_creates_the_communes_and_skips_other_kinds():
    sortie = importer(DONNEES / "cog_communes_valides.csv", "--write")

    assert "créées : 3" in sortie
    assert "ignorées (COMA, COMD, ARM) : 2" in sortie
    rennes = Commune.objects.get(code_insee="35238")
    assert (rennes.nom, rennes.slug, rennes.departement.code) == ("Rennes", "rennes", "35")
    assert Commune.objects.get(code_insee="2A004").departement.code == "2A"
    assert Commune.objects.get(code_insee="97101").nom == "Les Abymes"
    assert not Commune.objects.filter(code_insee__in=["35052", "75101"]).exists()
    assert rennes.history.count() == 1


def test_dry_run_writes_nothing():
    sortie = importer(DONNEES / "cog_communes_valides.csv")

    assert "Simulation" in sortie
    assert "à créer : 3" in sortie
    assert not Commune.objects.exists()


def test_second_run_changes_nothing():
    importer(DONNEES / "cog_communes_valides.csv", "--write")
    historique = Commune.history.count()

    sortie = importer(DONNEES / "cog_communes_valides.csv", "--write")

    assert "créées : 0" in sortie
    assert "mises à jour : 0" in sortie
    assert "inchangées : 3" in sortie
    assert Commune.history.count() == historique


def test_a_renamed_commune_is_updated_and_keeps_its_other_data(tmp_path):
    ancienne = CommuneFactory(code_insee="35238", nom="Renne", population=225_000)
    fichier = fichier_cog(
        tmp_path,
        "COM,35238,53,35,35D,352,0,RENNES,Rennes,Rennes,3599,",
        "COM,35051,53,35,35D,352,0,CESSON SEVIGNE,Cesson-Sévigné,Cesson-Sévigné,3504,",
    )

    sortie = importer(fichier, "--write")

    assert "créées : 1" in sortie
    assert "mises à jour : 1" in sortie
    rennes = Commune.objects.get(code_insee="35238")
    assert (rennes.nom, rennes.slug) == ("Rennes", "rennes")
    assert (rennes.population, rennes.epci_id) == (225_000, ancienne.epci_id)
    assert rennes.history.first().nom == "Rennes"


def test_an_unchanged_commune_is_not_counted_as_updated(tmp_path):
    CommuneFactory(code_insee="35238", nom="Rennes")
    fichier = fichier_cog(tmp_path, "COM,35238,53,35,35D,352,0,RENNES,Rennes,Rennes,3599,")

    assert "à mettre à jour : 0" in importer(fichier)


def test_a_utf8_bom_is_accepted():
    importer(DONNEES / "cog_communes_bom.csv", "--write")

    assert Commune.objects.filter(code_insee="35238").exists()


@pytest.mark.parametrize(
    ("ligne", "attendu"),
    [
        ("COM,35238,53,99,35D,352,0,X,X,Rennes,,", "ligne 2 : département « 99 » inconnu"),
        (
            "COM,35238,52,35,35D,352,0,X,X,Rennes,,",
            "ligne 2 : région « 52 » incohérente : le département 35 est en région 53",
        ),
        ("COM,3A238,53,35,35D,352,0,X,X,Rennes,,", "ligne 2 : code INSEE « 3A238 » invalide"),
        (
            "COM,44109,53,35,35D,352,0,X,X,Nantes,,",
            "ligne 2 : le code INSEE 44109 n'appartient pas au département 35",
        ),
        (
            "COM,97101,01,97,35D,352,0,X,X,Les Abymes,,",
            "ligne 2 : département « 97 » inconnu",
        ),
        ("XYZ,35238,53,35,35D,352,0,X,X,Rennes,,", "ligne 2 : type de commune « XYZ » inconnu"),
    ],
)
def test_bad_row_messages(tmp_path, ligne, attendu):
    assert attendu in erreur_d_import(fichier_cog(tmp_path, ligne))


def test_duplicate_code_names_both_lines(tmp_path):
    fichier = fichier_cog(
        tmp_path,
        "COM,35238,53,35,35D,352,0,RENNES,Rennes,Rennes,3599,",
        "COM,35238,53,35,35D,352,0,RENNES,Rennes,Rennes,3599,",
    )

    assert "ligne 3 : code INSEE 35238 en double (déjà présent ligne 2)" in erreur_d_import(fichier)


def test_missing_column_is_named(tmp_path):
    fichier = fichier_cog(
        tmp_path,
        "COM,35238,53,35,35D,352,0,RENNES,Rennes,3599,",
        entete="TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,CAN,COMPARENT\n",
    )

    assert "colonne obligatoire absente : LIBELLE" in erreur_d_import(fichier)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    chemin = tmp_path / "communes.csv"
    chemin.write_bytes(
        (ENTETE + "COM,35051,53,35,35D,352,0,C,C,Cesson-Sévigné,,\n").encode("latin-1")
    )

    assert "UTF-8" in erreur_d_import(chemin)
    assert not Commune.objects.exists()


def test_a_renamed_commune_shows_at_once_on_its_kept_scorecard(
    tmp_path, client, guide, django_capture_on_commit_callbacks
):
    commune = CommuneFactory(code_insee="35238", nom="Renne")
    assert "Renne" in client.get(commune.get_absolute_url()).content.decode()
    fichier = fichier_cog(tmp_path, "COM,35238,53,35,35D,352,0,RENNES,Rennes,Rennes,3599,")
    with django_capture_on_commit_callbacks(execute=True):
        importer(fichier, "--write")
    assert "<h1>Rennes" in client.get(commune.get_absolute_url()).content.decode()
