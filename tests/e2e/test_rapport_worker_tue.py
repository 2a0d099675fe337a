"""A worker killed (SIGKILL) in the middle of a build: another worker delivers the
report, without beat, with exactly one file.

Real services: PostgreSQL (the workers and the test share the test database) and Redis
(the broker, whose visibility timeout hands the unacknowledged message to the next
worker). The first worker's build is made slow by RAPPORT_PAUSE_DE_TEST, read by the
test settings only, so that it can be killed mid-build.
"""

import os
import signal
import time

import pytest
from django.conf import settings

from axes.models import Referentiel
from commune import services
from commune.enums import StatutRapport
from tests.axes.factories import SignatureFactory
from tests.commune.factories import CommuneFactory
from tests.pile import exiger_services_reels, worker_celery

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]


def attendre(condition, delai, message):
    limite = time.monotonic() + delai
    while not condition():
        if time.monotonic() > limite:
            pytest.fail(message)
        time.sleep(0.5)


def statut(rapport):
    rapport.refresh_from_db()
    return rapport.statut


def test_a_worker_killed_mid_build_leaves_its_report_to_the_next_worker(
    settings_celery, monkeypatch, tmp_path
):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    guide = Referentiel.objects.guide()
    SignatureFactory(commune=commune, referentiel=guide)

    monkeypatch.setenv("RAPPORT_PAUSE_DE_TEST", "60")
    with worker_celery(settings.MEDIA_ROOT, tmp_path / "premier.log") as premier:
        rapport = services.rapport_demander(commune=commune, referentiel=guide, by=None)
        attendre(
            lambda: statut(rapport) == StatutRapport.EN_COURS,
            60,
            "le premier worker n'a pas pris le rapport",
        )
        os.kill(premier.pid, signal.SIGKILL)
        premier.wait(timeout=10)
        tue_a = time.monotonic()
    assert statut(rapport) == StatutRapport.EN_COURS

    monkeypatch.delenv("RAPPORT_PAUSE_DE_TEST")
    # No beat: only the broker's redelivery can bring the report back.
    with worker_celery(settings.MEDIA_ROOT, tmp_path / "second.log"):
        attendre(
            lambda: statut(rapport) in (StatutRapport.PRET, StatutRapport.ECHEC),
            120,
            "le rapport n'a pas été livré dans les deux minutes après la mort du worker",
        )
        duree = time.monotonic() - tue_a

    assert rapport.statut == StatutRapport.PRET, rapport.erreur
    assert rapport.tentatives == 2
    fichiers = list((settings.MEDIA_ROOT / "rapports").glob("*.pdf"))
    assert [f.name for f in fichiers] == [os.path.basename(rapport.fichier.name)]
    with rapport.fichier.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    print(f"rapport livré {duree:.1f} s après le SIGKILL du worker, sans beat")


@pytest.fixture
def settings_celery(settings):
    exiger_services_reels()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The test process only sends: a build must never run here.
    return settings
