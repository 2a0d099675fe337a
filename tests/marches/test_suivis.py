"""The follow-up of insertion hours: what a period may declare, refusals with a clear
French message, hours above the planned ones accepted but flagged."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from marches import services
from marches.models import SuiviHeures
from tests.marches.conftest import etat_des_marches
from tests.marches.factories import SuiviHeuresFactory

pytestmark = pytest.mark.django_db


def url(contrat, nom="suivi_ajouter", *args):
    marche = contrat.marche
    return reverse(
        f"espace:marches:{nom}",
        args=[marche.commune.code_insee, marche.pk, contrat.clause.pk, *args],
    )


def periode(debut="2026-06-01", fin="2026-06-30", heures="100", personnes="1", contrats="1"):
    return {
        "periode_debut": debut,
        "periode_fin": fin,
        "heures_realisees": heures,
        "personnes_embauchees": personnes,
        "contrats_signes": contrats,
    }


@pytest.fixture
def titulaire(client, contrat):
    """The holder's staff reports the hours (the contract lasts 24 months)."""
    client.force_login(contrat.membre_titulaire)
    return client


def refus(client, contrat, donnees, champ):
    avant = etat_des_marches()
    reponse = client.post(url(contrat), donnees)
    assert reponse.status_code == 200
    assert etat_des_marches() == avant
    page = reponse.content.decode().replace("&#x27;", "'")
    assert 'role="alert"' in page
    assert f'id="id_{champ}_error"' in page
    return page


def test_a_period_is_recorded_with_who_entered_it(titulaire, contrat):
    reponse = titulaire.post(url(contrat), periode(heures="350,5", personnes="3", contrats="2"))
    assert reponse.status_code == 302
    suivi = SuiviHeures.objects.get()
    assert suivi.heures_realisees == Decimal("350.5")
    assert suivi.saisi_par == contrat.membre_titulaire
    assert suivi.history.get().history_user == contrat.membre_titulaire


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        (periode(heures="-1"), "heures_realisees", "ne peuvent pas être négatives"),
        (periode(personnes="-2"), "personnes_embauchees", "ne peut pas être négatif"),
        (periode(contrats="-1"), "contrats_signes", "ne peut pas être négatif"),
        (periode(debut="2026-06-30", fin="2026-06-01"), "periode_fin", "est avant son début"),
        (periode(heures="1000001", personnes="600"), "heures_realisees", "maximum de"),
        (periode(heures="11821", personnes="1"), "heures_realisees", "1 820 h par personne"),
        (periode(personnes="10001", heures="10"), "personnes_embauchees", "maximum"),
        (periode(contrats="10001"), "contrats_signes", "maximum"),
        # 24 months of contract + 12: a period may not reach 1 June 2029.
        (periode(debut="2026-06-01", fin="2029-06-01"), "periode_fin", "1 juin 2029"),
        (periode(heures="douze"), "heures_realisees", "Saisissez un nombre d'heures"),
    ],
)
def test_absurd_or_impossible_figures_are_refused(titulaire, contrat, donnees, champ, message):
    page = refus(titulaire, contrat, donnees, champ)
    assert message in page.replace("\u202f", " ").replace("\xa0", " ")


def test_limits_themselves_are_accepted(titulaire, contrat):
    # 1,820 h × 1 person + 10,000 h, and a period ending the day before the limit.
    donnees = periode(debut="2026-06-01", fin="2029-05-31", heures="11820", personnes="1")
    assert titulaire.post(url(contrat), donnees).status_code == 302


def test_overlapping_periods_of_a_clause_are_refused_adjacent_ones_accepted(titulaire, contrat):
    SuiviHeuresFactory(
        clause=contrat.clause,
        periode_debut=datetime.date(2026, 1, 1),
        periode_fin=datetime.date(2026, 3, 31),
    )
    page = refus(titulaire, contrat, periode(debut="2026-03-31", fin="2026-04-30"), "periode_debut")
    assert "chevauche celle du 1 janvier 2026 au 31 mars 2026" in page
    assert titulaire.post(url(contrat), periode(debut="2026-04-01")).status_code == 302


def test_a_period_does_not_overlap_itself_when_edited(titulaire, contrat):
    suivi = SuiviHeuresFactory(clause=contrat.clause)
    donnees = periode(debut="2026-06-01", fin="2026-08-31", heures="160", personnes="2")
    reponse = titulaire.post(url(contrat, "suivi_modifier", suivi.pk), donnees)
    assert reponse.status_code == 302
    suivi.refresh_from_db()
    assert suivi.heures_realisees == 160
    assert suivi.saisi_par is None  # who created it, not who edited it


def test_hours_above_planned_are_accepted_and_flagged(titulaire, contrat):
    SuiviHeuresFactory(clause=contrat.clause, heures_realisees=Decimal("600"))
    donnees = periode(debut="2026-09-01", fin="2026-09-30", heures="150", personnes="2")
    assert titulaire.post(url(contrat), donnees).status_code == 302
    page = titulaire.get(url(contrat, "clause")).content.decode()
    assert "Au-delà des heures prévues" in page
    detail = reverse(
        "espace:marches:detail", args=[contrat.marche.commune.code_insee, contrat.marche.pk]
    )
    assert "au-delà des heures prévues" in titulaire.get(detail).content.decode()


def test_the_service_checks_rights_and_rules_itself(contrat, matrice):
    suivi = SuiviHeures(
        clause=contrat.clause,
        periode_debut=datetime.date(2026, 6, 1),
        periode_fin=datetime.date(2026, 5, 1),
        heures_realisees=Decimal(10),
    )
    with pytest.raises(PermissionDenied):
        services.suivi_enregistrer(suivi=suivi, by=matrice.users["lecteur"])
    with pytest.raises(ValidationError) as refus_:
        services.suivi_enregistrer(suivi=suivi, by=matrice.users["editeur"])
    assert "periode_fin" in refus_.value.message_dict
    assert not SuiviHeures.objects.exists()


def test_deleting_a_period_keeps_it_in_history(titulaire, contrat):
    suivi = SuiviHeuresFactory(clause=contrat.clause)
    assert titulaire.post(url(contrat, "suivi_supprimer", suivi.pk)).status_code == 302
    assert not SuiviHeures.objects.exists()
    assert SuiviHeures.history.filter(id=suivi.pk, history_type="-").exists()


@pytest.mark.parametrize(
    ("jour", "mois", "attendu"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 6, 15), 36, datetime.date(2029, 6, 15)),
        (datetime.date(2026, 12, 1), 1, datetime.date(2027, 1, 1)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_months_last(jour, mois, attendu):
    assert services.ajouter_mois(jour, mois) == attendu
