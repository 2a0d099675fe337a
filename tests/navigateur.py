"""Browser fixtures: Playwright driving Debian's Chromium. One Playwright session for the
whole run: two cannot be open at once."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CAPTURES = Path(__file__).resolve().parent.parent / "var" / "captures"


@pytest.fixture(scope="session")
def navigateur():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium introuvable ({CHROMIUM}) : `make test` l'installe.")
        pytest.skip(f"Chromium introuvable ({CHROMIUM}) : lancez `make test` pour l'installer.")
    # Playwright's sync API runs an event loop in this thread; the test's own
    # ORM calls happen outside any coroutine, so Django's guard can be lifted.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        navigateur = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield navigateur
        navigateur.close()


@pytest.fixture
def erreurs_console_attendues():
    """Console errors a test expects, to override: Chromium logs any 4xx document as one
    (a test of the 409 conflict page expects exactly that)."""
    return ()


@pytest.fixture
def page(navigateur, erreurs_console_attendues):
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = contexte.new_page()
    page.set_default_timeout(15_000)
    erreurs = []
    page.on("console", lambda m: erreurs.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: erreurs.append(str(e)))
    yield page
    contexte.close()
    # A page that breaks the Content-Security-Policy or throws fails its test.
    inattendues = [erreur for erreur in erreurs if erreur not in erreurs_console_attendues]
    assert not inattendues, inattendues


@pytest.fixture
def capture(page, request):
    """Saves a screenshot of the page under var/captures/, named after the test."""
    CAPTURES.mkdir(parents=True, exist_ok=True)

    def prendre(nom):
        page.screenshot(path=CAPTURES / f"{request.node.name}-{nom}.png", full_page=True)

    return prendre
