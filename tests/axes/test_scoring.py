from decimal import Decimal
from fractions import Fraction

import pytest

from axes.enums import Statut
from axes.scoring import ActionInput, arrondi, calculer_score, progression, statut_effectif

NR, ENG, EC, REA, NC = (
    Statut.NON_RENSEIGNE,
    Statut.ENGAGE,
    Statut.EN_COURS,
    Statut.REALISE,
    Statut.NON_CONCERNE,
)


def action(axe, n, statut=NR, avancement=None, preuve=False, poids=1):
    return ActionInput(
        axe=axe,
        code=f"{axe}.{n}",
        poids=poids,
        statut=statut,
        avancement=avancement,
        a_preuve=preuve,
    )


def guide_vide():
    return [action(axe, n) for axe in range(1, 6) for n in range(1, 4)]


def test_worked_example_of_the_design_gives_70_and_100():
    score = calculer_score([action(1, 1, REA, preuve=True), action(1, 2, EC, 40), action(1, 3, NC)])
    axe = score.axe(1)
    assert axe.avancement == 70
    assert axe.taux_engagement == 100
    assert score.avancement == 70


def test_commune_that_filled_nothing_scores_zero_on_both_figures():
    score = calculer_score(guide_vide())
    assert score.avancement == 0
    assert score.taux_engagement == 0
    assert score.comptes[NR] == 15
    assert all(not axe.exclu for axe in score.axes)


def test_realise_without_evidence_counts_as_a_commitment_not_as_done():
    sans_preuve = calculer_score([action(1, 1, REA, preuve=False), action(1, 2), action(1, 3)])
    avec_preuve = calculer_score([action(1, 1, REA, preuve=True), action(1, 2), action(1, 3)])
    assert sans_preuve.avancement == 0
    assert sans_preuve.taux_engagement == Fraction(100, 3)
    assert sans_preuve.comptes[REA] == 0
    assert sans_preuve.comptes[ENG] == 1
    assert avec_preuve.avancement == Fraction(100, 3)
    assert avec_preuve.comptes[REA] == 1


def test_weights_pull_the_axis_towards_heavier_actions():
    score = calculer_score([action(1, 1, REA, preuve=True, poids=3), action(1, 2, poids=1)])
    assert score.axe(1).avancement == 75


def test_non_concerne_weight_is_shared_among_its_siblings_so_the_axis_keeps_its_importance():
    # Axis 1: one of three actions not concerned, the two others done.
    # Axis 2: nothing done. Both axes weigh 3, so overall = (100 + 0) / 2.
    actions = [
        action(1, 1, REA, preuve=True),
        action(1, 2, REA, preuve=True),
        action(1, 3, NC),
        action(2, 1),
        action(2, 2),
        action(2, 3),
    ]
    score = calculer_score(actions)
    assert score.axe(1).avancement == 100
    assert score.axe(1).poids_total == 3
    assert score.axe(1).poids_concerne == 2
    assert score.avancement == 50


def test_non_concerne_is_left_out_of_the_engagement_potential():
    score = calculer_score([action(1, 1, ENG), action(1, 2, NC), action(1, 3)])
    assert score.axe(1).taux_engagement == 50


def test_axis_whose_actions_are_all_non_concerne_is_left_out_of_the_overall_score():
    actions = [action(1, n, NC) for n in range(1, 4)] + [
        action(2, 1, REA, preuve=True),
        action(2, 2, EC, 50),
        action(2, 3, ENG),
    ]
    score = calculer_score(actions)
    assert score.axe(1).exclu
    assert score.axe(2).avancement == 50
    assert score.avancement == 50
    assert score.taux_engagement == 100


def test_everything_non_concerne_scores_zero_without_dividing_by_zero():
    score = calculer_score([action(1, n, NC) for n in range(1, 4)])
    assert score.avancement == 0
    assert score.taux_engagement == 0
    assert score.axe(1).exclu


def test_en_cours_counts_its_progress_clamped_to_0_100():
    assert progression(action(1, 1, EC, 40)) == 40
    assert progression(action(1, 1, EC, None)) == 0
    assert progression(action(1, 1, EC, 130)) == 100
    assert progression(action(1, 1, ENG)) == 0
    assert progression(action(1, 1, NR)) == 0


def test_counts_per_status_list_every_status_even_when_zero():
    score = calculer_score([action(1, 1, EC, 10)])
    assert score.comptes == {NR: 0, ENG: 0, EC: 1, REA: 0, NC: 0}


def test_statut_effectif_only_downgrades_realise_without_evidence():
    assert statut_effectif(REA, False) == ENG
    assert statut_effectif(REA, True) == REA
    assert statut_effectif(NC, False) == NC


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (Fraction(49, 4), Decimal("12.3")),  # 12.25 → half up
        (Fraction(1224, 100), Decimal("12.2")),
        (Fraction(100, 3), Decimal("33.3")),
        (Fraction(200, 3), Decimal("66.7")),
        (Fraction(1, 20), Decimal("0.1")),  # 0.05 → half up, not to even
        (0, Decimal("0.0")),
        (100, Decimal("100.0")),
    ],
)
def test_arrondi_rounds_half_up_to_one_decimal(valeur, attendu):
    assert arrondi(valeur) == attendu


def test_overall_figure_is_computed_from_unrounded_axes_and_rounded_once():
    # Axis 2 is at 2/3 %: rounded first it would show 0.7 and the overall
    # (0 + 0.7) / 2 = 0.35 would round to 0.4; computed exactly it is 1/3 → 0.3.
    actions = [action(1, n) for n in range(1, 4)] + [
        action(2, 1, EC, 2),
        action(2, 2),
        action(2, 3),
    ]
    score = calculer_score(actions)
    assert score.axe(2).avancement == Fraction(2, 3)
    assert score.avancement == Fraction(1, 3)
    assert arrondi(score.avancement) == Decimal("0.3")
