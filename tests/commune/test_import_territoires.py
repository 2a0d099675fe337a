"""import_territoires on an excerpt of the official découpage (tests/fixtures/decoupage,
see its README) and, once, on the whole npm package: what it creates, what a second run
and a simulation leave alone, what happens to the communes already in the database."""

import json
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from commune.enums import TypeRattachement
from commune.models import (
    EPCI,
    CodePostal,
    Commune,
    CommuneRattachee,
    Departement,
    MembreCommune,
    Region,
)
from tests.axes.factories import EngagementFactory, SignatureFactory
from tests.commune.factories import CommuneFactory, MembreCommuneFactory, departement

pytestmark = pytest.mark.django_db

DECOUPAGE = Path(__file__).resolve().parent.parent / "fixtures" / "decoupage"
PAQUET = Path(settings.BASE_DIR) / "node_modules/@etalab/decoupage-administratif/data"


def importer(*options, dossier=DECOUPAGE):
    sortie = StringIO()
    call_command("import_territoires", "--dossier", str(dossier), *options, stdout=sortie)
    return sortie.getvalue()


def codes_postaux(commune):
    return sorted(commune.codes_postaux.values_list("code", flat=True))


# --- What the excerpt creates --------------------------------------------------------------


def test_the_excerpt_creates_every_commune_epci_attached_code_and_postcode():
    sortie = importer()

    assert Commune.objects.count() == 349
    assert EPCI.objects.count() == 30
    assert CommuneRattachee.objects.count() == 83
    assert CommuneRattachee.objects.filter(type=TypeRattachement.ARRONDISSEMENT).count() == 45
    assert CommuneRattachee.objects.filter(type=TypeRattachement.DELEGUEE).count() == 37
    assert CommuneRattachee.objects.filter(type=TypeRattachement.ASSOCIEE).count() == 1
    assert CodePostal.objects.count() == 403
    assert "communes : 349 créé(s)" in sortie
    assert "EPCI : 30 créé(s)" in sortie
    assert "codes postaux : 403 créé(s)" in sortie
    assert "Écartés" not in sortie


def test_rennes_gets_its_siren_population_epci_and_postcodes():
    importer()

    rennes = Commune.objects.select_related("epci", "departement").get(code_insee="35238")
    assert (rennes.nom, rennes.slug, rennes.departement.code) == ("Rennes", "rennes", "35")
    assert (rennes.siren, rennes.population) == ("213502388", 230890)
    assert (rennes.epci.siren, rennes.epci.nom, rennes.epci.nature) == (
        "243500139",
        "Rennes Métropole",
        "METRO",
    )
    assert codes_postaux(rennes) == ["35000", "35200", "35700"]
    assert rennes.epci.communes.filter(code_insee__in=["35047", "35051", "35024"]).count() == 3


def test_ajaccio_keeps_its_corsican_code_and_gets_its_agglomeration():
    importer()

    ajaccio = Commune.objects.select_related("epci", "departement__region").get(code_insee="2A004")
    assert (ajaccio.departement.code, ajaccio.departement.region.code) == ("2A", "94")
    assert (ajaccio.siren, ajaccio.population) == ("212000046", 76320)
    assert (ajaccio.epci.siren, ajaccio.epci.nom) == ("242010056", "CA du Pays Ajaccien")
    assert codes_postaux(ajaccio) == ["20000", "20090", "20167"]


def test_mamoudzou_is_in_its_three_digit_departement_with_its_epci():
    importer()

    mamoudzou = Commune.objects.select_related("epci", "departement__region").get(
        code_insee="97611"
    )
    assert (mamoudzou.departement.code, mamoudzou.departement.region.code) == ("976", "06")
    assert (mamoudzou.siren, mamoudzou.population) == ("200008837", 71437)
    assert (mamoudzou.epci.siren, mamoudzou.epci.nature) == ("200060457", "CA")
    assert codes_postaux(mamoudzou) == ["97600", "97605"]


def test_islands_without_epci_are_imported_without_one():
    importer()

    brehat = Commune.objects.get(code_insee="22016")
    ouessant = Commune.objects.get(code_insee="29155")
    assert (brehat.nom, brehat.epci_id, brehat.siren) == ("Île-de-Bréhat", None, "212200166")
    assert (ouessant.nom, ouessant.epci_id, ouessant.siren) == ("Ouessant", None, "212901557")
    assert codes_postaux(ouessant) == ["29242"]
    # Every other commune of mainland France in the excerpt has its EPCI.
    sans_epci = Commune.objects.filter(epci__isnull=True).values_list("code_insee", flat=True)
    assert sorted(sans_epci) == ["22016", "29155", "97502", "98818"]


def test_overseas_collectivities_get_their_three_digit_region_and_departement():
    assert not Region.objects.filter(code="988").exists()  # not in the migration's list

    importer()

    nouvelle_caledonie = Departement.objects.select_related("region").get(code="988")
    assert nouvelle_caledonie.region.code == "988"
    saint_pierre = Departement.objects.select_related("region").get(code="975")
    assert saint_pierre.region.code == "975"
    assert Region.objects.count() == 26
    assert Departement.objects.count() == 109
    noumea = Commune.objects.get(code_insee="98818")
    assert (noumea.nom, noumea.departement_id, noumea.siren) == (
        "Nouméa",
        nouvelle_caledonie.pk,
        "",
    )
    assert codes_postaux(noumea) == ["98800"]


