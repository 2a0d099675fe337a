"""Report delivery when the broker or a worker fails, and the limit on requests.

The killed worker, with a real broker and worker processes, is in
tests/e2e/test_rapport_worker_tue.py."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from axes.models import Referentiel
from commune.enums import StatutRapport
from commune.models import Rapport
from commune.tasks import TENTATIVES_MAX, balayer_rapports, construire_rapport
from config.celery import app
from tests.api.conftest import client_api

pytestmark = pytest.mark.django_db

IL_Y_A_UNE_HEURE = datetime.timedelta(hours=1)


def nouveau_rapport(commune, *, cree_il_y_a=None, **champs):
    rapport = Rapport.objects.create(
        commune=commune, referentiel=Referentiel.objects.guide(), **champs
    )
    if cree_il_y_a is not None:
        Rapport.objects.filter(pk=rapport.pk).update(created_at=timezone.now() - cree_il_y_a)
    return rapport


@pytest.fixture
def broker_injoignable(monkeypatch):
    """Tasks sent for real, to a broker on a closed port (as tests/pile.py does)."""
    # Celery reads CELERY_BROKER_URL from the environment before its settings (CI sets
    # it); the write URL comes first of all.
    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", "redis://127.0.0.1:1/0")
    conf = app.conf
    avant = (conf.task_always_eager, conf.broker_url, app._pool, app.amqp._producer_pool)
    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:1/0"
    # Connection pools of their own, made for the closed port.
    app._pool = app.amqp._producer_pool = None
    yield
    conf.task_always_eager, conf.broker_url, app._pool, app.amqp._producer_pool = avant


def demander(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("espace:rapports:demander", args=["35238"]))


# --- The broker is down when a report is asked for -----------------------------------------


def test_broker_down_at_request_leaves_the_report_waiting_with_a_message(
    client, matrice, guide, broker_injoignable, django_capture_on_commit_callbacks
):
    client.force_login(matrice.users["editeur"])
    reponse = demander(client, django_capture_on_commit_callbacks)
    rapport = Rapport.objects.get()
    assert reponse.status_code == 302
    assert rapport.statut == StatutRapport.EN_ATTENTE
    assert "relancée automatiquement" in rapport.erreur
    page = client.get(reverse("espace:rapports:detail", args=["35238", rapport.pk]))
    assert page.status_code == 200
    assert "momentanément injoignable" in page.content.decode()


def test_broker_down_at_an_api_request_answers_202_with_the_message(
    matrice, guide, broker_injoignable, django_capture_on_commit_callbacks
):
    api = client_api(matrice.users["editeur"])
    with django_capture_on_commit_callbacks(execute=True):
        reponse = api.post("/api/v1/communes/35238/rapports/")
    assert reponse.status_code == 202
    rapport = Rapport.objects.get()
    assert "injoignable" in rapport.erreur
    assert "injoignable" in api.get(reponse["Location"]).json()["erreur"]


# --- The sweep -------------------------------------------------------------------------------


def test_sweep_sends_again_a_report_waiting_too_long_then_builds_it(matrice, guide):
    oublie = nouveau_rapport(matrice.commune, cree_il_y_a=IL_Y_A_UNE_HEURE, envois=1)
    Rapport.objects.filter(pk=oublie.pk).update(envoye_le=timezone.now() - IL_Y_A_UNE_HEURE)
    jamais_envoye = nouveau_rapport(matrice.commune, cree_il_y_a=IL_Y_A_UNE_HEURE)
    recent = nouveau_rapport(matrice.commune, envois=1, envoye_le=timezone.now())
    assert balayer_rapports() == {"relances": 2, "echecs": 0}
    for rapport in (oublie, jamais_envoye):
        rapport.refresh_from_db()
        assert rapport.statut == StatutRapport.PRET, rapport.erreur  # sent and built (eager)
    recent.refresh_from_db()
    assert recent.statut == StatutRapport.EN_ATTENTE


def test_sweep_marks_failed_a_report_sent_too_many_times(matrice, guide, settings):
    rapport = nouveau_rapport(
        matrice.commune,
        cree_il_y_a=IL_Y_A_UNE_HEURE,
        envois=settings.RAPPORT_ENVOIS_MAX,
        envoye_le=timezone.now() - IL_Y_A_UNE_HEURE,
    )
    assert balayer_rapports() == {"relances": 0, "echecs": 1}
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.ECHEC
    assert "Demandez-en un nouveau" in rapport.erreur


def test_sweep_takes_over_a_report_whose_worker_went_silent(matrice, guide):
    longtemps = timezone.now() - IL_Y_A_UNE_HEURE
    silencieux = nouveau_rapport(
        matrice.commune,
        statut=StatutRapport.EN_COURS,
        started_at=longtemps,
        battement=longtemps,
        tentatives=1,
    )
    epuise = nouveau_rapport(
        matrice.commune,
        statut=StatutRapport.EN_COURS,
        started_at=longtemps,
        battement=longtemps,
        tentatives=TENTATIVES_MAX,
    )
    vivant = nouveau_rapport(
        matrice.commune,
        statut=StatutRapport.EN_COURS,
        started_at=longtemps,
        battement=timezone.now(),
        tentatives=1,
    )
    assert balayer_rapports() == {"relances": 1, "echecs": 1}
    for rapport in (silencieux, epuise, vivant):
        rapport.refresh_from_db()
    assert (silencieux.statut, silencieux.tentatives) == (StatutRapport.PRET, 2)
    assert epuise.statut == StatutRapport.ECHEC
    assert vivant.statut == StatutRapport.EN_COURS


def test_a_redelivered_build_takes_over_from_a_silent_worker_only(matrice, guide):
    longtemps = timezone.now() - IL_Y_A_UNE_HEURE
    rapport = nouveau_rapport(
        matrice.commune, statut=StatutRapport.EN_COURS, started_at=longtemps, tentatives=1
    )
    Rapport.objects.filter(pk=rapport.pk).update(battement=timezone.now())
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.EN_COURS
    Rapport.objects.filter(pk=rapport.pk).update(battement=longtemps)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    assert (rapport.statut, rapport.tentatives) == (StatutRapport.PRET, 2)


def test_a_build_overtaken_while_silent_keeps_no_file(matrice, guide, monkeypatch, settings):
    """The first build looked dead and another one claimed the report meanwhile: the
    first one's PDF is dropped, so the report has exactly one file."""
    from commune import rapports

    rapport = nouveau_rapport(matrice.commune)
    dessiner = rapports.dessiner_pdf

    def repris_pendant_le_dessin(contexte):
        Rapport.objects.filter(pk=rapport.pk).update(tentatives=5)
        return dessiner(contexte)

    monkeypatch.setattr(rapports, "dessiner_pdf", repris_pendant_le_dessin)
    construire_rapport.apply(args=[rapport.pk])
    rapport.refresh_from_db()
    assert rapport.statut == StatutRapport.EN_COURS
    assert not rapport.fichier
    assert not list((settings.MEDIA_ROOT / "rapports").glob("*.pdf"))


