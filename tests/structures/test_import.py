"""`manage.py import_structures`: the national open-data list of structures."""

import io

import pytest
from django.core.management import CommandError, call_command

from commune.models import Departement
from structures.models import Structure, TypeStructure
from structures.services import RAISON_IMPORT, structures_importer
from tests.commune.factories import CommuneFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

ENTETE = "siret,kind,name,brand,address,post code,city,département,email,phone,website,extra\n"
LIGNES = (
    "93500001800017,ACI,Jardins solidaires,Les Jardins,12 chemin des Prairies,35200,Rennes,35,"
    "contact@jardins.test,02 99 00 00 00,jardins.test,ignorée\n"
    "93500002600010,AI,Vilaine Emploi Services,,4 rue de l'Alma,35000,Saint-Malo,35,,,,\n"
)


@pytest.fixture
def communes():
    return {
        "rennes": CommuneFactory(code_insee="35238", nom="Rennes"),
        "saint-malo": CommuneFactory(code_insee="35288", nom="Saint-Malo"),
    }


def ecrire(tmp_path, contenu, nom="structures.csv", encodage="utf-8"):
    chemin = tmp_path / nom
    chemin.write_text(contenu, encoding=encodage)
    return chemin


def importer(chemin, *options):
    sortie = io.StringIO()
    call_command("import_structures", str(chemin), *options, stdout=sortie)
    return sortie.getvalue()


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path, communes):
    sortie = importer(ecrire(tmp_path, ENTETE + LIGNES))
    assert "Simulation, rien n'est écrit" in sortie
    assert "à créer : 2" in sortie and "rejetées : 0" in sortie
    assert not Structure.objects.exists()


def test_writing_creates_unverified_structures_with_their_commune(tmp_path, communes):
    sortie = importer(ecrire(tmp_path, ENTETE + LIGNES), "--write")
    assert "créées : 2" in sortie and "Import terminé." in sortie
    jardins = Structure.objects.get(siret="93500001800017")
    assert (jardins.nom, jardins.enseigne, jardins.type.code) == (
        "Jardins solidaires",
        "Les Jardins",
        "ACI",
    )
    assert jardins.commune == communes["rennes"]
    assert jardins.site_web == "https://jardins.test"
    assert jardins.telephone == "02 99 00 00 00"
    assert not jardins.verifiee and not jardins.email_public
    assert Structure.objects.get(siret="93500002600010").commune == communes["saint-malo"]
    historique = jardins.history.get()
    assert historique.history_change_reason == RAISON_IMPORT


def test_verified_marks_them_verified(tmp_path, communes):
    importer(ecrire(tmp_path, ENTETE + LIGNES), "--write", "--verified")
    assert Structure.objects.filter(verifiee=True).count() == 2


def test_a_second_run_changes_nothing_then_an_edit_updates(tmp_path, communes):
    chemin = ecrire(tmp_path, ENTETE + LIGNES)
    importer(chemin, "--write")
    historique = Structure.history.count()
    sortie = importer(chemin, "--write")
    assert "créées : 0" in sortie and "mises à jour : 0" in sortie and "inchangées : 2" in sortie
    assert Structure.history.count() == historique

    chemin = ecrire(tmp_path, ENTETE + LIGNES.replace("Les Jardins", "Jardins du Sud"))
    sortie = importer(chemin, "--write")
    assert "mises à jour : 1" in sortie and "inchangées : 1" in sortie
    jardins = Structure.objects.get(siret="93500001800017")
    assert jardins.enseigne == "Jardins du Sud"
    assert jardins.version == 2, "a profile form opened before the import sees a conflict"
    assert Structure.history.count() == historique + 1


def test_bad_rows_are_rejected_with_their_line_and_reason(tmp_path, communes):
    StructureFactory(siret="93500004200017", type=TypeStructure.objects.get(code="EI"))
    contenu = (
        ENTETE
        + LIGNES
        + (
            "93500001800018,ACI,Mauvaise clé,,,,,,,,,\n"
            "9350000180001,ACI,Trop court,,,,,,,,,\n"
            "93500003400014,XYZ,Type inconnu,,,,,,,,,\n"
            "93500005900011,ETTI,Département inconnu,,,,Nulle part,99,,,,\n"
            "93500004200017,ACI,Autre type,,,,,,,,,\n"
            "93500001800017,ACI,Doublon,,,,,,,,,\n"
            "93500006700014,EA,Mauvais e-mail,,,3500,,,pas-une-adresse,,,\n"
        )
    )
    sortie = importer(ecrire(tmp_path, contenu), "--write")
    assert "ligne 4 : Ce SIRET n'est pas valide : la clé de contrôle" in sortie
    assert "ligne 5 : Un SIRET compte 14 chiffres" in sortie
    assert "ligne 6 : type « XYZ » inconnu (attendu : " in sortie
    assert "ligne 7 : département « 99 » inconnu" in sortie
    assert "ligne 10 : code postal « 3500 » invalide (5 chiffres)" in sortie
    assert "ligne 10 : adresse e-mail « pas-une-adresse » invalide" in sortie
    assert "rejetées : 5" in sortie and "créées : 2" in sortie
    # Not rejected: a known SIRET listed with another kind keeps both kinds…
    assert "mises à jour : 1" in sortie and "autres types ajoutés : 1" in sortie
    autre = Structure.objects.get(siret="93500004200017")
    assert [t.code for t in autre.types()] == ["EI", "ACI"]
    # …and a SIRET listed twice with one kind is one structure, counted as a duplicate.
    assert "en double (même SIRET, même type) : 1" in sortie
    assert "ligne 9 : SIRET 93500001800017 déjà lu ligne 2 avec le type ACI" in sortie
    assert Structure.objects.count() == 3


