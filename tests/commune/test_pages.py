"""Every public page of the foundation answers 200 with a query count that does not grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from axes.enums import Statut
from axes.models import Action
from tests.axes.factories import EngagementFactory, JalonFactory, PreuveFactory, SignatureFactory
from tests.commune.factories import CommuneFactory, EluReferentFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


def remplir_commune(commune, guide):
    """Every action filled, with evidence and milestones, and a signature."""
    SignatureFactory(commune=commune, referentiel=guide)
    EluReferentFactory(commune=commune)
    for i, action in enumerate(Action.objects.filter(referentiel=guide)):
        statut = [Statut.ENGAGE, Statut.EN_COURS, Statut.REALISE][i % 3]
        engagement = EngagementFactory(commune=commune, action=action, statut=statut, avancement=30)
        PreuveFactory.create_batch(2, engagement=engagement)
        PreuveFactory(engagement=engagement, publique=False)
        JalonFactory.create_batch(2, engagement=engagement)


def nombre_de_requetes(client, url):
    with CaptureQueriesContext(connection) as contexte:
        reponse = client.get(url)
    assert reponse.status_code == 200
    return len(contexte.captured_queries)


def test_home_page_query_count_does_not_grow_with_signatories(client, guide):
    url = reverse("accueil")
    remplir_commune(CommuneFactory(), guide)
    avant = nombre_de_requetes(client, url)
    for _ in range(4):
        remplir_commune(CommuneFactory(), guide)
    assert nombre_de_requetes(client, url) == avant
    assert avant <= 8


def test_commune_directory_query_count_does_not_grow_with_communes(
    client, guide, django_assert_num_queries
):
    url = reverse("commune:liste")
    remplir_commune(CommuneFactory(), guide)
    CommuneFactory.create_batch(3)
    filtree = url + "?departement=35&signe=oui&page=1"
    avant = nombre_de_requetes(client, url)
    avant_filtree = nombre_de_requetes(client, filtree)
    for _ in range(3):
        remplir_commune(CommuneFactory(), guide)
    CommuneFactory.create_batch(30)
    assert nombre_de_requetes(client, url) == avant
    assert nombre_de_requetes(client, filtree) == avant_filtree
    # count, page, actions of the guide, engagements of the page's communes,
    # the guide itself, and the filter form's choices (départements, régions).
    assert avant == 7
    # Anonymous visitors then share the page kept whole, until something changes.
    with django_assert_num_queries(0):
        client.get(url)


def test_scorecard_query_count_does_not_grow_with_evidence_and_milestones(
    client, guide, django_assert_num_queries
):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    url = reverse("commune:scorecard", args=[commune.code_insee])
    vide = nombre_de_requetes(client, url)
    remplir_commune(commune, guide)
    rempli = nombre_de_requetes(client, url)
    for engagement in commune.engagements.all():
        PreuveFactory.create_batch(3, engagement=engagement)
        JalonFactory.create_batch(3, engagement=engagement)
    assert nombre_de_requetes(client, url) == rempli
    # An empty scorecard skips the evidence and milestone prefetches.
    assert vide == rempli - 2
    # Anonymous visitors then share the page kept whole, until the commune changes.
    with django_assert_num_queries(0):
        client.get(url)


def test_structure_directory_query_count_does_not_grow(client):
    url = reverse("structures:liste")
    StructureFactory()
    avant = nombre_de_requetes(client, url)
    StructureFactory.create_batch(20)
    assert nombre_de_requetes(client, url) == avant


@pytest.mark.parametrize("nom", ["commune:methodologie", "comptes:connexion"])
def test_static_pages_answer_200_with_few_queries(
    client, guide, nom, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        assert client.get(reverse(nom)).status_code == 200


def test_scorecard_shows_scores_counts_signature_and_referent(client, guide):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    remplir_commune(commune, guide)
    reponse = client.get(commune.get_absolute_url())
    contenu = reponse.content.decode()
    assert "a signé le guide le 2 mars 2026" in contenu
    assert commune.elu_referent.nom in contenu
    # 5 réalisé with evidence, 5 en cours at 30 %, 5 engagé: (5×100 + 5×30) / 15
    assert "43,3\u00a0%" in contenu
    assert 'aria-valuenow="43.3"' in contenu
    assert "Réalisé&nbsp;: <strong>5</strong>" in contenu


def test_scorecard_never_shows_private_evidence_or_internal_note(client, guide):
    commune = CommuneFactory()
    engagement = EngagementFactory(
        commune=commune, note_interne="Ne pas publier : budget serré", statut=Statut.REALISE
    )
    PreuveFactory(engagement=engagement, titre="Preuve publique")
    PreuveFactory(engagement=engagement, titre="Compte rendu interne", publique=False)
    contenu = client.get(commune.get_absolute_url()).content.decode()
    assert "Preuve publique" in contenu
    assert "Compte rendu interne" not in contenu
    assert "budget serré" not in contenu


def test_commune_that_signed_nothing_gets_a_fair_empty_state(client, guide):
    commune = CommuneFactory()
    contenu = client.get(commune.get_absolute_url()).content.decode()
    assert "n'a pas encore signé le guide" in contenu
    assert "0,0\u00a0%" in contenu


def test_unknown_commune_gives_404(client, guide):
    assert client.get(reverse("commune:scorecard", args=["99999"])).status_code == 404


def test_directory_filters_by_name_and_signature(client, guide):
    rennes = CommuneFactory(code_insee="35238", nom="Rennes")
    SignatureFactory(commune=rennes, referentiel=guide)
    CommuneFactory(code_insee="35047", nom="Bruz")
    contenu = client.get(reverse("commune:liste") + "?signe=oui").content.decode()
    assert "Rennes" in contenu and "Bruz" not in contenu
    contenu = client.get(reverse("commune:liste") + "?q=bru").content.decode()
    assert "Bruz" in contenu and "Rennes" not in contenu
    assert "1 commune trouvée" in contenu


def test_structure_directory_hides_unverified_structures(client):
    StructureFactory(nom="Visible", verifiee=True)
    StructureFactory(nom="En attente de vérification", verifiee=False)
    contenu = client.get(reverse("structures:liste")).content.decode()
    assert "Visible" in contenu
    assert "En attente de vérification" not in contenu


def test_unverified_structure_page_gives_404(client):
    structure = StructureFactory(verifiee=False)
    assert client.get(structure.get_absolute_url()).status_code == 404


def test_signature_date_is_shown_in_french(client, guide):
    commune = CommuneFactory()
    SignatureFactory(commune=commune, referentiel=guide, date_signature=datetime.date(2026, 1, 9))
    assert "9 janvier 2026" in client.get(commune.get_absolute_url()).content.decode()