# --- The limit on requests -------------------------------------------------------------------


def test_a_second_request_while_one_is_pending_is_refused_in_french(
    client, matrice, guide, broker_injoignable, django_capture_on_commit_callbacks
):
    client.force_login(matrice.users["editeur"])
    demander(client, django_capture_on_commit_callbacks)
    reponse = demander(client, django_capture_on_commit_callbacks)
    assert reponse["Location"] == reverse("espace:rapports:liste", args=["35238"])
    assert Rapport.objects.count() == 1
    page = client.get(reponse["Location"]).content.decode()
    assert "déjà en préparation" in page


def test_twenty_requests_queue_one_build(matrice, guide, broker_injoignable):
    api = client_api(matrice.users["editeur"])
    statuts = [api.post("/api/v1/communes/35238/rapports/").status_code for _ in range(20)]
    assert statuts == [202] + [429] * 19
    assert Rapport.objects.count() == 1


def test_requests_beyond_the_hourly_limit_answer_429_in_json(matrice, guide, settings):
    settings.RAPPORTS_PAR_HEURE = 2
    for _ in range(2):
        nouveau_rapport(
            matrice.commune, statut=StatutRapport.PRET, requested_by=matrice.users["editeur"]
        )
    api = client_api(matrice.users["admin"])
    reponse = api.post("/api/v1/communes/35238/rapports/")
    assert reponse.status_code == 429
    assert reponse["Content-Type"] == "application/json"
    assert "2 rapports dans l'heure" in reponse.json()["detail"]
    assert Rapport.objects.count() == 2


def test_requests_count_again_after_an_hour(client, matrice, guide, settings):
    settings.RAPPORTS_PAR_HEURE = 1
    nouveau_rapport(
        matrice.commune,
        statut=StatutRapport.PRET,
        requested_by=matrice.users["editeur"],
        cree_il_y_a=IL_Y_A_UNE_HEURE + datetime.timedelta(minutes=1),
    )
    client.force_login(matrice.users["editeur"])
    reponse = client.post(reverse("espace:rapports:demander", args=["35238"]))
    assert Rapport.objects.count() == 2
    assert reponse["Location"].startswith("/espace/communes/35238/rapports/")
