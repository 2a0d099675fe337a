"""The citizen's journey, in a real browser (issue 6's acceptance test): on a phone, from
the directory to a commune's scorecard, the score of an axis and a piece of evidence;
screenshots of the scorecard for the documentation."""

import re
from pathlib import Path

import pytest
from django.core.files import File
from django.core.management import call_command
from django.db import transaction
from playwright.sync_api import expect

from axes.models import Referentiel
from axes.scoring import arrondi
from axes.selectors import scores_des_communes
from axes.services import preuve_ajouter
from commune.models import Commune
from tests.axes.factories import action_du_guide

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]

RACINE = Path(__file__).resolve().parent.parent.parent
CAPTURES_DOCUMENTATION = RACINE / "docs" / "screenshots"
PHOTO = RACINE / "tests" / "data" / "preuve.png"
TELEPHONE = {"width": 390, "height": 844}
# A piece of evidence opened in the browser is shown by Chromium's own image viewer,
# which styles itself inline (against our CSP) and asks for /favicon.ico: what it
# logs is not one of our pages'.
HORS_DE_NOS_PAGES = re.compile(r"/preuves/\d+/fichier/$|/favicon\.ico$")


@pytest.fixture
def telephone(navigateur):
    """A phone-sized page that, like `page`, fails its test on any console error."""
    contexte = navigateur.new_context(
        locale="fr-FR", viewport=TELEPHONE, is_mobile=True, has_touch=True
    )
    page = contexte.new_page()
    page.set_default_timeout(15_000)
    erreurs = []

    def noter(message):
        if message.type == "error" and not HORS_DE_NOS_PAGES.search(message.location["url"]):
            erreurs.append(message.text)

    page.on("console", noter)
    page.on("pageerror", lambda e: erreurs.append(str(e)))
    yield page
    contexte.close()
    assert not erreurs, erreurs


def pourcent_nombre(valeur):
    return f"{arrondi(valeur):.1f}"


def capture_documentation(page, nom):
    CAPTURES_DOCUMENTATION.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=CAPTURES_DOCUMENTATION / nom, full_page=True)


def test_citizen_on_a_phone_filters_by_departement_and_opens_a_piece_of_evidence(
    telephone, live_server
):
    call_command("seed_demo", "--force", verbosity=0)
    rennes = Commune.objects.get(code_insee="35238")
    with PHOTO.open("rb") as photo, transaction.atomic():
        preuve_ajouter(
            commune=rennes,
            action=action_du_guide("3.2"),
            user=None,
            titre="Photo de la halle mise à disposition",
            nature="photo",
            date="2026-10-02",
            fichier=File(photo, name="halle.png"),
        )
    score = scores_des_communes([rennes.pk], Referentiel.objects.guide())[rennes.pk]
    page = telephone

    page.goto(live_server.url + "/communes/")
    page.get_by_label("Département").select_option(label="Ille-et-Vilaine (35)")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"departement=35"))
    expect(page.get_by_role("status")).to_contain_text("communes trouvées")
    page.get_by_role("link", name="Rennes", exact=True).click()

    expect(page).to_have_url(re.compile(r"/communes/35238/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rennes")
    axe_1 = page.get_by_role("progressbar", name="Avancement de l'axe 1")
    expect(axe_1).to_have_attribute("aria-valuenow", pourcent_nombre(score.axe(1).avancement))
    capture_documentation(page, "scorecard-telephone.png")

    lien = page.get_by_role("link", name="Photo de la halle mise à disposition")
    lien.scroll_into_view_if_needed()
    with page.expect_response(re.compile(r"/preuves/\d+/fichier/$")) as reponse:
        lien.click()
    assert reponse.value.status == 200
    assert reponse.value.headers["content-type"] == "image/png"


def test_citizen_finds_a_commune_and_reads_its_scorecard(page, live_server, capture):
    call_command("seed_demo", "--force", verbosity=0)
    page.goto(live_server.url + "/")
    page.get_by_label("Rechercher une commune (nom ou code INSEE)").fill("Rennes")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("status")).to_contain_text("1 commune trouvée")
    page.get_by_role("link", name="Rennes", exact=True).click()
    expect(page).to_have_url(re.compile(r"/communes/35238/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rennes")
    avancement = page.get_by_role("progressbar", name="Avancement", exact=True)
    expect(avancement).to_have_attribute("aria-valuenow", re.compile(r"^\d+\.\d$"))
    capture("scorecard")
    capture_documentation(page, "scorecard-ordinateur.png")

    # The action page, its public history and the opinion form.
    page.get_by_role("link", name="Détail, historique et avis sur l'action 1.1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Action 1.1")
    expect(page.get_by_role("heading", name="Historique public")).to_be_visible()
    page.get_by_label("Votre avis (obligatoire)").fill("Merci pour ces clauses sociales.")
    page.get_by_label(re.compile("J'accepte que mon avis soit publié")).check()
    page.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_role("status")).to_contain_text("sera publié après relecture")
