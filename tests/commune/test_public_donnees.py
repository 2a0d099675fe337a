"""/donnees/: the national file of every commune's scores and statuses, streamed in CSV
and JSON in constant memory, its documented columns and its licence."""

import csv
import io
import json

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from axes.enums import Statut
from axes.selectors import actions_du_referentiel
from commune import opendata
from tests.axes.factories import EngagementFactory, PreuveFactory, SignatureFactory, action_du_guide
from tests.commune.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def telecharger(client, nom):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse(nom))
        assert isinstance(reponse, StreamingHttpResponse)
        contenu = b"".join(reponse.streaming_content).decode("utf-8")
    return reponse, contenu, len(requetes.captured_queries)


def lignes_csv(contenu):
    assert contenu.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(contenu[1:]), delimiter=";"))


@pytest.fixture
def rennes(guide):
    commune = CommuneFactory(code_insee="35238", nom="Rennes", population=225000)
    SignatureFactory(commune=commune)
    engagement = EngagementFactory(
        commune=commune, action=action_du_guide("1.1"), statut=Statut.REALISE
    )
    PreuveFactory(engagement=engagement)
    EngagementFactory(
        commune=commune, action=action_du_guide("1.2"), statut=Statut.EN_COURS, avancement=40
    )
    # Declared done without evidence: counts as committed.
    EngagementFactory(commune=commune, action=action_du_guide("2.1"), statut=Statut.REALISE)
    return commune


def test_donnees_page_documents_every_column_and_the_licence(client, guide):
    reponse = client.get(reverse("commune:donnees"))
    contenu = reponse.content.decode()
    assert "Licence Ouverte / Open Licence version 2.0 (Etalab)" in contenu
    for nom in ("code_insee", "avancement_axe_5", "statut_3.2", "avancement_5.3", "signataire"):
        assert f"<code>{nom}</code>" in contenu
    assert reverse("commune:donnees_csv") in contenu and reverse("commune:donnees_json") in contenu


def test_csv_has_one_row_per_commune_with_scores_and_statuses(client, guide, rennes):
    CommuneFactory(code_insee="35047", nom="Bruz", population=None)
    reponse, contenu, _ = telecharger(client, "commune:donnees_csv")
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="communes-engagees-' in reponse["Content-Disposition"]
    lignes = {ligne["code_insee"]: ligne for ligne in lignes_csv(contenu)}
    assert list(lignes) == ["35047", "35238"]
    ligne = lignes["35238"]
    assert ligne["signataire"] == "oui" and ligne["date_signature"] == "2026-03-02"
    # Axis 1: (100 + 40 + 0) / 3 = 46.7; overall (46.7 + 0 × 4) / 5 = 9.3
    assert ligne["avancement_axe_1"] == "46.7"
    assert ligne["avancement"] == "9.3"
    assert ligne["statut_1.1"] == "réalisé"
    assert ligne["statut_1.2"] == "en cours" and ligne["avancement_1.2"] == "40"
    assert ligne["statut_2.1"] == "engagé"
    assert ligne["statut_5.3"] == "non renseigné"
    assert lignes["35047"]["population"] == "" and lignes["35047"]["signataire"] == "non"
    actions = actions_du_referentiel(guide)
    noms = [nom for nom, _, _ in opendata.colonnes(actions, range(1, 6))]
    assert list(ligne) == noms


def test_json_is_valid_and_has_the_same_columns(client, rennes):
    reponse, contenu, _ = telecharger(client, "commune:donnees_json")
    assert reponse["Content-Type"] == "application/json"
    donnees = json.loads(contenu)
    assert donnees["licence"].startswith("Licence Ouverte")
    noms = [colonne["nom"] for colonne in donnees["colonnes"]]
    (ligne,) = donnees["communes"]
    assert list(ligne) == noms
    assert ligne["avancement"] == 9.3 and ligne["signataire"] is True
    assert ligne["population"] == 225000 and ligne["avancement_2.1"] is None


def test_json_with_no_commune_is_valid(client, guide):
    _, contenu, _ = telecharger(client, "commune:donnees_json")
    assert json.loads(contenu)["communes"] == []


@pytest.mark.parametrize("nom", ["commune:donnees_csv", "commune:donnees_json"])
def test_files_are_read_lot_by_lot_in_a_constant_number_of_queries(client, guide, monkeypatch, nom):
    monkeypatch.setattr(opendata, "TAILLE_LOT", 10)
    for _ in range(10):
        commune = CommuneFactory()
        EngagementFactory(commune=commune, action=action_du_guide("1.1"))
    _, _, une_lot = telecharger(client, nom)
    # guide, actions (columns), actions (rows), communes, one lot of engagements
    assert une_lot == 5
    for _ in range(15):
        commune = CommuneFactory()
        EngagementFactory(commune=commune, action=action_du_guide("1.1"))
    _, contenu, trois_lots = telecharger(client, nom)
    assert trois_lots == une_lot + 2
    assert contenu.count("35") >= 25


# The structures and the contracts with a social consideration ------------------------


