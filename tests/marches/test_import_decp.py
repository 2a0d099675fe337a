"""The DECP import: the shapes of the files, buyers matched or counted apart,
modifications, idempotence, dry run, record by record and strict mode, incomplete
contracts, streaming, history; the command and the staff page. The real files are in
test_import_decp_reels.py."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marches.decp import RAISON_IMPORT_DECP, decp_importer, lecture, rapport
from marches.models import Marche, Titulaire
from tests.commune.factories import CommuneFactory, EPCIFactory
from tests.marches.conftest import SIRET_MAIRIE_RENNES, etat_des_marches
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

DONNEES = Path(__file__).resolve().parent.parent / "data"
SIRET_SIAE = "90000000009010"


@pytest.fixture
def acheteurs(db):
    """Rennes (its mairie's SIRET), Rennes Métropole (its SIREN) and a SIAE."""
    epci = EPCIFactory(siren="243500139", nom="Rennes Métropole", nature="METRO")
    rennes = CommuneFactory(
        code_insee="35238", nom="Rennes", siret_mairie=SIRET_MAIRIE_RENNES, epci=epci
    )
    siae = StructureFactory(siret=SIRET_SIAE)
    return rennes, epci, siae


def importer(nom, **options):
    options.setdefault("ecrire", True)
    with (DONNEES / nom).open("rb") as fichier:
        return decp_importer(fichier=fichier, **options)


def importer_texte(marches, **options):
    options.setdefault("ecrire", True)
    contenu = json.dumps({"marches": {"marche": marches}}).encode()
    return decp_importer(fichier=io.BytesIO(contenu), **options)


def marche_valide(**changements):
    marche = {
        "id": "2026-9000",
        "acheteur": {"id": SIRET_MAIRIE_RENNES},
        "nature": "Marché",
        "objet": "Travaux de voirie",
        "codeCPV": "45233140-2",
        "procedure": "Procédure adaptée",
        "dureeMois": 6,
        "dateNotification": "2026-04-01",
        "montant": 60000,
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": SIRET_SIAE}}],
        "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
    }
    marche.update(changements)
    return marche


def test_the_official_wrapper_is_imported_field_by_field(acheteurs):
    rennes, epci, siae = acheteurs
    rapport = importer("decp_officiel.json")
    assert (rapport.lus, rapport.crees, rapport.ignores, rapport.invalides) == (5, 4, 1, 0)
    assert rapport.ecrit

    espaces_verts = Marche.objects.get(id_decp="2026-0001")
    assert espaces_verts.commune == rennes and espaces_verts.epci is None
    assert espaces_verts.acheteur_siret == SIRET_MAIRIE_RENNES
    assert espaces_verts.montant == Decimal("120000.00")
    assert espaces_verts.lieu_code == "35238" and espaces_verts.lieu_type_code == "Code commune"
    assert espaces_verts.clause_sociale and espaces_verts.critere_social
    assert not espaces_verts.marche_reserve and not espaces_verts.clause_environnementale
    assert str(espaces_verts.date_publication) == "2026-03-01"
    assert espaces_verts.publie
    titulaires = {t.identifiant: t.structure for t in espaces_verts.titulaires.all()}
    assert titulaires == {SIRET_SIAE: siae, "FR40303265045": None}

    collecte = Marche.objects.get(id_decp="2026-M-17")
    assert collecte.epci == epci and collecte.commune is None
    assert collecte.montant == Decimal("2500000.50")
    assert collecte.marche_reserve
    assert collecte.clause_environnementale and collecte.critere_environnemental

    vitres = Marche.objects.get(id_decp="2026-0004")
    assert vitres.marche_reserve and not vitres.clause_sociale and not vitres.critere_social
    assert vitres.critere_environnemental and not vitres.clause_environnementale


def test_modifications_apply_in_date_order_and_the_initial_values_are_kept(acheteurs):
    importer("decp_officiel.json")
    repas = Marche.objects.get(id_decp="2026-0002")
    # 100 000 € notified, 130 000 € in May, lowered to 80 000 € in September.
    assert repas.montant == Decimal("80000.00")
    assert repas.montant_initial == Decimal("100000.00")
    assert repas.duree_mois == 48 and repas.duree_mois_initiale == 36
    assert str(repas.date_notification) == "2026-01-15"
    assert not repas.a_consideration_sociale


def test_the_flattened_shape_gives_the_same_contracts(acheteurs):
    importer("decp_officiel.json")
    rapport = importer("decp_aplati.json")
    assert (rapport.lus, rapport.crees, rapport.mis_a_jour, rapport.inchanges) == (3, 0, 0, 3)


def test_importing_twice_changes_nothing_not_even_history(acheteurs):
    importer("decp_officiel.json")
    avant = etat_des_marches()
    rapport = importer("decp_officiel.json")
    assert (rapport.crees, rapport.mis_a_jour, rapport.inchanges) == (0, 0, 4)
    assert etat_des_marches() == avant


def test_a_dry_run_writes_nothing_and_reports_what_a_write_would_do(acheteurs):
    avant = etat_des_marches()
    simulation = importer("decp_officiel.json", ecrire=False)
    assert not simulation.ecrit
    assert etat_des_marches() == avant
    ecriture = importer("decp_officiel.json")
    for compteur in ("lus", "crees", "mis_a_jour", "inchanges", "ignores", "invalides"):
        assert getattr(simulation, compteur) == getattr(ecriture, compteur), compteur


def test_a_modified_contract_is_updated_with_its_holders(acheteurs):
    importer_texte([marche_valide()])
    marche = Marche.objects.get()
    titulaire = marche.titulaires.get()
    titulaire.denomination = "Nom saisi à la main"
    titulaire.save()
    marche.publie = False
    marche.save()
    autre = {"titulaire": {"typeIdentifiant": "TVA", "id": "FR40303265045"}}
    siae = marche_valide()["titulaires"][0]
    avenant = {"id": 1, "montant": 65000, "dateNotificationModification": "2026-06-01"}
    rapport = importer_texte(
        [marche_valide(modifications=[{"modification": {**avenant, "titulaires": [autre, siae]}}])]
    )
    assert (rapport.crees, rapport.mis_a_jour, rapport.inchanges) == (0, 1, 0)
    marche.refresh_from_db()
    assert marche.montant == Decimal("65000.00") and marche.montant_initial == 60000
    assert not marche.publie, "the commune's choice to unpublish stays"
    assert marche.titulaires.get(identifiant=SIRET_SIAE).denomination == "Nom saisi à la main"

    rapport = importer_texte(
        [marche_valide(modifications=[{"modification": {**avenant, "titulaires": [autre]}}])]
    )
    assert rapport.mis_a_jour == 1
    assert list(marche.titulaires.values_list("identifiant", flat=True)) == ["FR40303265045"]
    assert Titulaire.history.filter(identifiant=SIRET_SIAE, history_type="-").exists()
    versions = marche.history.order_by("history_date")
    assert [v.history_type for v in versions] == ["+", "~", "~", "~"]
    assert versions.last().history_change_reason == RAISON_IMPORT_DECP


def test_lots_sharing_an_id_stay_distinct_contracts(acheteurs):
    """Two lots of one procedure: same id, their own holders and amounts."""
    lot_2 = {"titulaire": {"typeIdentifiant": "SIRET", "id": "90000000009028"}}
    rapport = importer_texte([marche_valide(), marche_valide(montant=70000, titulaires=[lot_2])])
    assert (rapport.crees, rapport.mis_a_jour, rapport.doublons) == (2, 0, 0)
    assert sorted(Marche.objects.values_list("montant", flat=True)) == [60000, 70000]
    encore = importer_texte([marche_valide(), marche_valide(montant=70000, titulaires=[lot_2])])
    assert (encore.crees, encore.mis_a_jour, encore.inchanges) == (0, 0, 2)


def test_the_same_contract_twice_in_a_file_is_stored_once_the_first_standing(acheteurs):
    rapport = importer_texte([marche_valide(), marche_valide(objet="Travaux de voirie (bis)")])
    assert (rapport.crees, rapport.mis_a_jour, rapport.doublons) == (1, 0, 1)
    assert Marche.objects.get().objet == "Travaux de voirie"
    encore = importer_texte([marche_valide(), marche_valide(objet="Travaux de voirie (bis)")])
    assert (encore.crees, encore.mis_a_jour, encore.inchanges, encore.doublons) == (0, 0, 1, 1)


def test_a_contract_entered_before_lots_is_taken_over_not_duplicated(acheteurs):
    importer_texte([marche_valide()])
    Marche.objects.update(cle_lot="")
    rapport = importer_texte([marche_valide()])
    assert (rapport.crees, rapport.mis_a_jour) == (0, 1)
    assert Marche.objects.get().cle_lot


def test_strict_mode_writes_nothing_and_reports_each_rejected_contract(acheteurs):
    avant = etat_des_marches()
    rapport = importer("decp_invalides.json", strict=True)
    assert not rapport.ecrit and rapport.refuse
    assert etat_des_marches() == avant
    assert rapport.invalides == 1 and rapport.crees == 4 and rapport.incomplets == 3
    assert rapport.erreurs == [
        "marché n° 3 (id « 2026-0104 ») : "
        "acheteur.id « 2135023880 » n'est pas un SIRET (14 chiffres)"
    ]


def test_by_default_each_record_is_imported_or_rejected_on_its_own(acheteurs):
    rapport = importer("decp_invalides.json")
    assert rapport.ecrit and not rapport.refuse
    assert sorted(Marche.objects.values_list("id_decp", flat=True)) == [
        "2026-0101",
        "2026-0102",
        "2026-0103",
        "2026-0105",
    ]
    assert (rapport.invalides, rapport.incomplets) == (1, 3)
    date_fausse = Marche.objects.get(id_decp="2026-0103")
    assert date_fausse.date_notification is None
    assert "dateNotification « 01/02/2026 » n'est pas" in date_fausse.manques
    sans_montant = Marche.objects.get(id_decp="2026-0102")
    assert sans_montant.montant is None and sans_montant.incomplet
    assert "montant absent" in sans_montant.manques
    avenant_negatif = Marche.objects.get(id_decp="2026-0105")
    assert avenant_negatif.montant == 50000 and "modifications[0].montant négatif" in (
        avenant_negatif.manques
    )
    raisons = {groupe["raison"]: groupe for groupe in rapport.resume()["rejets_par_raison"]}
    assert raisons["acheteur.id «…» n'est pas un SIRET"]["nombre"] == 1


def test_a_truncated_file_writes_nothing_even_when_skipping_invalid(acheteurs):
    rapport = importer("decp_tronque.json")
    assert not rapport.ecrit
    assert "n'est pas un JSON valide (après le marché n° 0)" in rapport.erreur_fichier
    assert not Marche.objects.exists()


def test_a_top_level_list_and_the_older_marches_list_are_read(acheteurs):
    liste = json.dumps([marche_valide()]).encode()
    assert decp_importer(fichier=io.BytesIO(liste), ecrire=False).crees == 1
    ancienne = json.dumps({"marches": [marche_valide()]}).encode()
    assert decp_importer(fichier=io.BytesIO(b"\xef\xbb\xbf" + ancienne), ecrire=False).crees == 1


@pytest.mark.parametrize(
    ("changements", "manque"),
    [
        ({"montant": None}, "montant absent"),
        ({"montant": 0}, "montant à 0 (inconnu)"),
        ({"montant": "NC"}, "montant « NC » n'est pas un nombre"),
        ({"montant": "NaN"}, "montant « NaN » n'est pas un nombre"),
        ({"dureeMois": 0}, "dureeMois hors limites"),
        ({"dureeMois": "NC"}, "n'est pas un nombre entier de mois"),
        ({"procedure": None}, "procedure absent"),
        ({"procedure": "Gré à gré"}, "procedure « Gré à gré » inconnu"),
        ({"codeCPV": None}, "codeCPV absent"),
        ({"codeCPV": "031210005"}, "codeCPV « 031210005 » invalide"),
        ({"dateNotification": None, "datePublicationDonnees": "2026-04-03"}, "date de publication"),
        ({"lieuExecution": {"code": "35238"}}, "lieuExecution.typeCode absent"),
        ({"titulaires": [{"typeIdentifiant": "SIRET", "id": "123"}]}, "n'est pas un SIRET"),
        ({"considerationsSociales": {"clauseSociale": "peut-être"}}, "n'est ni oui ni non"),
        ({"considerationsSociales": ["Clause insertion"]}, "inconnu"),
    ],
)
def test_a_missing_or_unreadable_field_keeps_the_contract_as_incomplete(
    acheteurs, changements, manque
):
    rapport = importer_texte([marche_valide(**changements)])
    assert (rapport.crees, rapport.invalides, rapport.incomplets) == (1, 0, 1)
    marche = Marche.objects.get()
    assert marche.incomplet and manque in marche.manques


def test_unknown_amounts_are_null_not_zero(acheteurs):
    importer_texte([marche_valide(id=f"M{n}", montant=m) for n, m in enumerate((0, "NC", "NaN"))])
    assert list(Marche.objects.values_list("montant", flat=True)) == [None, None, None]


def test_considerations_not_given_are_unknown_not_none(acheteurs):
    sans = marche_valide()
    del sans["considerationsSociales"]
    importer_texte([sans])
    marche = Marche.objects.get()
    assert not marche.sociales_connues and not marche.environnementales_connues
    assert not marche.incomplet, "considerations are absent from every v1 record"


@pytest.mark.parametrize(
    ("changements", "raison"),
    [
        ({"id": ""}, "id absent"),
        ({"objet": ""}, "objet absent"),
        ({"acheteur": {"id": "2135 0238"}}, "acheteur.id « 21350238 » n'est pas un SIRET"),
    ],
)
def test_a_record_that_cannot_be_a_contract_is_rejected_with_its_reason(
    acheteurs, changements, raison
):
    rapport = importer_texte([marche_valide(**changements)], ecrire=False)
    assert rapport.invalides == 1
    assert raison in rapport.erreurs[0]


def test_booleans_are_read_as_oui_non_true_false(acheteurs):
    considerations = {"clauseSociale": True, "critereSocial": "OUI", "marcheReserve": "false"}
    importer_texte([marche_valide(considerationsSociales=considerations)])
    marche = Marche.objects.get()
    assert marche.clause_sociale and marche.critere_social and not marche.marche_reserve


def test_contracts_are_written_in_batches(acheteurs):
    marches = [marche_valide(id=f"2026-{n:04d}") for n in range(7)]
    rapport = importer_texte(marches, taille_lot=3)
    assert rapport.crees == 7
    assert Marche.history.count() == 7 and Titulaire.history.count() == 7


def requetes_pour(marches, **options):
    with CaptureQueriesContext(connection) as requetes:
        importer_texte(marches, **options)
    return len(requetes)


def test_queries_grow_with_batches_not_with_contracts(acheteurs):
    """Bulk writes: a batch of 3 or of 20 contracts costs the same queries (SQLite splits
    an INSERT beyond 999 parameters, hence small batches here)."""
    petit = requetes_pour([marche_valide(id=f"A{n}") for n in range(3)])
    grand = requetes_pour([marche_valide(id=f"B{n}") for n in range(20)])
    assert petit == grand
    deux_lots = requetes_pour([marche_valide(id=f"C{n}") for n in range(20)], taille_lot=10)
    un_lot = requetes_pour([marche_valide(id=f"D{n}") for n in range(10)], taille_lot=10)
    assert deux_lots < 2 * un_lot
    # Unchanged contracts: the comparison reads them, writes nothing.
    assert requetes_pour([marche_valide(id=f"B{n}") for n in range(20)]) < grand


def test_the_file_is_streamed_not_loaded(acheteurs):
    """The first contract is handed over long before the end of a big file is read."""
    marches = [marche_valide(id=f"2026-{n:05d}", objet="x" * 500) for n in range(2000)]
    contenu = io.BytesIO(json.dumps({"marches": {"marche": marches}}).encode())
    enregistrements = lecture.enregistrements(contenu)
    assert next(iter(enregistrements))[1]["id"] == "2026-00000"
    assert contenu.tell() < len(contenu.getvalue()) / 4


def test_errors_are_counted_beyond_the_detailed_ones(acheteurs, monkeypatch):
    monkeypatch.setattr(rapport, "ERREURS_DETAILLEES_MAX", 2)
    resultat = importer_texte([marche_valide(id=f"x{n}", objet="") for n in range(5)])
    assert resultat.invalides == 5
    assert len(resultat.erreurs) == 2 and resultat.erreurs_non_detaillees == 3
    (groupe,) = resultat.resume()["rejets_par_raison"]
    assert groupe["nombre"] == 5 and len(groupe["exemples"]) == 3


# The command ------------------------------------------------------------------------


def test_command_does_a_dry_run_by_default(acheteurs, capsys):
    call_command("import_decp", str(DONNEES / "decp_officiel.json"))
    sortie = capsys.readouterr().out
    assert "Simulation, rien n'est écrit" in sortie
    assert "à créer : 4" in sortie and "autres acheteurs (ni commune ni EPCI suivis) : 1" in sortie
    assert not Marche.objects.exists()


def test_command_writes_with_write(acheteurs, capsys):
    call_command("import_decp", str(DONNEES / "decp_officiel.json"), "--write")
    assert "créés : 4" in capsys.readouterr().out
    assert Marche.objects.count() == 4


def test_command_refuses_an_invalid_file_with_strict_and_says_so(acheteurs, capsys):
    with pytest.raises(CommandError, match="--strict : 1 marché\\(s\\) rejeté\\(s\\)"):
        call_command("import_decp", str(DONNEES / "decp_invalides.json"), "--write", "--strict")
    sorties = capsys.readouterr()
    assert "Refusé, rien n'est écrit" in sorties.out and "Simulation" not in sorties.out
    assert "marché n° 3" in sorties.err
    assert not Marche.objects.exists()


def test_command_writes_record_by_record_by_default(acheteurs, capsys):
    call_command("import_decp", str(DONNEES / "decp_invalides.json"), "--write")
    sortie = capsys.readouterr().out
    assert "créés : 4" in sortie and "rejetés : 1" in sortie and "dont incomplets : 3" in sortie
    assert Marche.objects.count() == 4


def test_command_prints_the_summary_as_json(acheteurs, capsys):
    call_command("import_decp", str(DONNEES / "decp_invalides.json"), "--format", "json")
    resume = json.loads(capsys.readouterr().out)
    assert (resume["lus"], resume["crees"], resume["rejetes"], resume["ecrit"]) == (5, 4, 1, False)
    assert {g["raison"] for g in resume["rejets_par_raison"]} >= {
        "acheteur.id «…» n'est pas un SIRET"
    }


def test_command_fails_on_a_file_without_contracts(acheteurs, tmp_path):
    vide = tmp_path / "autre.json"
    vide.write_text('{"$schema": "x", "donnees": []}')
    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("import_decp", str(vide))


def test_command_says_when_the_file_is_missing(db):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_decp", "/nulle/part.json")


# The staff page -------------------------------------------------------------------------


def envoyer(client, nom, **donnees):
    fichier = SimpleUploadedFile(nom, (DONNEES / nom).read_bytes(), "application/json")
    return client.post(reverse("espace:marches_staff:import"), {"fichier": fichier, **donnees})


def test_staff_upload_shows_a_dry_run_then_writes(client, acheteurs, matrice):
    staff = matrice.users["staff"]
    client.force_login(staff)
    reponse = envoyer(client, "decp_officiel.json")
    page = reponse.content.decode()
    assert "Simulation de l'import" in page
    assert '<th scope="row">À créer</th><td>4</td>' in page
    assert not Marche.objects.exists()
    jeton = reponse.context["jeton"]
    ecrit = client.post(reverse("espace:marches_staff:import_ecrire"), {"jeton": jeton})
    assert "Import terminé : 4 marchés créés" in ecrit.content.decode()
    assert Marche.objects.count() == 4
    assert Marche.history.filter(history_user=staff).count() == 4
    # A second click finds nothing to write.
    encore = client.post(reverse("espace:marches_staff:import_ecrire"), {"jeton": jeton})
    assert encore.status_code == 302
    assert Marche.objects.count() == 4


def test_staff_upload_writes_the_valid_contracts_unless_all_or_nothing_is_asked(
    client, acheteurs, matrice
):
    client.force_login(matrice.users["staff"])
    page = envoyer(client, "decp_invalides.json").content.decode()
    assert "Écrire l'import" in page
    assert "Autres acheteurs (ni une commune ni un EPCI suivis ici)" in page
    page = envoyer(client, "decp_invalides.json", tout_ou_rien="on").content.decode()
    assert "rien ne peut être écrit" in page
    assert "Écrire l'import" not in page


def test_staff_upload_refuses_files_over_the_limit(client, acheteurs, matrice, monkeypatch):
    from marches import forms

    monkeypatch.setattr(forms, "TAILLE_MAX_DECP", 100)
    client.force_login(matrice.users["staff"])
    page = envoyer(client, "decp_officiel.json").content.decode()
    assert "Le fichier dépasse 20 Mo" in page
    assert 'role="alert"' in page


def test_an_import_shows_at_once_on_a_kept_scorecard(
    acheteurs, client, guide, django_capture_on_commit_callbacks
):
    rennes = acheteurs[0]
    assert "marché sur 1 comporte" not in client.get(rennes.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        importer_texte([marche_valide()])
    assert "marché sur 1 comporte" in client.get(rennes.get_absolute_url()).content.decode()


@pytest.mark.parametrize("tete", [16, lecture.TAILLE_TETE])
def test_marches_after_other_keys_are_read_whatever_the_head_holds(acheteurs, monkeypatch, tete):
    """A long key before `marches` is read by the slow path, the same records come out."""
    monkeypatch.setattr(lecture, "TAILLE_TETE", tete)
    contenu = json.dumps(
        {"$schema": "x" * 100, "marches": {"contrat-concession": [], "marche": [marche_valide()]}}
    ).encode()
    rapport = decp_importer(fichier=io.BytesIO(contenu), ecrire=False)
    assert (rapport.lus, rapport.crees, rapport.erreur_fichier) == (1, 1, "")


def test_a_bare_nan_amount_is_read_as_unknown_whatever_the_reads(acheteurs, monkeypatch):
    """JSON has no NaN, some producers write it all the same: read as null, even cut in
    two by the reads."""

    class Morceaux(io.BytesIO):
        def read(self, taille=-1):
            return super().read(7)

    monkeypatch.setattr(lecture, "TAILLE_TETE", 5)
    contenu = json.dumps({"marches": [marche_valide(montant="@")]}).replace('"@"', "NaN")
    rapport = decp_importer(fichier=Morceaux(contenu.encode()), ecrire=True)
    assert (rapport.crees, rapport.incomplets) == (1, 1)
    assert Marche.objects.get().montant is None


def test_the_records_go_through_the_progress_bar(acheteurs):
    vus = []

    def suivre(enregistrements):
        for enregistrement in enregistrements:
            vus.append(enregistrement)
            yield enregistrement

    contenu = json.dumps({"marches": [marche_valide(), marche_valide(id="autre")]}).encode()
    rapport = decp_importer(fichier=io.BytesIO(contenu), ecrire=False, suivre=suivre)
    assert len(vus) == rapport.lus == 2


def test_contracts_met_are_told_apart_across_slices_of_the_sorted_array():
    from marches.decp.vus import Vus

    vus = Vus(tranche=3)
    empreintes = [hash(("21350238800019", f"2026-{n}", "")) for n in range(10)]
    for empreinte in empreintes[:7]:
        assert empreinte not in vus
        vus.add(empreinte)
    assert len(vus) == 7 and len(vus.ranges) == 6
    assert all(empreinte in vus for empreinte in empreintes[:7])
    assert not any(empreinte in vus for empreinte in empreintes[7:])
    assert list(vus.ranges) == sorted(vus.ranges)


def test_an_import_that_changes_a_contract_raises_its_version(acheteurs):
    importer_texte([marche_valide()])
    assert Marche.objects.get().version == 1
    importer_texte([marche_valide()])
    assert Marche.objects.get().version == 1, "unchanged: the version stays"
    importer_texte([marche_valide(objet="Travaux de voirie, tranche 2")])
    marche = Marche.objects.get()
    assert (marche.objet, marche.version) == ("Travaux de voirie, tranche 2", 2)
    assert marche.history.latest().version == 2
