"""Background work of the commune app: building the PDF progress reports.

Delivery survives a broker or a worker that fails:

* a build that cannot be sent (broker unreachable) leaves its report waiting, with a
  message the person sees, and `balayer_rapports` sends it again;
* a message is acknowledged only once its build is over (`acks_late`), so a worker
  killed mid-build leaves it to the broker, which hands it to another worker after its
  visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS);
* the worker building a report writes a sign of life (`battement`) every
  RAPPORT_BATTEMENT seconds: a report "en cours" whose worker has been silent for
  RAPPORT_SILENCE_MAX seconds may be claimed again, by the redelivered message or the
  sweep; the claim counts as an attempt (`tentatives`), and only the build holding the
  latest attempt may deliver, so a report gets exactly one file.
"""

import datetime
import logging
import threading
import time
from contextlib import contextmanager

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from .enums import StatutRapport
from .models import Rapport

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the disk hiccuped.
ERREURS_PASSAGERES = (DatabaseError, OSError)
# Builds started for one report, by retries after a passing error or after a silent worker.
TENTATIVES_MAX = 3
# What a broker that cannot be reached raises when a task is sent.
ERREURS_DE_LA_FILE = (OperationalError, RedisError, ConnectionError)

MESSAGE_BLOQUE = "Le rapport est resté bloqué en cours de construction. Demandez-en un nouveau."
MESSAGE_FILE_INJOIGNABLE = (
    "Le service qui construit les rapports est momentanément injoignable : "
    "la demande est enregistrée et sera relancée automatiquement dans quelques minutes."
)


def rapport_envoyer(rapport):
    """Queues the build once the transaction that created the row has committed."""
    transaction.on_commit(lambda: _envoyer(rapport.pk))


def _envoyer(rapport_id):
    """Sends the build to the broker, and records the sending. A broker that cannot be
    reached leaves the report waiting, with a message, for the sweep: never an error
    for the person who asked."""
    Rapport.objects.filter(pk=rapport_id).update(envoye_le=timezone.now(), envois=F("envois") + 1)
    try:
        construire_rapport.delay(rapport_id)
    except ERREURS_DE_LA_FILE:
        logger.warning("rapport=%s non envoyé : file injoignable", rapport_id, exc_info=True)
        Rapport.objects.filter(pk=rapport_id, statut=StatutRapport.EN_ATTENTE).update(
            erreur=MESSAGE_FILE_INJOIGNABLE
        )
        return False
    return True


def _echec(rapport_id, message):
    Rapport.objects.filter(pk=rapport_id).update(
        statut=StatutRapport.ECHEC, erreur=message, finished_at=timezone.now()
    )


def _silencieux():
    """Being built by a worker silent for RAPPORT_SILENCE_MAX seconds (rows claimed before
    signs of life existed have only their start)."""
    depuis = timezone.now() - datetime.timedelta(seconds=settings.RAPPORT_SILENCE_MAX)
    return Q(statut=StatutRapport.EN_COURS) & (
        Q(battement__lt=depuis) | Q(battement__isnull=True, started_at__lt=depuis)
    )


def _prendre(rapport_id):
    """Claims the report for this build: the attempt number, or None when it is done,
    or being built by a worker that still shows signs of life."""
    libre = Q(statut=StatutRapport.EN_ATTENTE) | _silencieux()
    maintenant = timezone.now()
    pris = Rapport.objects.filter(libre, pk=rapport_id, tentatives__lt=TENTATIVES_MAX).update(
        statut=StatutRapport.EN_COURS,
        started_at=maintenant,
        battement=maintenant,
        tentatives=F("tentatives") + 1,
        erreur="",
    )
    if not pris:
        return None
    return Rapport.objects.values_list("tentatives", flat=True).get(pk=rapport_id)


@contextmanager
def _signes_de_vie(rapport_id, tentative):
    """Writes the build's sign of life every RAPPORT_BATTEMENT seconds, from a thread:
    the drawing itself cannot stop to do it."""
    fin = threading.Event()

    def battre():
        try:
            while not fin.wait(settings.RAPPORT_BATTEMENT):
                Rapport.objects.filter(
                    pk=rapport_id, statut=StatutRapport.EN_COURS, tentatives=tentative
                ).update(battement=timezone.now())
        finally:
            connection.close()

    fil = threading.Thread(target=battre, name=f"rapport-{rapport_id}-battement", daemon=True)
    fil.start()
    try:
        yield
    finally:
        fin.set()
        fil.join()


