"""A report asked for in the browser and built by a real Celery worker process.

It needs the real services: PostgreSQL (the worker and the test share the test
database) and Redis (the broker). In CI both are there and this test must run.
"""

import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from axes.models import Referentiel
from axes.scoring import arrondi
from axes.selectors import scores_des_communes
from commune.models import Commune
from tests.pile import exiger_services_reels, worker_celery

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]


@pytest.fixture
def worker(live_server, settings, tmp_path):
    exiger_services_reels()
    # The web side (the live server, in this process) sends tasks to the broker.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with worker_celery(settings.MEDIA_ROOT, tmp_path / "worker.log") as processus:
        yield processus


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