def test_donnees_page_documents_the_structures_and_contracts_files(client, guide):
    contenu = client.get(reverse("commune:donnees")).content.decode()
    for nom in opendata.noms(opendata.COLONNES_STRUCTURES) + opendata.noms(
        opendata.COLONNES_MARCHES
    ):
        assert f"<code>{nom}</code>" in contenu
    for nom in (
        "commune:donnees_structures_csv",
        "commune:donnees_structures_json",
        "commune:donnees_marches_csv",
        "commune:donnees_marches_json",
    ):
        assert reverse(nom) in contenu
    assert contenu.count("Licence Ouverte / Open Licence version 2.0 (Etalab)") >= 3


@pytest.fixture
def structures(db):
    from structures.models import GroupeSecteur, Reseau, Secteur, TypePrestation
    from tests.structures.factories import MembreStructureFactory, StructureFactory

    groupe = GroupeSecteur.objects.create(slug="groupe-test", nom="Groupe")
    secteurs = [
        Secteur.objects.create(groupe=groupe, slug=slug, nom=slug) for slug in ("zz-b", "zz-a")
    ]
    rennes = CommuneFactory(code_insee="35238", nom="Rennes")
    publiee = StructureFactory(
        siret="93500001800017",
        nom="Jardins solidaires",
        enseigne="=Les Jardins",
        commune=rennes,
        email="contact@jardins.example",
        email_public=False,
        telephone="0299000000",
        telephone_public=False,
        site_web="https://jardins.example",
        site_web_public=True,
        etp_insertion="12.5",
        personnes_accompagnees=48,
    )
    publiee.secteurs.set(secteurs)
    publiee.types_prestation.set(TypePrestation.objects.filter(code__in=["PREST", "MAD"]))
    publiee.reseaux.set(Reseau.objects.filter(slug="chantier-ecole"))
    MembreStructureFactory(structure=publiee, user__email="membre@prive.example")
    StructureFactory(siret="93500002600010", verifiee=False)
    StructureFactory(siret="93500003400013", publiee=False)
    return publiee


def test_structures_csv_has_the_published_and_verified_structures_only(client, structures):
    reponse, contenu, _ = telecharger(client, "commune:donnees_structures_csv")
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="structures-' in reponse["Content-Disposition"]
    assert contenu.splitlines()[0] == "\ufeff" + ";".join(
        opendata.noms(opendata.COLONNES_STRUCTURES)
    )
    (ligne,) = lignes_csv(contenu)
    assert list(ligne) == opendata.noms(opendata.COLONNES_STRUCTURES)
    assert ligne["siret"] == "93500001800017" and ligne["enseigne"] == "'=Les Jardins"
    assert ligne["type_code"] == "ACI" and ligne["commune_code_insee"] == "35238"
    assert ligne["commune_nom"] == "Rennes" and ligne["code_departement"] == "35"
    assert ligne["secteurs"] == "zz-a|zz-b"
    assert ligne["types_prestation"] == "MAD|PREST" and ligne["reseaux"] == "chantier-ecole"
    assert ligne["etp_insertion"] == "12.5" and ligne["personnes_accompagnees"] == "48"
    assert ligne["site_web"] == "https://jardins.example"
    # Contacts the structure does not publish, and members' addresses, are absent.
    assert ligne["email"] == "" and ligne["telephone"] == ""
    for absent in ("contact@jardins.example", "0299000000", "membre@prive.example"):
        assert absent not in contenu
    assert "93500002600010" not in contenu and "93500003400013" not in contenu


def test_structures_json_parses_with_the_same_columns(client, structures):
    reponse, contenu, _ = telecharger(client, "commune:donnees_structures_json")
    assert reponse["Content-Type"] == "application/json"
    donnees = json.loads(contenu)
    assert donnees["licence"].startswith("Licence Ouverte")
    noms = [colonne["nom"] for colonne in donnees["colonnes"]]
    assert noms == opendata.noms(opendata.COLONNES_STRUCTURES)
    (ligne,) = donnees["structures"]
    assert list(ligne) == noms
    assert ligne["secteurs"] == ["zz-a", "zz-b"] and ligne["etp_insertion"] == 12.5
    assert ligne["email"] is None and ligne["telephone"] is None
    assert "membre@prive.example" not in contenu and "contact@jardins.example" not in contenu


def test_structures_json_with_no_structure_is_valid(client, db):
    _, contenu, _ = telecharger(client, "commune:donnees_structures_json")
    assert json.loads(contenu)["structures"] == []


