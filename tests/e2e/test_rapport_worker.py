"""A report asked for in the browser and built by a real Celery worker process.

It needs the real services: PostgreSQL (the worker and the test share the test
database) and Redis (the broker). In CI both are there and this test must run.
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect
from pypdf import PdfReader

from axes.models import Referentiel
from axes.scoring import arrondi
from axes.selectors import scores_des_communes
from commune.models import Commune
from config.celery import app

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]

RACINE = Path(__file__).resolve().parent.parent.parent


def services_reels():
    manquants = []
    if connection.vendor != "postgresql":
        manquants.append("PostgreSQL (DATABASE_URL)")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        manquants.append("Redis (CELERY_BROKER_URL)")
    if manquants:
        message = "ce test demande " + " et ".join(manquants)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def url_base_de_test():
    reglages = connection.settings_dict
    return (
        f"postgres://{reglages['USER']}:{reglages['PASSWORD'] or ''}@{reglages['HOST']}:"
        f"{reglages['PORT'] or 5432}/{reglages['NAME']}"
    )


@pytest.fixture
def worker(live_server, settings):
    services_reels()
    # The web side sends tasks to the broker instead of running them in-process.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url_base_de_test(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    journal = open(settings.MEDIA_ROOT.parent / "worker.log", "w")  # noqa: SIM115
    processus = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "info",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=RACINE,
        env=env,
        stdout=journal,
        stderr=subprocess.STDOUT,
    )
    yield processus
    processus.terminate()
    processus.wait(timeout=30)
    journal.close()
    app.conf.task_always_eager = True


def test_elected_official_gets_a_pdf_built_by_the_worker(page, live_server, worker, settings):
    call_command("seed_demo", "--force", verbosity=0)
    rennes = Commune.objects.get(code_insee="35238")
    guide = Referentiel.objects.guide()
    score = scores_des_communes([rennes.pk], guide)[rennes.pk]

    page.goto(live_server.url + "/connexion/")
    page.get_by_label("Adresse e-mail").fill("elu@demo.test")
    page.get_by_label("Mot de passe").fill("demo-commune-engagee")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(live_server.url + "/espace/communes/35238/rapports/")
    page.get_by_role("button", name="Demander un nouveau rapport").click()

    # The page follows the build without a reload.
    debut = time.monotonic()
    expect(page.get_by_role("link", name="Télécharger le rapport (PDF)")).to_be_visible(
        timeout=120_000
    )
    duree = time.monotonic() - debut
    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger le rapport (PDF)").click()
    contenu = Path(attente.value.path()).read_bytes()

    texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    texte = texte.replace("\u00a0", " ").replace("\u202f", " ")
    assert "Rennes" in texte
    assert f"{arrondi(score.avancement):.1f}".replace(".", ",") + " %" in texte
    for axe in guide.axes.all():
        assert axe.titre in texte, axe.titre
    assert rennes.rapports.get().statut == "prêt"
    print(f"rapport construit par le worker en {duree:.1f} s")
