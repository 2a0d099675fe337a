"""The snapshots of a commune's score: one a day at most, the latest one current."""

import datetime

import pytest
from django.db import IntegrityError

from axes.enums import Statut
from axes.models import Engagement, ScoreSnapshot
from axes.services import snapshot_enregistrer, snapshots_courants_marquer
from tests.axes.factories import action_du_guide
from tests.commune.factories import CommuneFactory

pytestmark = pytest.mark.django_db

JOUR_1, JOUR_2, JOUR_3 = (datetime.date(2026, 3, d) for d in (1, 2, 3))


def en_cours(commune, avancement):
    Engagement.objects.update_or_create(
        commune=commune,
        action=action_du_guide("1.2"),
        defaults={"statut": Statut.EN_COURS, "avancement": avancement},
    )


def etat(commune):
    """(date, avancement, courant) of each snapshot, oldest first."""
    return [
        (s.date, float(s.avancement), s.courant)
        for s in ScoreSnapshot.objects.filter(commune=commune).order_by("date")
    ]


def test_the_latest_snapshot_is_the_only_current_one(guide):
    commune = CommuneFactory()
    en_cours(commune, 30)
    snapshot_enregistrer(commune=commune, referentiel=guide, date=JOUR_1)
    en_cours(commune, 60)
    snapshot_enregistrer(commune=commune, referentiel=guide, date=JOUR_2)
    assert etat(commune) == [(JOUR_1, 2.0, False), (JOUR_2, 4.0, True)]
    # A second change the same day updates that day's snapshot, still current.
    en_cours(commune, 90)
    snapshot_enregistrer(commune=commune, referentiel=guide, date=JOUR_2)
    assert etat(commune) == [(JOUR_1, 2.0, False), (JOUR_2, 6.0, True)]


def test_a_change_undone_the_same_day_gives_back_the_previous_current(guide):
    commune = CommuneFactory()
    en_cours(commune, 30)
    snapshot_enregistrer(commune=commune, referentiel=guide, date=JOUR_1)
    en_cours(commune, 60)
    snapshot_enregistrer(commune=commune, referentiel=guide, date=JOUR_2)
    en_cours(commune, 30)
    assert snapshot_enregistrer(commune=commune, referentiel=guide, date=JOUR_2) is None
    assert etat(commune) == [(JOUR_1, 2.0, True)]
    # Nothing changed since: no new snapshot, the same current one.
    assert snapshot_enregistrer(commune=commune, referentiel=guide, date=JOUR_3) is None
    assert etat(commune) == [(JOUR_1, 2.0, True)]


def test_two_current_snapshots_of_one_commune_are_refused(guide):
    commune = CommuneFactory()
    for date in (JOUR_1, JOUR_2):
        ScoreSnapshot.objects.create(
            commune=commune, referentiel=guide, date=date, avancement=0, taux_engagement=0
        )
    ScoreSnapshot.objects.filter(date=JOUR_1).update(courant=True)
    with pytest.raises(IntegrityError):
        ScoreSnapshot.objects.filter(date=JOUR_2).update(courant=True)


def test_snapshots_written_by_hand_are_marked_by_date(guide):
    communes = [CommuneFactory(), CommuneFactory()]
    for commune in communes:
        for date in (JOUR_2, JOUR_1, JOUR_3):
            ScoreSnapshot.objects.create(
                commune=commune, referentiel=guide, date=date, avancement=0, taux_engagement=0
            )
    snapshots_courants_marquer(communes=communes, referentiel=guide)
    for commune in communes:
        assert [courant for *_, courant in etat(commune)] == [False, False, True]