def test_arrondissements_and_communes_deleguees_lead_to_their_commune():
    importer()

    assert CommuneRattachee.objects.get(code="75115").commune.code_insee == "75056"
    assert CommuneRattachee.objects.get(code="13216").commune.code_insee == "13055"
    assert CommuneRattachee.objects.get(code="69381").commune.code_insee == "69123"
    faute = CommuneRattachee.objects.get(code="85307")
    assert (faute.nom, faute.type, faute.commune.code_insee) == (
        "La Faute-sur-Mer",
        TypeRattachement.DELEGUEE,
        "85001",
    )
    # A commune déléguée may carry its commune's own code (the former chef-lieu).
    assert CommuneRattachee.objects.get(code="85001").commune.code_insee == "85001"


# --- Second run, simulation -----------------------------------------------------------------


def test_a_second_run_changes_nothing_and_adds_no_history():
    importer()
    historique = Commune.history.count()
    dates = dict(Commune.objects.values_list("code_insee", "updated_at"))

    sortie = importer()

    assert "Aucun changement." in sortie
    assert "communes : 0 créé(s), 0 modifié(s), 0 supprimé(s), 349 inchangé(s)" in sortie
    assert Commune.history.count() == historique
    assert dict(Commune.objects.values_list("code_insee", "updated_at")) == dates
    assert CodePostal.objects.count() == 403


def test_simulation_writes_nothing_but_says_what_it_would_do():
    regions = Region.objects.count()

    sortie = importer("--simulation")

    assert "Simulation, rien n'est écrit" in sortie
    assert "communes : 349 créé(s)" in sortie
    assert not Commune.objects.exists()
    assert not EPCI.objects.exists()
    assert not CommuneRattachee.objects.exists()
    assert not CodePostal.objects.exists()
    assert Region.objects.count() == regions


def test_simulation_of_a_merger_leaves_the_commune_current():
    faute = CommuneFactory(
        code_insee="85307", nom="La Faute-sur-Mer", departement=departement("85")
    )
    engagement = EngagementFactory(commune=faute)

    sortie = importer("--simulation")

    assert "La Faute-sur-Mer (85307) fusionnée dans L'Aiguillon-la-Presqu'île (85001)" in sortie
    faute.refresh_from_db()
    engagement.refresh_from_db()
    assert faute.est_actuelle
    assert engagement.commune_id == faute.pk


# --- Communes already in the database -------------------------------------------------------


def test_a_commune_already_there_is_updated_in_place_and_keeps_what_hangs_on_it(guide):
    ancienne = CommuneFactory(code_insee="35238", nom="Renne", population=1)
    engagement = EngagementFactory(commune=ancienne)
    signature = SignatureFactory(commune=ancienne)
    membre = MembreCommuneFactory(commune=ancienne)

    sortie = importer()

    rennes = Commune.objects.get(code_insee="35238")
    assert rennes.pk == ancienne.pk
    assert (rennes.nom, rennes.slug, rennes.population) == ("Rennes", "rennes", 230890)
    assert rennes.epci.siren == "243500139"
    assert list(rennes.engagements.all()) == [engagement]
    assert list(rennes.signatures.all()) == [signature]
    assert list(MembreCommune.objects.filter(commune=rennes)) == [membre]
    assert "communes : 348 créé(s), 1 modifié(s)" in sortie
    assert rennes.history.first().nom == "Rennes"


def test_a_renamed_commune_shows_at_once_on_its_kept_scorecard(
    client, guide, django_capture_on_commit_callbacks
):
    commune = CommuneFactory(code_insee="35238", nom="Renne")
    assert "<h1>Renne" in client.get(commune.get_absolute_url()).content.decode()

    # Bulk writes send no signal: the import drops the kept pages itself.
    with django_capture_on_commit_callbacks(execute=True):
        importer()

    assert "<h1>Rennes" in client.get(commune.get_absolute_url()).content.decode()


def test_a_commune_absent_from_the_file_and_listed_as_deleguee_is_merged(guide):
    faute = CommuneFactory(
        code_insee="85307", nom="La Faute-sur-Mer", departement=departement("85")
    )
    engagement = EngagementFactory(commune=faute)
    membre = MembreCommuneFactory(commune=faute)

    sortie = importer()

    faute.refresh_from_db()
    aiguillon = Commune.objects.get(code_insee="85001")
    assert faute.fusionnee_dans_id == aiguillon.pk
    assert faute.fusionnee_le is not None
    assert not faute.est_actuelle
    engagement.refresh_from_db()
    membre.refresh_from_db()
    assert (engagement.commune_id, membre.commune_id) == (aiguillon.pk, aiguillon.pk)
    assert "Communes fusionnées (1) :" in sortie
    assert "La Faute-sur-Mer (85307) fusionnée dans L'Aiguillon-la-Presqu'île (85001)" in sortie
    assert not Commune.objects.actuelles().filter(code_insee="85307").exists()


