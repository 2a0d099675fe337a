"""import_communes on INSEE's COG communes CSV: real excerpts of 2021 and 2022
(tests/fixtures/cog, see its README), the 2021 file as a spreadsheet re-saves it, and a
few rows written by hand in the same format for the errors the real files do not have.

Record by record: a bad row is reported (grouped by reason, with its line) and the
others are imported, unless --strict. Between 2021 and 2022, La Faute-sur-Mer (85307)
merged into L'Aiguillon-la-Presqu'île (85001): what was attached to it moves.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from axes.models import Engagement, Preuve, Signature
from commune.enums import TypeRattachement
from commune.models import Commune, CommuneRattachee, EluReferent, MembreCommune
from structures.enums import TypeSoutien
from structures.models import Soutien, Structure
from tests.axes.factories import (
    EngagementFactory,
    PreuveFactory,
    SignatureFactory,
    action_du_guide,
)
from tests.commune.factories import CommuneFactory, EluReferentFactory, MembreCommuneFactory
from tests.marches.factories import MarcheFactory
from tests.structures.factories import StructureFactory

TESTS = Path(__file__).resolve().parent.parent
DONNEES = TESTS / "data"
COG = TESTS / "fixtures" / "cog"
COG_2021 = COG / "commune2021.csv"
COG_2022 = COG / "commune2022.csv"
COG_2021_TABLEUR = COG / "commune2021_tableur.csv"
DECOUPAGE = TESTS / "fixtures" / "decoupage"
ENTETE = "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
RENNES = "COM,35238,53,35,35D,353,0,RENNES,Rennes,Rennes,3598,"
BRUZ = "COM,35047,53,35,35D,353,0,BRUZ,Bruz,Bruz,3504,"
FUSION = "La Faute-sur-Mer (85307) fusionnée dans L'Aiguillon-la-Presqu'île (85001)"

pytestmark = pytest.mark.django_db


def importer(fichier, *options):
    sortie = StringIO()
    call_command("import_communes", str(fichier), *options, stdout=sortie)
    return sortie.getvalue()


def fichier_cog(tmp_path, *lignes, entete=ENTETE):
    chemin = tmp_path / "communes.csv"
    chemin.write_text(entete + "".join(f"{ligne}\n" for ligne in lignes), encoding="utf-8")
    return chemin


def erreur_d_import(fichier, *options):
    with pytest.raises(CommandError) as erreur:
        importer(fichier, "--write", *options)
    return str(erreur.value)


def communes_en_base():
    return dict(Commune.objects.values_list("code_insee", "nom"))


def rattachees_en_base():
    return {
        (r.type, r.code): (r.nom, r.commune.code_insee)
        for r in CommuneRattachee.objects.select_related("commune")
    }


# --- The real 2021 file ---------------------------------------------------------------------


def test_write_creates_the_communes_of_the_real_2021_file():
    sortie = importer(COG_2021, "--write")

    assert "créées : 20" in sortie
    assert "Import terminé." in sortie
    assert "Lignes écartées" not in sortie
    assert Commune.objects.count() == 20
    rennes = Commune.objects.get(code_insee="35238")
    assert (rennes.nom, rennes.slug, rennes.departement.code) == ("Rennes", "rennes", "35")
    assert Commune.objects.get(code_insee="01001").nom == "L'Abergement-Clémenciat"
    assert Commune.objects.get(code_insee="2A004").departement.code == "2A"
    mamoudzou = Commune.objects.select_related("departement__region").get(code_insee="97611")
    assert (mamoudzou.departement.code, mamoudzou.departement.region.code) == ("976", "06")
    assert rennes.history.count() == 1


def test_comd_coma_and_arm_rows_become_names_of_their_commune():
    importer(COG_2021, "--write")

    assert rattachees_en_base() == {
        ("COMD", "01015"): ("Arbignieu", "01015"),
        ("COMD", "85008"): ("Aubigny", "85008"),
        ("ARM", "13201"): ("Marseille 1er Arrondissement", "13055"),
        ("ARM", "13216"): ("Marseille 16e Arrondissement", "13055"),
        ("ARM", "75101"): ("Paris 1er Arrondissement", "75056"),
        ("ARM", "75115"): ("Paris 15e Arrondissement", "75056"),
    }
    # Arrondissements and communes déléguées are not communes of their own.
    assert not Commune.objects.filter(code_insee__in=["13201", "13216", "75101", "75115"]).exists()


def test_a_coma_row_becomes_a_commune_associee(tmp_path):
    # Chaumeré, commune associée of Domloup (the official découpage lists it so).
    fichier = fichier_cog(
        tmp_path,
        "COM,35096,53,35,35D,351,0,DOMLOUP,Domloup,Domloup,3505,",
        "COMA,35074,,,,,0,CHAUMERE,Chaumere,Chaumeré,,35096",
    )

    sortie = importer(fichier, "--write")

    chaumere = CommuneRattachee.objects.get(code="35074")
    assert (chaumere.type, chaumere.nom) == (TypeRattachement.ASSOCIEE, "Chaumeré")
    assert chaumere.commune.code_insee == "35096"
    assert "(COMD, COMA, ARM) : 1 créées" in sortie


def test_dry_run_writes_nothing():
    sortie = importer(COG_2021)

    assert "Simulation, rien n'est écrit" in sortie
    assert "à créer : 20" in sortie
    assert "Import terminé." not in sortie
    assert not Commune.objects.exists()
    assert not CommuneRattachee.objects.exists()


def test_second_run_changes_nothing():
    importer(COG_2021, "--write")
    historique = Commune.history.count()
    rattachees = rattachees_en_base()

    sortie = importer(COG_2021, "--write")

    assert "créées : 0" in sortie
    assert "mises à jour : 0" in sortie
    assert "inchangées : 20" in sortie
    assert "(COMD, COMA, ARM) : 6 inchangées" in sortie
    assert Commune.history.count() == historique
    assert rattachees_en_base() == rattachees


def test_the_2022_file_agrees_with_the_official_decoupage_already_loaded():
    call_command("import_territoires", "--dossier", str(DECOUPAGE), stdout=StringIO())
    communes, rattachees = communes_en_base(), rattachees_en_base()

    sortie = importer(COG_2022, "--write")

    assert "créées : 0" in sortie
    assert "mises à jour : 0" in sortie
    assert "(COMD, COMA, ARM) : 8 inchangées" in sortie
    assert "Lignes écartées" not in sortie
    assert "Communes fusionnées" not in sortie
    assert communes_en_base() == communes
    assert rattachees_en_base() == rattachees


# --- The spreadsheet re-save ----------------------------------------------------------------


def test_the_spreadsheet_file_imports_with_its_codes_padded_back():
    sortie = importer(COG_2021_TABLEUR, "--write")

    assert "Lignes écartées" not in sortie
    assert "créées : 20" in sortie
    abergement = Commune.objects.select_related("departement").get(code_insee="01001")
    assert (abergement.nom, abergement.departement.code) == ("L'Abergement-Clémenciat", "01")
    assert Commune.objects.get(code_insee="2A004").departement.code == "2A"
    assert Commune.objects.get(code_insee="97611").departement.code == "976"
    assert not Commune.objects.filter(code_insee__in=["1001", "1002", "1004", "1015"]).exists()
    assert CommuneRattachee.objects.get(code="01015").commune.code_insee == "01015"


def test_the_spreadsheet_file_and_the_original_give_the_same_communes():
    importer(COG_2021_TABLEUR, "--write")
    communes, rattachees = communes_en_base(), rattachees_en_base()

    sortie = importer(COG_2021, "--write")

    assert "mises à jour : 0" in sortie
    assert "inchangées : 20" in sortie
    assert communes_en_base() == communes
    assert rattachees_en_base() == rattachees


# --- Bad rows -------------------------------------------------------------------------------


def test_a_bad_row_is_reported_with_its_line_and_the_others_are_imported():
    sortie = importer(DONNEES / "cog_communes_une_erreur.csv", "--write")

    assert "Lignes écartées (1), par raison :" in sortie
    assert "département inconnu : 1" in sortie
    assert "ligne 4 : département inconnu : « 99 »" in sortie
    assert "Import terminé." in sortie
    assert sorted(communes_en_base()) == ["35047", "35051", "35238"]


def test_bad_rows_are_grouped_by_reason(tmp_path):
    fichier = fichier_cog(
        tmp_path,
        RENNES,
        "COM,3A238,53,35,35D,353,0,X,X,X,3598,",
        "COM,35051,53,35,35D,353,0,CESSON SEVIGNE,Cesson-Sévigné,,3503,",
        "COM,35024,53,99,35D,353,0,BETTON,Betton,Betton,3503,",
        "COM,35055,53,98,35D,353,0,CHANTEPIE,Chantepie,Chantepie,3520,",
        BRUZ,
    )

    sortie = importer(fichier, "--write")

    lignes = sortie.splitlines()
    debut = lignes.index("Lignes écartées (4), par raison :")
    assert lignes[debut + 1] == "  département inconnu : 2"
    assert "ligne 3 : code INSEE invalide" in sortie
    assert "ligne 4 : nom de la commune (LIBELLE) vide" in sortie
    assert "ligne 5 : département inconnu : « 99 »" in sortie
    assert "ligne 6 : département inconnu : « 98 »" in sortie
    assert sorted(communes_en_base()) == ["35047", "35238"]


@pytest.mark.parametrize(
    ("ligne", "attendu"),
    [
        ("COM,35238,53,99,35D,353,0,X,X,Rennes,,", "ligne 3 : département inconnu : « 99 »"),
        (
            "COM,35238,52,35,35D,353,0,X,X,Rennes,,",
            "ligne 3 : région incohérente avec le département : « 52 » ; "
            "le département 35 est en région 53",
        ),
        ("COM,3A238,53,35,35D,353,0,X,X,Rennes,,", "ligne 3 : code INSEE invalide"),
        # A code that lost a digit is padded like a spreadsheet's, then found out of place.
        (
            "COM,3523,53,35,35D,353,0,X,X,Rennes,,",
            "ligne 3 : code INSEE hors de son département : 03523 et 35",
        ),
        (
            "COM,44109,53,35,35D,353,0,X,X,Nantes,,",
            "ligne 3 : code INSEE hors de son département : 44109 et 35",
        ),
        (
            "COM,97101,01,97,971D,9711,0,X,X,Les Abymes,,",
            "ligne 3 : département inconnu : « 97 »",
        ),
        (
            "XYZ,35238,53,35,35D,353,0,X,X,Rennes,,",
            "ligne 3 : type de commune inconnu (attendu : COM, COMA, COMD ou ARM) : « XYZ »",
        ),
        (
            "COMD,35052,,,,,0,CHAMPEAUX,Champeaux,Champeaux,,",
            "ligne 3 : commune de rattachement (COMPARENT) absente ou invalide",
        ),
        (
            "COMD,35052,,,,,0,CHAMPEAUX,Champeaux,Champeaux,,35999",
            "ligne 3 : commune de rattachement (COMPARENT) inconnue : 35999",
        ),
    ],
)
def test_bad_row_messages_and_the_good_row_still_imported(tmp_path, ligne, attendu):
    sortie = importer(fichier_cog(tmp_path, BRUZ, ligne), "--write")

    assert attendu in sortie
    assert "Lignes écartées (1)" in sortie
    assert communes_en_base() == {"35047": "Bruz"}


def test_duplicate_code_names_both_lines(tmp_path):
    fichier = fichier_cog(tmp_path, RENNES, BRUZ, RENNES)

    sortie = importer(fichier, "--write")

    assert "ligne 4 : code INSEE en double : 35238 (déjà ligne 2)" in sortie
    assert sorted(communes_en_base()) == ["35047", "35238"]


def test_strict_refuses_the_whole_file_and_writes_nothing():
    message = erreur_d_import(DONNEES / "cog_communes_une_erreur.csv", "--strict")

    assert "ligne 4 : département inconnu : « 99 »" in message
    assert "1 erreur(s) : aucune commune n'a été écrite." in message
    assert not Commune.objects.exists()


def test_strict_refuses_a_rattachee_of_an_unknown_commune_and_writes_nothing(tmp_path):
    fichier = fichier_cog(tmp_path, RENNES, "COMD,35052,,,,,0,CHAMPEAUX,Champeaux,Champeaux,,35999")

    message = erreur_d_import(fichier, "--strict")

    assert "ligne 3 : commune de rattachement (COMPARENT) inconnue : 35999" in message
    assert not Commune.objects.exists()


def test_strict_imports_a_clean_file():
    sortie = importer(COG_2021, "--write", "--strict")

    assert "Import terminé." in sortie
    assert Commune.objects.count() == 20


def test_missing_column_is_named_and_nothing_is_written(tmp_path):
    fichier = fichier_cog(
        tmp_path,
        "COM,35238,53,35,35D,353,0,RENNES,Rennes,3598,",
        entete="TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,CAN,COMPARENT\n",
    )

    assert "colonne obligatoire absente : LIBELLE" in erreur_d_import(fichier)
    assert not Commune.objects.exists()


def test_a_utf8_bom_is_accepted():
    importer(DONNEES / "cog_communes_bom.csv", "--write")

    assert sorted(communes_en_base()) == ["2A004", "35238"]


def test_a_spreadsheet_file_in_windows_1252_with_semicolons_is_read(tmp_path):
    # The real 2021 excerpt as a French spreadsheet on Windows saves it: zeros stripped
    # (the _tableur fixture), semicolons, Windows-1252.
    texte = COG_2021_TABLEUR.read_text(encoding="utf-8-sig")
    chemin = tmp_path / "communes.csv"
    chemin.write_bytes(texte.replace(",", ";").encode("cp1252"))

    sortie = importer(chemin, "--write")

    assert "Fichier lu en Windows-1252" in sortie
    assert Commune.objects.get(code_insee="01001").nom == "L'Abergement-Clémenciat"
    assert Commune.objects.get(code_insee="35051").nom == "Cesson-Sévigné"
    assert Commune.objects.get(code_insee="2A004").departement.code == "2A"


def test_a_file_in_no_known_encoding_is_refused(tmp_path):
    chemin = tmp_path / "communes.csv"
    chemin.write_bytes(ENTETE.encode() + b"COM,35051,53,35,35D,353,0,C,C,Cesson\x81,,\n")

    assert "ni en UTF-8 ni en Windows-1252" in erreur_d_import(chemin)
    assert not Commune.objects.exists()


def test_a_missing_file_is_named(tmp_path):
    assert f"Fichier introuvable : {tmp_path / 'absent.csv'}" in erreur_d_import(
        tmp_path / "absent.csv"
    )


def test_communes_absent_from_the_file_are_listed_and_left_alone(tmp_path):
    importer(COG_2021, "--write")

    sortie = importer(fichier_cog(tmp_path, RENNES, BRUZ), "--write")

    assert "Communes absentes du fichier, laissées telles quelles (18) :" in sortie
    absentes = next(ligne for ligne in sortie.splitlines() if "absentes" in ligne)
    assert "Marseille (13055)" in absentes
    assert "Rennes (35238)" not in absentes
    assert "autres" not in absentes  # 18 communes: all named
    assert Commune.objects.actuelles().count() == 20


# --- Renames --------------------------------------------------------------------------------


def test_a_renamed_commune_is_updated_and_keeps_its_other_data(tmp_path):
    ancienne = CommuneFactory(code_insee="35238", nom="Renne", population=225_000)
    fichier = fichier_cog(tmp_path, RENNES, BRUZ)

    sortie = importer(fichier, "--write")

    assert "créées : 1" in sortie
    assert "mises à jour : 1" in sortie
    rennes = Commune.objects.get(code_insee="35238")
    assert rennes.pk == ancienne.pk
    assert (rennes.nom, rennes.slug) == ("Rennes", "rennes")
    assert (rennes.population, rennes.epci_id) == (225_000, ancienne.epci_id)
    assert rennes.history.first().nom == "Rennes"


def test_an_unchanged_commune_is_not_counted_as_updated(tmp_path):
    CommuneFactory(code_insee="35238", nom="Rennes")
    fichier = fichier_cog(tmp_path, RENNES)

    assert "à mettre à jour : 0" in importer(fichier)


def test_a_renamed_commune_shows_at_once_on_its_kept_scorecard(
    tmp_path, client, guide, django_capture_on_commit_callbacks
):
    commune = CommuneFactory(code_insee="35238", nom="Renne")
    assert "Renne" in client.get(commune.get_absolute_url()).content.decode()
    fichier = fichier_cog(tmp_path, RENNES)
    with django_capture_on_commit_callbacks(execute=True):
        importer(fichier, "--write")
    assert "<h1>Rennes" in client.get(commune.get_absolute_url()).content.decode()


# --- 2021 then 2022: La Faute-sur-Mer merges into L'Aiguillon-la-Presqu'île ----------------


@pytest.fixture
def communes_2021():
    importer(COG_2021, "--write")
    return Commune.objects.get(code_insee="85307"), Commune.objects.get(code_insee="85001")


def soutien(commune, structure):
    return Soutien.objects.create(
        commune=commune, structure=structure, type=TypeSoutien.SUBVENTION, annee=2021
    )


def test_importing_2022_after_2021_merges_la_faute_sur_mer(communes_2021):
    faute, aiguillon = communes_2021

    sortie = importer(COG_2022, "--write")

    faute.refresh_from_db()
    aiguillon.refresh_from_db()
    assert faute.fusionnee_dans_id == aiguillon.pk
    assert faute.fusionnee_le is not None
    assert aiguillon.nom == "L'Aiguillon-la-Presqu'île"
    assert aiguillon.est_actuelle
    assert "Communes fusionnées (1) :" in sortie
    assert f"{FUSION} : rien à déplacer" in sortie
    assert "mises à jour : 1" in sortie  # the rename of 85001
    assert CommuneRattachee.objects.get(type="COMD", code="85307").commune == aiguillon
    assert CommuneRattachee.objects.get(type="COMD", code="85001").commune == aiguillon
    assert Commune.actuelle_pour_le_code("85307") == aiguillon
    assert not Commune.objects.actuelles().filter(code_insee="85307").exists()


def test_what_was_attached_to_the_merged_commune_moves_to_its_new_commune(communes_2021, guide):
    faute, aiguillon = communes_2021
    signature = SignatureFactory(commune=faute)
    engagement = EngagementFactory(commune=faute, action=action_du_guide("1.1"))
    preuve = PreuveFactory(engagement=engagement)
    autre_engagement = EngagementFactory(commune=faute, action=action_du_guide("2.1"))
    membre = MembreCommuneFactory(commune=faute)
    elu = EluReferentFactory(commune=faute)
    implantee = StructureFactory(commune=faute)
    intervenante = StructureFactory()
    intervenante.zones_communes.add(faute)
    aide = soutien(faute, intervenante)
    marche = MarcheFactory(commune=faute, acheteur_siret="21850307500017")

    sortie = importer(COG_2022, "--write")

    for ligne in (signature, engagement, autre_engagement, membre, elu, implantee, aide, marche):
        ligne.refresh_from_db()
        assert ligne.commune_id == aiguillon.pk, ligne
    assert Preuve.objects.get(pk=preuve.pk).engagement.commune_id == aiguillon.pk
    assert list(intervenante.zones_communes.all()) == [aiguillon]
    assert "à reprendre" not in sortie
    resume = next(ligne for ligne in sortie.splitlines() if FUSION in ligne)
    assert "2 engagements" in resume
    assert "1 marchés publics" in resume
    faute.refresh_from_db()
    assert faute.fusionnee_dans_id == aiguillon.pk
    assert not faute.engagements.exists()
    assert not Structure.objects.filter(zones_communes=faute).exists()


def test_rows_whose_twin_the_new_commune_holds_stay_and_are_listed(communes_2021, guide):
    faute, aiguillon = communes_2021
    SignatureFactory(commune=aiguillon)
    EluReferentFactory(commune=aiguillon, nom="Élue d'Aiguillon")
    EngagementFactory(commune=aiguillon, action=action_du_guide("1.1"))
    membre_aiguillon = MembreCommuneFactory(commune=aiguillon)
    signature = SignatureFactory(commune=faute)
    elu = EluReferentFactory(commune=faute, nom="Élu de La Faute")
    engagement = EngagementFactory(commune=faute, action=action_du_guide("1.1"))
    preuve = PreuveFactory(engagement=engagement)
    sans_jumeau = EngagementFactory(commune=faute, action=action_du_guide("2.1"))
    meme_personne = MembreCommuneFactory(commune=faute, user=membre_aiguillon.user)
    autre_membre = MembreCommuneFactory(commune=faute)

    sortie = importer(COG_2022, "--write")

    resume = next(ligne for ligne in sortie.splitlines() if FUSION in ligne)
    assert "4 à reprendre par l'équipe" in resume
    assert f"signature « {signature} »" in resume
    assert f"élu référent ESS/IAE « {elu} » : L'Aiguillon-la-Presqu'île a déjà le sien" in resume
    assert f"engagement « {engagement} »" in resume
    assert f"membre d'une commune « {meme_personne} »" in resume
    # Those stay on the merged commune, with the evidence of the engagement…
    assert Signature.objects.get(pk=signature.pk).commune_id == faute.pk
    assert EluReferent.objects.get(pk=elu.pk).commune_id == faute.pk
    assert Engagement.objects.get(pk=engagement.pk).commune_id == faute.pk
    assert Preuve.objects.get(pk=preuve.pk).engagement_id == engagement.pk
    assert MembreCommune.objects.get(pk=meme_personne.pk).commune_id == faute.pk
    # …the new commune keeps its own, and what had no twin moves.
    assert aiguillon.elu_referent.nom == "Élue d'Aiguillon"
    assert Engagement.objects.get(pk=sans_jumeau.pk).commune_id == aiguillon.pk
    assert MembreCommune.objects.get(pk=autre_membre.pk).commune_id == aiguillon.pk
    assert Commune.objects.get(pk=faute.pk).fusionnee_dans_id == aiguillon.pk


def test_a_second_2022_import_changes_nothing(communes_2021, guide):
    faute, aiguillon = communes_2021
    EngagementFactory(commune=faute)
    importer(COG_2022, "--write")
    historique = Commune.history.count()
    fusionnee = Commune.objects.get(pk=faute.pk)

    sortie = importer(COG_2022, "--write")

    assert "créées : 0" in sortie
    assert "mises à jour : 0" in sortie
    assert "inchangées : 19" in sortie
    assert "(COMD, COMA, ARM) : 8 inchangées" in sortie
    assert "Communes fusionnées" not in sortie
    assert "Communes absentes" not in sortie
    assert Commune.history.count() == historique
    apres = Commune.objects.get(pk=faute.pk)
    assert (apres.fusionnee_dans_id, apres.fusionnee_le, apres.updated_at) == (
        fusionnee.fusionnee_dans_id,
        fusionnee.fusionnee_le,
        fusionnee.updated_at,
    )
    assert aiguillon.engagements.count() == 1


def test_a_dry_run_of_2022_merges_nothing(communes_2021, guide):
    faute, _ = communes_2021
    engagement = EngagementFactory(commune=faute)

    sortie = importer(COG_2022)

    assert "Simulation" in sortie
    assert FUSION in sortie  # said, not done
    faute.refresh_from_db()
    engagement.refresh_from_db()
    assert faute.est_actuelle
    assert engagement.commune_id == faute.pk
    assert Commune.objects.get(code_insee="85001").nom == "L'Aiguillon-sur-Mer"
    assert not CommuneRattachee.objects.filter(code="85307").exists()


def test_the_merged_commune_scorecard_leads_to_the_new_one(
    communes_2021, client, guide, django_capture_on_commit_callbacks
):
    faute, aiguillon = communes_2021
    assert client.get("/communes/85307/").status_code == 200  # kept for anonymous visitors

    with django_capture_on_commit_callbacks(execute=True):
        importer(COG_2022, "--write")

    reponse = client.get("/communes/85307/")
    assert reponse.status_code == 301
    assert reponse["Location"] == "/communes/85001/"


def test_the_summary_as_json_for_a_script(tmp_path):
    fichier = fichier_cog(tmp_path, RENNES, "COM,35051,53,35,35D,353,0,X,X,,3504,")
    sortie = StringIO()
    call_command("import_communes", str(fichier), "--write", "--format", "json", stdout=sortie)

    resume = json.loads(sortie.getvalue())

    assert (resume["ecrit"], resume["creees"], resume["encodage"]) == (True, 1, "UTF-8")
    assert list(resume["rejetees"].values()) == [1]
    assert resume["erreurs"] == ["ligne 3 : nom de la commune (LIBELLE) vide"]
