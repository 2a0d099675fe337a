"""The directory (score band, sort, pagination), the comparison, the département
overview and the national figures of the home page."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from axes.enums import Statut
from axes.models import ScoreSnapshot
from commune.models import Commune
from tests.axes.factories import EngagementFactory, PreuveFactory, SignatureFactory, action_du_guide
from tests.commune.factories import CommuneFactory, departement
from tests.comptes.factories import UserFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()
    yield
    cache.clear()


def realiser(commune, codes):
    """Actions done with evidence: each one of the 15 actions weighs 1/15 of the score."""
    for code in codes:
        engagement = EngagementFactory(
            commune=commune, action=action_du_guide(code), statut=Statut.REALISE
        )
        PreuveFactory(engagement=engagement)


def communes_notees(django_capture_on_commit_callbacks):
    """Three communes at 0, 40 and 80 %; the signals keep their snapshot up to date."""
    with django_capture_on_commit_callbacks(execute=True):
        nulle = CommuneFactory(code_insee="35001", nom="Acigné", population=7000)
        moyenne = CommuneFactory(code_insee="35002", nom="Bécherel", population=700)
        avancee = CommuneFactory(code_insee="35003", nom="Cesson", population=None)
        realiser(moyenne, ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"])
        realiser(
            avancee,
            ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"],
        )
    return nulle, moyenne, avancee


def noms(client, requete=""):
    reponse = client.get(reverse("commune:liste") + requete)
    assert reponse.status_code == 200
    return [c.nom for c in reponse.context["object_list"]]


# --- Directory ------------------------------------------------------------------------------------


def test_snapshots_follow_every_change_of_the_score(guide, django_capture_on_commit_callbacks):
    _, moyenne, avancee = communes_notees(django_capture_on_commit_callbacks)
    assert ScoreSnapshot.objects.get(commune=moyenne).avancement == Decimal("40.000")
    assert ScoreSnapshot.objects.get(commune=avancee).avancement == Decimal("80.000")


def test_directory_filters_by_score_band(client, guide, django_capture_on_commit_callbacks):
    communes_notees(django_capture_on_commit_callbacks)
    assert noms(client, "?score=0-25") == ["Acigné"]
    assert noms(client, "?score=25-50") == ["Bécherel"]
    assert noms(client, "?score=50-75") == []
    assert noms(client, "?score=75-100") == ["Cesson"]


def test_directory_sorts_by_name_score_population_and_last_update(
    client, guide, django_capture_on_commit_callbacks
):
    communes_notees(django_capture_on_commit_callbacks)
    assert noms(client) == ["Acigné", "Bécherel", "Cesson"]
    assert noms(client, "?tri=-score") == ["Cesson", "Bécherel", "Acigné"]
    assert noms(client, "?tri=score") == ["Acigné", "Bécherel", "Cesson"]
    # A commune of unknown population comes last either way.
    assert noms(client, "?tri=-population") == ["Acigné", "Bécherel", "Cesson"]
    assert noms(client, "?tri=population") == ["Bécherel", "Acigné", "Cesson"]
    assert noms(client, "?tri=-maj")[-1] == "Acigné"


def test_directory_score_is_the_current_snapshot(client, guide):
    commune = CommuneFactory(nom="Nouvelle note")
    for date, avancement, courant in [
        (datetime.date(2026, 1, 1), 10, False),
        (datetime.date(2026, 2, 1), 90, True),
    ]:
        ScoreSnapshot.objects.create(
            commune=commune,
            referentiel=guide,
            date=date,
            avancement=Decimal(avancement),
            taux_engagement=Decimal(50),
            courant=courant,
        )
    assert noms(client, "?score=75-100") == ["Nouvelle note"]
    assert noms(client, "?score=0-25") == []


def test_directory_is_paginated_and_keeps_the_filters(client, guide):
    CommuneFactory.create_batch(30)
    reponse = client.get(reverse("commune:liste") + "?tri=-population&departement=35")
    contenu = reponse.content.decode()
    assert "30 communes trouvées" in contenu
    assert "Page 1 sur 2" in contenu
    assert "?tri=-population&amp;departement=35&amp;page=2" in contenu


def test_directory_links_the_departement_overview_when_filtered(client, guide):
    CommuneFactory()
    contenu = client.get(reverse("commune:liste") + "?departement=35").content.decode()
    assert reverse("commune:departement", args=["35"]) in contenu


def test_directory_query_count_is_the_same_with_filters_and_sort(
    client, guide, django_assert_num_queries, django_capture_on_commit_callbacks
):
    communes_notees(django_capture_on_commit_callbacks)
    url = reverse("commune:liste") + "?score=25-50&tri=-score&signe=non&departement=35"
    # guide, count, page, actions, engagements, the chosen département, the filter choices
    with django_assert_num_queries(8):
        client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        # Codes of their own: the factory's sequence wraps every 1,000 communes of the
        # session and would hand out 35001-35003 again, depending on the tests run before.
        for numero in range(20):
            commune = CommuneFactory(code_insee=f"35{900 + numero}")
            realiser(commune, ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1"])
    with django_assert_num_queries(8):
        reponse = client.get(url)
    assert len(reponse.context["object_list"]) == 21


# --- Comparison -----------------------------------------------------------------------------------


def test_compare_up_to_four_communes_axis_by_axis(
    client, guide, django_capture_on_commit_callbacks
):
    communes_notees(django_capture_on_commit_callbacks)
    reponse = client.get(reverse("commune:comparer") + "?c=35003&c=35002")
    contenu = reponse.content.decode()
    assert "Score par axe de Cesson et Bécherel" in contenu
    assert "<td>80,0\u00a0%</td>" in contenu and "<td>40,0\u00a0%</td>" in contenu
    assert "1. Commande publique responsable" in contenu


def test_compare_ignores_a_fifth_commune_and_lists_unknown_codes(client, guide):
    for i in range(1, 6):
        CommuneFactory(code_insee=f"3510{i}", nom=f"Commune {i}")
    requete = "?c=35101&c=99999&c=35102&c=35103&c=35104&c=35105"
    contenu = client.get(reverse("commune:comparer") + requete).content.decode()
    assert "Code INSEE inconnu, non comparé : 99999." in contenu
    assert "On compare au plus 4 communes à la fois : Commune 5 n&#x27;est pas comparée." in contenu
    assert "Score par axe de Commune 1, Commune 2, Commune 3 et Commune 4" in contenu


def test_compare_with_nothing_explains_how(client, guide):
    contenu = client.get(reverse("commune:comparer")).content.decode()
    assert "Choisissez des communes à comparer" in contenu


def test_compare_query_count_does_not_grow(client, guide, django_assert_num_queries):
    CommuneFactory(code_insee="35101")
    CommuneFactory(code_insee="35102")
    # guide, communes, actions, engagements, axes
    with django_assert_num_queries(5):
        client.get(reverse("commune:comparer") + "?c=35101&c=35102")


# --- Département ----------------------------------------------------------------------------------


def test_departement_ranks_its_communes_and_lists_its_structures(
    client, guide, django_capture_on_commit_callbacks
):
    nulle, moyenne, avancee = communes_notees(django_capture_on_commit_callbacks)
    SignatureFactory(commune=moyenne)
    StructureFactory(nom="Régie du département", commune=avancee)
    zone = StructureFactory(nom="Intervient dans le 35")
    zone.zones_departements.add(departement("35"))
    StructureFactory(nom="Pas encore vérifiée", commune=avancee, verifiee=False)
    reponse = client.get(reverse("commune:departement", args=["35"]))
    contenu = reponse.content.decode()
    classement = [commune.nom for commune, _ in reponse.context["classement"]]
    assert classement == ["Cesson", "Bécherel"]
    assert "1 autre commune du département" in contenu and "Acigné" in contenu
    assert "Régie du département" in contenu and "Intervient dans le 35" in contenu
    assert "Pas encore vérifiée" not in contenu
    assert "40,0\u00a0%" in contenu  # the only signatory's average


def test_departement_page_is_cached_and_sees_changes_at_once(
    client, guide, django_assert_num_queries
):
    commune = CommuneFactory(nom="Montfort")
    url = reverse("commune:departement", args=["35"])
    client.get(url)
    with django_assert_num_queries(2):  # the département and the guide
        client.get(url)
    SignatureFactory(commune=commune)
    assert (
        reverse("commune:scorecard", args=[commune.code_insee])
        in (client.get(url).content.decode().split("Les communes, classées")[1].split("autre")[0])
    )


def test_unknown_departement_gives_404(client, guide):
    assert client.get(reverse("commune:departement", args=["00"])).status_code == 404


# --- Home -----------------------------------------------------------------------------------------


def test_home_shows_signatories_per_score_band_as_a_chart_and_a_table(
    client, guide, django_capture_on_commit_callbacks
):
    nulle, moyenne, avancee = communes_notees(django_capture_on_commit_callbacks)
    for commune in (nulle, moyenne, avancee):
        SignatureFactory(commune=commune)
    contenu = client.get(reverse("accueil")).content.decode()
    assert "Répartition des communes signataires par avancement" in contenu
    assert contenu.count('<rect class="graphe__barre"') == 4
    assert "<caption>Communes signataires par tranche d'avancement</caption>" in contenu
    assert '<th scope="row">Moins de 25 %</th><td>1</td><td>33,3\u00a0%</td>' in contenu
    assert '<th scope="row">75 % et plus</th><td>1</td>' in contenu
    assert "40,0\u00a0%" in contenu  # average avancement of the three


def test_home_is_cached_until_something_changes(client, guide, django_assert_num_queries):
    client.get(reverse("accueil"))
    with django_assert_num_queries(0):  # the page kept whole
        client.get(reverse("accueil"))
    client.force_login(UserFactory())
    with django_assert_num_queries(3):  # session, account, guide: the figures are kept
        client.get(reverse("accueil"))
    client.logout()
    SignatureFactory(commune=CommuneFactory())
    assert (
        "<strong>1</strong> commune signataire" in client.get(reverse("accueil")).content.decode()
    )


def test_commune_rows_are_counted_in_the_national_figures(client, guide):
    CommuneFactory.create_batch(3)
    contenu = client.get(reverse("accueil")).content.decode()
    assert f"<strong>{Commune.objects.count()}</strong> communes référencées" in contenu


def test_a_merged_commune_is_counted_neither_as_a_commune_nor_as_a_signatory(client, guide):
    actuelle = CommuneFactory()
    SignatureFactory(commune=actuelle)
    # Both signed: the merged commune's signature stayed on it, for staff to resolve.
    SignatureFactory(commune=CommuneFactory(fusionnee_dans=actuelle))

    contenu = client.get(reverse("accueil")).content.decode()

    assert "<strong>1</strong> commune signataire" in contenu
    assert "<strong>1</strong> commune référencée" in contenu


def test_home_averages_each_axis_over_the_signatories_it_concerns(
    client, guide, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        engagee, vide = CommuneFactory(), CommuneFactory()
        realiser(engagee, ["1.1", "1.2", "1.3"])
        for code in ("5.1", "5.2", "5.3"):
            EngagementFactory(
                commune=engagee,
                action=action_du_guide(code),
                statut=Statut.NON_CONCERNE,
                justification="Compétence de l'intercommunalité",
            )
    SignatureFactory(commune=engagee)
    SignatureFactory(commune=vide)  # nothing filled, no snapshot: 0 % everywhere
    contenu = client.get(reverse("accueil")).content.decode()
    axe_1 = action_du_guide("1.1").axe
    axe_5 = action_du_guide("5.1").axe
    # Axis 1: 100 % and 0 %. Axis 5 concerns only the commune that filled nothing.
    assert f'{axe_1.numero}. {axe_1.titre}</th><td class="nombre">50,0\u00a0%' in contenu
    assert f'{axe_5.numero}. {axe_5.titre}</th><td class="nombre">0,0\u00a0%' in contenu
    # Overall: axis 1 is a quarter of the concerned weight of the first commune.
    assert "<strong>12,5\u00a0%</strong> d'avancement moyen" in contenu


def test_directory_page_kept_whole_shows_a_change_at_once(client, guide):
    CommuneFactory(code_insee="35001", nom="Acigné")
    assert noms(client) == ["Acigné"]
    assert "Acigné" in client.get(reverse("commune:liste")).content.decode()  # kept whole
    CommuneFactory(code_insee="35002", nom="Bécherel")
    assert "Bécherel" in client.get(reverse("commune:liste")).content.decode()