def test_a_merger_is_not_done_twice_and_the_second_run_changes_nothing():
    CommuneFactory(code_insee="85307", nom="La Faute-sur-Mer", departement=departement("85"))
    importer()
    historique = Commune.history.count()

    sortie = importer()

    assert "Aucun changement." in sortie
    assert "Communes fusionnées" not in sortie
    assert Commune.history.count() == historique


def test_a_commune_absent_from_the_file_without_a_successor_is_listed_and_left_alone():
    inconnue = CommuneFactory(code_insee="35999", nom="Commune disparue")

    sortie = importer()

    inconnue.refresh_from_db()
    assert inconnue.est_actuelle
    assert "Communes absentes du fichier" in sortie
    assert "Commune disparue (35999)" in sortie


def test_an_epci_absent_from_the_file_is_listed_and_kept():
    ancien = EPCI.objects.create(siren="200000001", nom="CC disparue", nature="CC")

    sortie = importer()

    assert EPCI.objects.filter(pk=ancien.pk).exists()
    assert "EPCI absents du fichier (1), laissés tels quels : CC disparue" in sortie


def test_a_bad_or_duplicate_record_is_set_aside_by_reason_and_the_rest_imported(tmp_path):
    for nom in ("regions.json", "departements.json", "communes.json"):
        (tmp_path / nom).write_text((DECOUPAGE / nom).read_text(encoding="utf-8"), "utf-8")
    epci = json.loads((DECOUPAGE / "epci.json").read_text(encoding="utf-8"))
    epci.append(dict(epci[0]))  # the same SIREN twice
    epci.append({**epci[1], "code": "2435001"})  # a SIREN of 7 digits
    (tmp_path / "epci.json").write_text(json.dumps(epci), encoding="utf-8")

    sortie = importer(dossier=tmp_path)

    assert "EPCI en double dans le fichier : 1" in sortie
    assert "EPCI au SIREN invalide : 1 (par exemple 2435001)" in sortie
    assert EPCI.objects.count() == len(epci) - 2
    assert Commune.objects.get(code_insee="35238").epci.nom == "Rennes Métropole"


def test_a_missing_folder_gives_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as erreur:
        importer(dossier=tmp_path / "absent")

    message = str(erreur.value)
    assert f"Fichier introuvable : {tmp_path / 'absent' / 'regions.json'}" in message
    assert "npm ci" in message
    assert not Commune.objects.exists()


def test_a_file_that_is_not_json_gives_a_clear_error(tmp_path):
    for nom in ("regions.json", "departements.json", "epci.json", "communes.json"):
        (tmp_path / nom).write_text((DECOUPAGE / nom).read_text(encoding="utf-8"), "utf-8")
    (tmp_path / "epci.json").write_text("<html>Not Found</html>", encoding="utf-8")

    with pytest.raises(CommandError) as erreur:
        importer(dossier=tmp_path)

    assert "epci.json n'est pas un fichier JSON lisible" in str(erreur.value)
    assert not Commune.objects.exists()


# --- The whole package ---------------------------------------------------------------------


@pytest.mark.slow
def test_the_whole_package_covers_every_commune_of_france():
    if not (PAQUET / "communes.json").is_file():
        raison = f"{PAQUET} absent : lancez npm ci pour installer le découpage administratif."
        if os.environ.get("CI"):
            pytest.fail(f"En CI, le paquet npm doit être installé. {raison}")
        pytest.skip(raison)
    debut = time.monotonic()

    importer(dossier=PAQUET)

    duree = time.monotonic() - debut
    actuelles = Commune.objects.actuelles()
    total = actuelles.count()
    assert total >= 34_800
    avec_siren = actuelles.exclude(siren="").count()
    avec_code_postal = actuelles.filter(codes_postaux__isnull=False).distinct().count()
    assert avec_siren >= 0.99 * total
    assert avec_code_postal >= 0.99 * total
    assert EPCI.objects.count() >= 1_200
    assert actuelles.filter(epci__isnull=True).count() <= 120
    assert Commune.objects.get(code_insee="35238").epci.siren == "243500139"
    assert duree < 60, f"L'import complet a pris {duree:.0f} s."


def test_the_summary_as_json_for_a_script():
    faute = CommuneFactory(
        code_insee="85307", nom="La Faute-sur-Mer", departement=departement("85")
    )
    sortie = StringIO()
    call_command(
        "import_territoires", "--dossier", str(DECOUPAGE), "--format", "json", stdout=sortie
    )

    resume = json.loads(sortie.getvalue())

    assert resume["ecrit"] is True
    assert resume["crees"]["communes"] == Commune.objects.actuelles().count()
    assert resume["fusions"] == [
        {"commune": "85307", "fusionnee_dans": "85001", "deplaces": {}, "a_reprendre": []}
    ]
    assert resume["changements"] > 0
    faute.refresh_from_db()
    assert not faute.est_actuelle
