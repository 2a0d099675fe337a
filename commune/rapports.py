"""The PDF progress report: what it says, how it is drawn (WeasyPrint), and how many a
commune may ask for."""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from axes.models import Axe, Engagement, Jalon, Preuve
from axes.scoring import calculer_score
from axes.selectors import actions_du_referentiel, engagements_par_commune, entrees
from axes.services import snapshot_valeurs
from marches.indicateurs import indicateurs_commune
from structures.enums import TypeSoutien
from structures.models import Soutien, Structure

from .enums import StatutRapport
from .models import Commune, Rapport

FEUILLE_DE_STYLE = settings.BASE_DIR / "static" / "css" / "rapport.css"


@dataclass(frozen=True)
class PDF:
    contenu: bytes
    pages: int

    @property
    def sha256(self):
        return hashlib.sha256(self.contenu).hexdigest()


def _statuts(actions, engagements):
    return {
        action.code: (engagements[action.pk].statut if action.pk in engagements else None)
        for action in actions
    }


def contexte_du_rapport(rapport):
    """Everything the report shows, read in a fixed number of queries."""
    commune, referentiel = rapport.commune, rapport.referentiel
    actions = actions_du_referentiel(referentiel)
    avec_preuve = engagements_par_commune([commune.pk], referentiel)[commune.pk]
    score = calculer_score(entrees(actions, avec_preuve))
    engagements = {
        e.action_id: e
        for e in Engagement.objects.filter(commune=commune, action__referentiel=referentiel)
        .select_related("pilote")
        .prefetch_related(
            Prefetch("preuves", queryset=Preuve.objects.filter(publique=True)),
            Prefetch("jalons", queryset=Jalon.objects.order_by("date", "pk")),
        )
    }
    axes = []
    for axe in Axe.objects.filter(referentiel=referentiel).order_by("numero"):
        axes.append(
            {
                "axe": axe,
                "score": score.axe(axe.numero),
                "actions": [
                    (action, engagements.get(action.pk))
                    for action in actions
                    if action.axe_id == axe.pk
                ],
            }
        )
    precedent = (
        Rapport.objects.filter(
            commune=commune,
            referentiel=referentiel,
            statut=StatutRapport.PRET,
            created_at__lt=rapport.created_at,
        )
        .order_by("-created_at")
        .first()
    )
    statuts = _statuts(actions, engagements)
    changements = []
    if precedent and precedent.donnees:
        avant = precedent.donnees.get("statuts", {})
        changements = [
            (action, avant.get(action.code), statuts[action.code])
            for action in actions
            if avant.get(action.code) != statuts[action.code]
        ]
    soutiens = list(
        Soutien.objects.filter(commune=commune).select_related("structure").order_by("-annee")
    )
    return {
        "rapport": rapport,
        "commune": commune,
        "referentiel": referentiel,
        "score": score,
        "axes": axes,
        "date": timezone.localdate(),
        "signature": commune.signatures.filter(referentiel=referentiel).first(),
        # The reverse one-to-one raises a subclass of AttributeError when unset.
        "referent": getattr(commune, "elu_referent", None),
        "marches": indicateurs_commune(commune),
        "subventions": [s for s in soutiens if s.type == TypeSoutien.SUBVENTION],
        "locaux": [s for s in soutiens if s.type == TypeSoutien.LOCAUX],
        "autres_soutiens": [
            s for s in soutiens if s.type not in (TypeSoutien.SUBVENTION, TypeSoutien.LOCAUX)
        ],
        "structures": list(
            Structure.objects.published().serving(commune).select_related("type", "commune")
        ),
        "precedent": precedent,
        "changements": changements,
        "evolution": list(
            commune.snapshots.filter(referentiel=referentiel)
            .order_by("date")
            .values("date", "avancement", "taux_engagement")
        ),
        "donnees": {**_json(snapshot_valeurs(score)), "statuts": statuts},
    }


def _json(valeurs):
    return {
        **valeurs,
        "avancement": str(valeurs["avancement"]),
        "taux_engagement": str(valeurs["taux_engagement"]),
    }


def dessiner_pdf(contexte):
    """The report as a tagged PDF (PDF/UA-1), A4."""
    from weasyprint import CSS, HTML

    html = render_to_string("commune/rapport/rapport.html", contexte)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[CSS(filename=str(FEUILLE_DE_STYLE))], pdf_variant="pdf/ua-1"
    )
    contenu = document.write_pdf(pdf_variant="pdf/ua-1")
    return PDF(contenu=contenu, pages=len(document.pages))


# Demandes -----------------------------------------------------------------------------


class DemandeRefusee(Exception):
    """A report request beyond the commune's limits; the message says why, in French."""


def rapport_demander_dans_les_limites(*, commune, referentiel, by) -> Rapport:
    """Asks for a report on behalf of a member: one report of the commune at a time, and
    RAPPORTS_PAR_HEURE an hour, so that a burst of requests queues no burst of builds.
    Raises DemandeRefusee beyond that."""
    from .services import rapport_demander

    with transaction.atomic():
        # Two requests at once for one commune wait for each other here.
        list(Commune.objects.select_for_update().filter(pk=commune.pk).values_list("pk"))
        demandes = Rapport.objects.filter(commune=commune)
        if demandes.filter(statut__in=[StatutRapport.EN_ATTENTE, StatutRapport.EN_COURS]).exists():
            raise DemandeRefusee(
                "Un rapport de cette commune est déjà en préparation : il faut attendre "
                "qu'il soit prêt pour en demander un autre."
            )
        il_y_a_une_heure = timezone.now() - datetime.timedelta(hours=1)
        limite = settings.RAPPORTS_PAR_HEURE
        if (
            demandes.filter(created_at__gte=il_y_a_une_heure, requested_by__isnull=False).count()
            >= limite
        ):
            raise DemandeRefusee(
                f"Cette commune a déjà demandé {limite} rapports dans l'heure : "
                "réessayez un peu plus tard."
            )
        return rapport_demander(commune=commune, referentiel=referentiel, by=by)
