"""/api/docs/ in a real browser, under the site's Content-Security-Policy as it is: the
`page` fixture fails the test on any console error, a refused inline script or style
included."""

import re

import pytest
from playwright.sync_api import expect

from tests.commune.factories import CommuneFactory

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]


def test_swagger_ui_loads_from_the_site_and_runs_a_request(page, live_server):
    CommuneFactory(code_insee="35238", nom="Rennes")
    requetes = []
    page.on("request", lambda requete: requetes.append(requete.url))

    page.goto(live_server.url + "/api/docs/")
    expect(page.get_by_role("heading", name=re.compile("API Commune engagée"))).to_be_visible()
    operation = page.locator("#operations-Communes-communes_list")
    expect(operation).to_be_visible()

    # Every asset came from the site itself: no CDN.
    assert requetes and all(url.startswith(live_server.url) for url in requetes)
    assert any("/static/drf_spectacular_sidecar/" in url for url in requetes)

    # Try the communes list from the page: the answer is shown, 200 with Rennes.
    operation.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    reponse = operation.locator(".live-responses-table .response")
    expect(reponse.locator(".response-col_status")).to_contain_text("200")
    expect(reponse.locator(".response-col_description")).to_contain_text("Rennes")