def test_french_headers_semicolons_and_a_bom_are_accepted(tmp_path, communes):
    contenu = (
        "\ufeffSIRET;Type;Nom;Enseigne;Adresse;Code postal;Ville;Departement;Email;Téléphone;"
        "Site web\n93500001800017;aci;Jardins solidaires;;;35200;RENNES;35;;;\n"
    )
    importer(ecrire(tmp_path, contenu), "--write")
    structure = Structure.objects.get()
    assert structure.type.code == "ACI" and structure.commune == communes["rennes"]


def test_an_ambiguous_or_unplaced_city_leaves_the_commune_empty(tmp_path, communes):
    CommuneFactory(code_insee="35999", nom="Rennes")  # two Rennes in the département
    contenu = ENTETE + (
        "93500001800017,ACI,Ambiguë,,,,Rennes,35,,,,\n"
        "93500002600010,AI,Sans département,,,,Saint-Malo,,,,,\n"
    )
    importer(ecrire(tmp_path, contenu), "--write")
    assert not Structure.objects.filter(commune__isnull=False).exists()


def test_a_missing_required_column_stops_everything(tmp_path):
    with pytest.raises(CommandError) as erreur:
        importer(ecrire(tmp_path, "siret,name\n93500001800017,X\n"), "--write")
    assert "colonne obligatoire absente : type" in str(erreur.value)
    assert not Structure.objects.exists()


def test_a_file_not_in_utf8_is_refused(tmp_path):
    chemin = ecrire(tmp_path, ENTETE + "93500001800017,ACI,Crèche,,,,,,,,,\n", encodage="latin-1")
    with pytest.raises(CommandError, match="n'est pas encodé en UTF-8"):
        importer(chemin)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        importer(tmp_path / "absent.csv")


def test_the_import_uses_bulk_queries(tmp_path, communes, django_assert_max_num_queries):
    lignes = "".join(
        f"{siret},ACI,Structure {n},,,,Rennes,35,,,,\n"
        for n, siret in enumerate(
            ["93500001800017", "93500002600010", "93500003400014", "93500004200017"]
        )
    )
    chemin = ecrire(tmp_path, ENTETE + lignes)
    with (
        open(chemin, encoding="utf-8-sig", newline="") as flux,
        django_assert_max_num_queries(12),
    ):
        rapport = structures_importer(fichier=flux, ecrire=True)
    assert rapport.creees == 4


def test_a_departement_code_of_one_digit_is_padded(tmp_path):
    CommuneFactory(
        code_insee="01053", nom="Bourg-en-Bresse", departement=Departement.objects.get(code="01")
    )
    contenu = ENTETE + "93500001800017,ACI,Dans l'Ain,,,,Bourg-en-Bresse,1,,,,\n"
    importer(ecrire(tmp_path, contenu), "--write")
    assert Structure.objects.get().commune.code_insee == "01053"


def test_an_import_update_does_not_show_the_sectors_as_removed_in_the_history(
    client, tmp_path, communes
):
    from django.urls import reverse

    from structures.models import Secteur
    from tests.structures.factories import MembreStructureFactory

    structure = StructureFactory(siret="93500001800017", nom="Ancien nom")
    structure.secteurs.add(Secteur.objects.get(slug="maraichage"))
    importer(ecrire(tmp_path, ENTETE + LIGNES), "--write")
    assert Structure.objects.get(pk=structure.pk).nom == "Jardins solidaires"
    membre = MembreStructureFactory(structure=structure)
    client.force_login(membre.user)
    contenu = client.get(
        reverse("espace:structures_espace:tableau_de_bord", args=[structure.siret])
    ).content.decode()
    assert "Import de la liste nationale des structures" in contenu
    assert "Raison sociale" in contenu
    assert "Maraîchage biologique" in contenu  # added before the import
    assert "− Maraîchage" not in contenu
