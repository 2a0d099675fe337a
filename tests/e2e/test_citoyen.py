import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]


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
