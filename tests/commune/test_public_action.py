"""The public page of one action of a commune: everything public about it, its public
history (never an internal note, a members-only piece of evidence or an email address),
the approved opinions and the form; cached per commune; constant query counts."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from axes.enums import Statut
from axes.models import Avis, StatutAvis
from axes.services import engagement_enregistrer, preuve_ajouter
from tests.axes.factories import (
    EngagementFactory,
    JalonFactory,
    PreuveFactory,
    action_du_guide,
)
from tests.commune.factories import CommuneFactory
from tests.comptes.factories import UserFactory
from tests.marches.factories import MarcheFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commune(db):
    return CommuneFactory(code_insee="35238", nom="Rennes")


def url(commune, code):
    return reverse("commune:action", args=[commune.code_insee, code])


def contenu(client, commune, code):
    reponse = client.get(url(commune, code))
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_action_page_shows_status_progress_evidence_and_milestones(client, guide, commune):
    engagement = EngagementFactory(
        commune=commune,
        action=action_du_guide("1.2"),
        statut=Statut.EN_COURS,
        avancement=40,
        date_cible=datetime.date(2027, 1, 31),
        description="Cartographie des achats.",
    )
    PreuveFactory(engagement=engagement, titre="Cartographie publiée")
    fichier = PreuveFactory(engagement=engagement, titre="Note de cadrage", url="", fichier="p.pdf")
    JalonFactory(engagement=engagement, titre="Comité de pilotage", atteint=True)
    page = contenu(client, commune, "1.2")
    assert "Action 1.2 : Achats socialement et écologiquement responsables" in page
    assert 'role="progressbar"' in page and 'aria-valuenow="40.0"' in page
    assert "échéance&nbsp;: janvier 2027" in page
    assert "Cartographie des achats." in page
    assert (
        '<a href="https://exemple.test/deliberation.pdf" rel="noopener">Cartographie publiée</a>'
        in page
    )
    fichier_url = reverse("espace:engagements:preuve_fichier", args=["35238", "1.2", fichier.pk])
    assert f'href="{fichier_url}"' in page
    assert "Comité de pilotage" in page and "atteint" in page
    assert reverse("commune:avis:deposer", args=["35238", "1.2"]) in page


def test_action_never_filled_says_so(client, guide, commune):
    page = contenu(client, commune, "4.3")
    assert "Non renseigné" in page
    assert "La commune n'a encore rien indiqué pour cette action." in page


def test_campaign_propositions_served_by_the_action_are_listed(client, guide, commune):
    page = contenu(client, commune, "1.1")
    assert "Faire de l&#x27;insertion un critère de choix" in page


def test_public_history_never_shows_internal_note_private_evidence_or_email(client, guide, commune):
    elue = UserFactory(first_name="Nolwenn", last_name="Le Bihan", email="elue.secrete@rennes.test")
    action = action_du_guide("2.2")
    engagement_enregistrer(
        commune=commune,
        action=action,
        valeurs={
            "statut": Statut.ENGAGE,
            "date_cible": datetime.date(2027, 6, 30),
            "note_interne": "Budget serré, ne pas publier",
            "pilote": elue,
        },
    )
    preuve_ajouter(
        commune=commune,
        action=action,
        user=elue,
        titre="Compte rendu interne",
        nature="rapport",
        date=datetime.date(2026, 4, 1),
        publique=False,
        url="https://intranet.test/cr.pdf",
    )
    preuve_ajouter(
        commune=commune,
        action=action,
        user=elue,
        titre="Article du journal municipal",
        nature="communication",
        date=datetime.date(2026, 4, 2),
        url="https://rennes.test/article",
    )
    page = contenu(client, commune, "2.2")
    assert "Historique public" in page
    assert "Preuve ajoutée : « Article du journal municipal »" in page
    assert "Statut : Non renseigné → Engagé" in page
    assert "Budget serré" not in page
    assert "Compte rendu interne" not in page and "intranet.test" not in page
    assert "elue.secrete@rennes.test" not in page
    assert "Nolwenn Le Bihan" in page  # the pilot, by name


def test_data_beside_action_1_1_on_its_page(client, guide, commune):
    engagement = EngagementFactory(
        commune=commune, action=action_du_guide("1.1"), statut=Statut.REALISE
    )
    PreuveFactory(engagement=engagement)
    MarcheFactory(commune=commune)
    page = contenu(client, commune, "1.1")
    assert "0 marché sur 1 comporte au moins une considération sociale" in page
    assert "Les données disponibles ne confirment pas ce statut." in page


def test_data_beside_action_3_2_on_its_page(client, guide, commune):
    page = contenu(client, commune, "3.2")
    assert "Aucun soutien de type « mise à disposition de locaux ou de terrain »" in page


@pytest.mark.parametrize("code_insee, code", [("99999", "1.1"), ("35238", "9.9"), ("35238", "x")])
def test_unknown_commune_or_action_gives_404(client, guide, commune, code_insee, code):
    assert client.get(reverse("commune:action", args=[code_insee, code])).status_code == 404


def test_action_page_is_cached_and_a_change_shows_at_once(
    client, guide, commune, django_assert_num_queries
):
    engagement = EngagementFactory(commune=commune, action=action_du_guide("2.2"))
    contenu(client, commune, "2.2")
    # Served from the cache: the commune only.
    with django_assert_num_queries(1):
        client.get(url(commune, "2.2"))
    JalonFactory(engagement=engagement, titre="Forum des structures")
    assert "Forum des structures" in contenu(client, commune, "2.2")


def test_action_page_query_count_does_not_grow_with_evidence_history_and_opinions(
    client, guide, commune, django_assert_num_queries
):
    engagement = EngagementFactory(commune=commune, action=action_du_guide("3.1"))
    PreuveFactory(engagement=engagement)
    JalonFactory(engagement=engagement)
    # commune, guide, action, engagement, its evidence, its milestones, three history
    # tables, opinions, campaign propositions, and the supports behind action 3.1.
    with django_assert_num_queries(12):
        client.get(url(commune, "3.1"))
    for i in range(20):
        PreuveFactory(engagement=engagement, titre=f"Preuve {i}")
        JalonFactory(engagement=engagement, titre=f"Jalon {i}")
        engagement.description = f"Version {i}"
        engagement.save()
        Avis.objects.create(
            commune=commune,
            action=engagement.action,
            message=f"Avis {i}",
            consentement=True,
            statut=StatutAvis.APPROUVE,
        )
    with django_assert_num_queries(12):
        reponse = client.get(url(commune, "3.1"))
    assert "Avis 19" in reponse.content.decode()
