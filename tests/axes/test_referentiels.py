import pytest
from django.db import IntegrityError, transaction

from axes.enums import TypeReferentiel
from axes.models import Action, Axe, Referentiel

pytestmark = pytest.mark.django_db


def test_guide_holds_exactly_5_axes_of_3_actions(guide):
    assert guide.type == TypeReferentiel.GUIDE
    assert guide.axes.count() == 5
    assert guide.actions.count() == 15
    for axe in guide.axes.all():
        assert [a.code for a in axe.actions.order_by("code")] == [
            f"{axe.numero}.{n}" for n in (1, 2, 3)
        ]


def test_2020_propositions_hold_10_themes_and_20_pledges():
    propositions = Referentiel.objects.get(type=TypeReferentiel.PROPOSITIONS)
    assert propositions.axes.count() == 10
    assert propositions.actions.count() == 20
    assert sorted(propositions.axes.values_list("numero", flat=True)) == list(range(1, 11))


def test_every_pledge_maps_to_at_least_one_guide_action(guide):
    propositions = Referentiel.objects.get(type=TypeReferentiel.PROPOSITIONS)
    for pledge in propositions.actions.prefetch_related("correspondances"):
        cibles = list(pledge.correspondances.all())
        assert cibles, f"l'engagement {pledge.code} ne sert aucune action du guide"
        assert all(c.referentiel_id == guide.pk for c in cibles)


def test_referentials_cite_their_source_document(guide):
    for referentiel in Referentiel.objects.all():
        assert "Coorace" in referentiel.source
    assert "Bâtir une commune engagée" in guide.source


def test_action_code_is_unique_within_a_referential(guide):
    axe = guide.axes.get(numero=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(axe=axe, code="1.1", titre="Doublon")


def test_same_action_code_is_allowed_in_another_referential(guide):
    autre = Referentiel.objects.create(
        code="guide-commune-engagee",
        version="2030",
        type=TypeReferentiel.GUIDE,
        titre="Guide, version future",
        source="Coorace",
        actif=False,
    )
    axe = Axe.objects.create(referentiel=autre, numero=1, titre="Axe 1")
    action = Action.objects.create(axe=axe, code="1.1", titre="Même code, autre version")
    assert action.referentiel == autre


def test_guide_is_the_latest_active_version(guide):
    Referentiel.objects.create(
        code="guide-commune-engagee",
        version="2030",
        type=TypeReferentiel.GUIDE,
        titre="Brouillon",
        source="Coorace",
        actif=False,
    )
    assert Referentiel.objects.guide() == guide