@pytest.fixture
def marches(db):
    from tests.marches.factories import MarcheFactory, TitulaireFactory

    rennes = CommuneFactory(code_insee="35238", nom="Rennes")
    avec = MarcheFactory(
        id_decp="AVEC-CLAUSE", commune=rennes, clause_sociale=True, marche_reserve=True
    )
    TitulaireFactory(marche=avec, identifiant="90000000000001")
    TitulaireFactory(marche=avec, identifiant="90000000000002")
    MarcheFactory(id_decp="AVEC-CRITERE", commune=rennes, critere_social=True)
    MarcheFactory(id_decp="SANS-CONSIDERATION", commune=rennes, clause_environnementale=True)
    MarcheFactory(id_decp="NON-PUBLIE", commune=rennes, clause_sociale=True, publie=False)
    MarcheFactory(id_decp="DECP-V1", commune=rennes, inconnues=True)
    MarcheFactory(id_decp="DECP-V1-DRAPEAU", commune=rennes, inconnues=True, clause_sociale=True)
    return avec


def test_marches_csv_has_published_contracts_with_a_social_consideration(client, marches):
    from marches.export import COLONNES

    reponse, contenu, _ = telecharger(client, "commune:donnees_marches_csv")
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    entete = [*COLONNES, "commune.code_insee"]
    assert opendata.noms(opendata.COLONNES_MARCHES) == entete
    assert contenu.splitlines()[0] == "\ufeff" + ";".join(entete)
    lignes = {ligne["id"]: ligne for ligne in lignes_csv(contenu)}
    assert set(lignes) == {"AVEC-CLAUSE", "AVEC-CRITERE"}
    ligne = lignes["AVEC-CLAUSE"]
    assert ligne["titulaires"] == "90000000000001|90000000000002"
    assert ligne["considerationsSociales"] == "Clause sociale|Marché réservé"
    assert ligne["montant"] == "85000.00" and ligne["commune.code_insee"] == "35238"
    assert "SANS-CONSIDERATION" not in contenu and "NON-PUBLIE" not in contenu
    # Unknown is not "no", nor "yes": a contract whose considerations are not given is
    # not among those with one, and nothing says it has none.
    assert "DECP-V1" not in contenu
    assert "Pas de considération sociale" not in contenu


def test_marches_json_parses_with_the_same_columns(client, marches):
    reponse, contenu, _ = telecharger(client, "commune:donnees_marches_json")
    assert reponse["Content-Type"] == "application/json"
    donnees = json.loads(contenu)
    noms = [colonne["nom"] for colonne in donnees["colonnes"]]
    assert noms == opendata.noms(opendata.COLONNES_MARCHES)
    lignes = {ligne["id"]: ligne for ligne in donnees["marches"]}
    assert set(lignes) == {"AVEC-CLAUSE", "AVEC-CRITERE"}
    ligne = lignes["AVEC-CLAUSE"]
    assert list(ligne) == noms
    assert ligne["titulaires"] == ["90000000000001", "90000000000002"]
    assert ligne["montant"] == 85000.0 and ligne["dureeMois"] == 24
    assert ligne["datePublicationDonnees"] is None
    assert ligne["commune.code_insee"] == "35238"


def _structures(nombre, debut):
    from structures.models import Reseau, Secteur
    from tests.structures.factories import StructureFactory, siret_valide

    secteur = Secteur.objects.first()
    reseau = Reseau.objects.first()
    for n in range(debut, debut + nombre):
        structure = StructureFactory(siret=siret_valide(5000 + n))
        if secteur is not None:
            structure.secteurs.add(secteur)
        if reseau is not None:
            structure.reseaux.add(reseau)


def _marches(nombre, debut):
    from tests.marches.factories import MarcheFactory, TitulaireFactory

    for n in range(debut, debut + nombre):
        TitulaireFactory(marche=MarcheFactory(id_decp=f"LOT-{n}", critere_social=True))


@pytest.mark.parametrize(
    ("nom", "creer", "requetes"),
    [
        # structures, then their sectors, service types and networks
        ("commune:donnees_structures_csv", _structures, 4),
        ("commune:donnees_structures_json", _structures, 4),
        # contracts (with their commune), then their holders
        ("commune:donnees_marches_csv", _marches, 2),
        ("commune:donnees_marches_json", _marches, 2),
    ],
)
def test_structures_and_marches_in_a_constant_number_of_queries(client, db, nom, creer, requetes):
    creer(1, 0)
    _, contenu, une_ligne = telecharger(client, nom)
    assert une_ligne == requetes
    creer(29, 1)
    _, contenu, trente_lignes = telecharger(client, nom)
    assert trente_lignes == requetes
    if nom.endswith("json"):
        cle = "structures" if "structures" in nom else "marches"
        assert len(json.loads(contenu)[cle]) == 30
    else:
        assert len(lignes_csv(contenu)) == 30


@pytest.mark.parametrize(
    ("nom", "creer", "prefetches"),
    [
        ("commune:donnees_structures_csv", _structures, 3),
        ("commune:donnees_marches_json", _marches, 1),
    ],
)
def test_structures_and_marches_are_read_lot_by_lot(
    client, db, monkeypatch, nom, creer, prefetches
):
    monkeypatch.setattr(opendata, "TAILLE_LOT", 10)
    creer(30, 0)
    _, _, requetes = telecharger(client, nom)
    # One read of the rows, then the prefetches once for each of the three lots.
    assert requetes == 1 + 3 * prefetches