def _non_pris(rapport_id, *, relire):
    en_cours = Rapport.objects.filter(pk=rapport_id, statut=StatutRapport.EN_COURS)
    if en_cours.filter(_silencieux()).exists():
        # Silent, and every attempt spent: a report that kills its worker each time.
        logger.error("rapport=%s : tentatives épuisées", rapport_id)
        _echec(rapport_id, MESSAGE_BLOQUE)
    elif relire and en_cours.exists():
        # Another worker has it, or had it and died a moment ago: look again once its
        # silence would show, rather than trust a worker that may be gone.
        logger.info("rapport=%s en cours ailleurs : revu plus tard", rapport_id)
        construire_rapport.apply_async((rapport_id,), countdown=settings.RAPPORT_SILENCE_MAX)
    else:
        logger.info("rapport=%s déjà pris ou absent : rien à faire", rapport_id)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=TENTATIVES_MAX - 1,
    soft_time_limit=settings.RAPPORT_DUREE_MAX,
    time_limit=settings.RAPPORT_DUREE_MAX + 30,
)
def construire_rapport(self, rapport_id):
    """Builds one report. Claims the row first, so a second delivery does nothing."""
    from .rapports import contexte_du_rapport, dessiner_pdf

    tentative = _prendre(rapport_id)
    if tentative is None:
        # Eager (embedded mode, tests): a look later would run now, and again.
        _non_pris(rapport_id, relire=not (self.request.is_eager or self.app.conf.task_always_eager))
        return
    rapport = Rapport.objects.select_related("commune", "referentiel").get(pk=rapport_id)
    try:
        with _signes_de_vie(rapport_id, tentative):
            # Test settings only: a build slow enough for a test to kill its worker.
            if pause := getattr(settings, "RAPPORT_PAUSE_DE_TEST", 0):
                time.sleep(pause)
            contexte = contexte_du_rapport(rapport)
            pdf = dessiner_pdf(contexte)
        nom = f"rapport-{rapport.commune.code_insee}-{rapport.pk}.pdf"
        with transaction.atomic():
            rapport.fichier.save(nom, ContentFile(pdf.contenu), save=False)
            livre = Rapport.objects.filter(
                pk=rapport_id, statut=StatutRapport.EN_COURS, tentatives=tentative
            ).update(
                statut=StatutRapport.PRET,
                fichier=rapport.fichier.name,
                sha256=pdf.sha256,
                taille=len(pdf.contenu),
                pages=pdf.pages,
                donnees=contexte["donnees"],
                finished_at=timezone.now(),
            )
        if not livre:
            # Taken over while this worker looked silent: the other build delivers.
            rapport.fichier.delete(save=False)
            logger.warning("rapport=%s repris par une autre construction", rapport_id)
    except SoftTimeLimitExceeded:
        _echec(rapport_id, "La construction du rapport a pris trop de temps. Réessayez plus tard.")
    except ERREURS_PASSAGERES as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("rapport=%s échec après %s tentatives", rapport_id, TENTATIVES_MAX)
            _echec(
                rapport_id,
                "Le rapport n'a pas pu être construit après plusieurs tentatives "
                "(incident technique passager). Demandez-en un nouveau dans quelques minutes.",
            )
            return
        Rapport.objects.filter(pk=rapport_id).update(statut=StatutRapport.EN_ATTENTE)
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 2)) from exc
    except Exception:
        logger.exception("rapport=%s échec", rapport_id)
        _echec(
            rapport_id,
            "Le rapport n'a pas pu être construit à cause d'une erreur inattendue. "
            "L'équipe de la plateforme a été prévenue.",
        )


@shared_task
def balayer_rapports():
    """Reports stranded by a broker or a worker that failed: sent again, within bounds.

    * "en attente" for RAPPORT_ATTENTE_MAX seconds since last sent (the broker was down,
      or lost the message): sent again, RAPPORT_ENVOIS_MAX times in all, then failed;
    * "en cours" with a worker silent for RAPPORT_SILENCE_MAX seconds: sent again while
      attempts remain, then failed.
    """
    maintenant = timezone.now()
    attente = maintenant - datetime.timedelta(seconds=settings.RAPPORT_ATTENTE_MAX)
    en_attente = Rapport.objects.alias(dernier_envoi=Coalesce("envoye_le", "created_at")).filter(
        statut=StatutRapport.EN_ATTENTE, dernier_envoi__lt=attente
    )
    silencieux = Rapport.objects.filter(_silencieux())
    echecs = en_attente.filter(envois__gte=settings.RAPPORT_ENVOIS_MAX).update(
        statut=StatutRapport.ECHEC,
        erreur="Le rapport n'a pas pu être lancé (service de construction indisponible). "
        "Demandez-en un nouveau.",
        finished_at=maintenant,
    )
    echecs += silencieux.filter(tentatives__gte=TENTATIVES_MAX).update(
        statut=StatutRapport.ECHEC, erreur=MESSAGE_BLOQUE, finished_at=maintenant
    )
    relances = 0
    for requete in (en_attente, silencieux):
        for pk in requete.values_list("pk", flat=True).order_by("pk"):
            relances += _envoyer(pk)
    return {"relances": relances, "echecs": echecs}


@shared_task
def rapports_mensuels():
    """Queues a report for every commune that signed the guide."""
    from .services import rapports_demander

    return len(rapports_demander(communes=None, by=None))
