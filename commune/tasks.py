"""Background work of the commune app: building the PDF progress reports."""

import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from .enums import StatutRapport
from .models import Rapport

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the disk hiccuped.
ERREURS_PASSAGERES = (DatabaseError, OSError)
TENTATIVES_MAX = 3


def rapport_envoyer(rapport):
    """Queues the build once the transaction that created the row has committed."""
    transaction.on_commit(lambda: construire_rapport.delay(rapport.pk))


def _echec(rapport_id, message):
    Rapport.objects.filter(pk=rapport_id).update(
        statut=StatutRapport.ECHEC, erreur=message, finished_at=timezone.now()
    )


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

    pris = Rapport.objects.filter(pk=rapport_id, statut=StatutRapport.EN_ATTENTE).update(
        statut=StatutRapport.EN_COURS,
        started_at=timezone.now(),
        tentatives=F("tentatives") + 1,
        erreur="",
    )
    if not pris:
        logger.info("rapport=%s déjà pris ou absent : rien à faire", rapport_id)
        return
    rapport = Rapport.objects.select_related("commune", "referentiel").get(pk=rapport_id)
    try:
        contexte = contexte_du_rapport(rapport)
        pdf = dessiner_pdf(contexte)
        nom = f"rapport-{rapport.commune.code_insee}-{rapport.pk}.pdf"
        with transaction.atomic():
            rapport.fichier.save(nom, ContentFile(pdf.contenu), save=False)
            Rapport.objects.filter(pk=rapport_id, statut=StatutRapport.EN_COURS).update(
                statut=StatutRapport.PRET,
                fichier=rapport.fichier.name,
                sha256=pdf.sha256,
                taille=len(pdf.contenu),
                pages=pdf.pages,
                donnees=contexte["donnees"],
                finished_at=timezone.now(),
            )
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
    """Reports stuck `en cours` (a worker died): re-queued once, then marked failed."""
    limite = timezone.now() - datetime.timedelta(seconds=settings.RAPPORT_DUREE_MAX * 2)
    bloques = Rapport.objects.filter(statut=StatutRapport.EN_COURS, started_at__lt=limite)
    relances = 0
    for rapport in bloques.filter(tentatives__lt=2):
        if Rapport.objects.filter(pk=rapport.pk, statut=StatutRapport.EN_COURS).update(
            statut=StatutRapport.EN_ATTENTE
        ):
            rapport_envoyer(rapport)
            relances += 1
    echecs = bloques.filter(tentatives__gte=2).update(
        statut=StatutRapport.ECHEC,
        erreur="Le rapport est resté bloqué en cours de construction. Demandez-en un nouveau.",
        finished_at=timezone.now(),
    )
    return {"relances": relances, "echecs": echecs}


@shared_task
def rapports_mensuels():
    """Queues a report for every commune that signed the guide."""
    from .services import rapports_demander

    return len(rapports_demander(communes=None, by=None))
