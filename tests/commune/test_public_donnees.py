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
