"""The public pages pass axe-core (WCAG 2.1 A and AA rules) in Chromium: no serious or
critical violation. axe-core comes from npm (package.json at the root, `npm ci`)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]

AXE = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
REGLES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
GRAVES = {"serious", "critical"}
PAGES = [
    "/communes/35238/",
    "/communes/",
    "/communes/?departement=35&tri=-score",
    "/communes/35238/actions/1.1/",
    "/communes/35238/actions/3.2/",
    "/",
    "/departements/35/",
    "/communes/comparer/?c=35238&c=35047&c=99999",
    "/donnees/",
    "/methodologie/",
    "/communes/35238/actions/2.3/avis/",
]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"axe-core introuvable ({AXE}) : lancez `npm ci` à la racine.")
        pytest.skip("axe-core introuvable : lancez `npm ci` à la racine du dépôt.")
    return AXE.read_text(encoding="utf-8")


def violations_graves(page, axe_source):
    # Evaluated through the DevTools protocol, which the page's CSP does not govern:
    # a <script> tag with this content would be refused as inline script.
    page.evaluate(axe_source)
    resultat = page.evaluate(
        "regles => axe.run(document, {runOnly: {type: 'tag', values: regles}})", REGLES
    )
    return [
        f"{v['id']} ({v['impact']}) : {v['help']} — "
        + " | ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in resultat["violations"]
        if v["impact"] in GRAVES
    ]


def test_public_pages_have_no_serious_accessibility_violation(page, live_server, axe_source):
    call_command("seed_demo", "--force", verbosity=0)
    constats = {}
    for chemin in PAGES:
        page.goto(live_server.url + chemin)
        graves = violations_graves(page, axe_source)
        if graves:
            constats[chemin] = graves
    assert not constats, constats


def test_form_errors_have_no_serious_accessibility_violation(page, live_server, axe_source):
    call_command("seed_demo", "--force", verbosity=0)
    page.goto(live_server.url + "/communes/35238/actions/1.1/")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_role("alert").first.wait_for()
    assert not violations_graves(page, axe_source)


def test_scorecard_on_a_phone_has_no_serious_accessibility_violation(
    navigateur, live_server, axe_source
):
    call_command("seed_demo", "--force", verbosity=0)
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = contexte.new_page()
    try:
        page.goto(live_server.url + "/communes/35238/")
        assert not violations_graves(page, axe_source)
    finally:
        contexte.close()
