"""The conflict page in a real browser: a member who saves an action from a page opened
before a colleague's save lands on the conflict page, focused on its summary, with no
serious accessibility violation, and saves the merge from it."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from axes.models import Engagement
from commune.enums import Role
from tests.axes.factories import EngagementFactory, action_du_guide
from tests.commune.factories import CommuneFactory, MembreCommuneFactory
from tests.e2e.test_accessibilite import axe_source, violations_graves  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]


def _connecter(page, base, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])


@pytest.fixture
def erreurs_console_attendues():
    """The 409 of the conflict page itself: Chromium logs any 4xx document as an error."""
    return ("Failed to load resource: the server responded with a status of 409 (Conflict)",)


def test_conflict_page_is_focused_accessible_and_saves_the_merge(page, live_server, axe_source):  # noqa: F811
    engagement = EngagementFactory(
        commune=CommuneFactory(code_insee="35238", nom="Rennes"),
        action=action_du_guide("2.2"),
        description="Description d'origine.",
    )
    alice, bruno = (
        MembreCommuneFactory(
            commune=engagement.commune, role=Role.EDITEUR, user__first_name=prenom
        ).user
        for prenom in ("Alice", "Bruno")
    )
    url = f"{live_server.url}/espace/communes/35238/actions/2.2/"
    _connecter(page, live_server.url, bruno)
    page.goto(url)

    # Alice saves a new description while Bruno's page is open.
    client = Client()
    client.force_login(alice)
    donnees = {"statut": "engagé", "date_cible": "2027-06-30", "version": "1"}
    reponse = client.post(url, {**donnees, "description": "Celle d'Alice."})
    assert reponse.status_code == 302

    page.get_by_label("Justification").fill("Celle de Bruno.")
    with page.expect_response(url) as envoi:
        page.get_by_role("button", name="Enregistrer l'action 2.2").click()
    assert envoi.value.status == 409
    alerte = page.get_by_role("alert")
    expect(alerte).to_contain_text("Rien n'a été enregistré")
    expect(alerte).to_be_focused()
    assert not violations_graves(page, axe_source)
    expect(page.get_by_label("Justification")).to_have_value("Celle de Bruno.")

    page.get_by_label("Description publique").fill("Celle d'Alice, relue par Bruno.")
    page.get_by_role("button", name="Enregistrer l'action 2.2").click()
    expect(page.get_by_role("status")).to_contain_text("Action 2.2 enregistrée.")
    engagement = Engagement.objects.get()
    assert engagement.description == "Celle d'Alice, relue par Bruno."
    assert engagement.justification == "Celle de Bruno."
