"""The public scorecard: what it shows beside the commitments, its downloads, its cache
(a change is visible at once) and query counts that do not grow with the data.

The scorecard shows the guide only (15 actions): instead of a longer referential, the
query counts are checked against 0 and 500 contracts, many pieces of evidence,
milestones, snapshots, supports, structures and opinions.
"""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axes.enums import Statut
from axes.models import Avis, ScoreSnapshot, StatutAvis
from commune import cache as cache_public
from commune.enums import StatutRapport
from commune.models import EluReferent, Rapport
from marches.indicateurs import indicateurs_commune
from marches.models import Marche
from structures.enums import TypeSoutien
from structures.models import Soutien, TypeStructure
from tests.axes.factories import (
    EngagementFactory,
    JalonFactory,
    PreuveFactory,
    SignatureFactory,
    action_du_guide,
)
from tests.commune.factories import CommuneFactory, EluReferentFactory
from tests.commune.test_pages import remplir_commune
from tests.comptes.factories import UserFactory
from tests.marches.factories import MarcheFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

# Commune, guide, signature, actions, engagements, public evidence, milestones, axes.
REQUETES_DECLARATIONS = 8
# A signed-in visitor's session and account.
REQUETES_SESSION = 2
# Supports, structures, snapshots, latest published report, opinions per action
# (the contract indicators, measured apart, come on top).
REQUETES_DONNEES = 7


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()
    yield
    cache.clear()


def page(client, commune):
    reponse = client.get(commune.get_absolute_url())
    assert reponse.status_code == 200
    return reponse.content.decode()


def nombre_de_requetes(client, url):
    with CaptureQueriesContext(connection) as contexte:
        assert client.get(url).status_code == 200
    return len(contexte.captured_queries)


def requetes_indicateurs(commune):
    with CaptureQueriesContext(connection) as contexte:
        indicateurs_commune(commune)
    return len(contexte.captured_queries)


def engagement(commune, code, statut, **kwargs):
    return EngagementFactory(commune=commune, action=action_du_guide(code), statut=statut, **kwargs)


def realise(commune, code, **kwargs):
    engagement_realise = engagement(commune, code, Statut.REALISE, **kwargs)
    PreuveFactory(engagement=engagement_realise)
    return engagement_realise


def marches(commune, nombre, avec_clause, inconnues=0):
    """`nombre` contracts, the first `avec_clause` of them with a social clause, then
    `inconnues` contracts whose considerations are not given (DECP v1).

    bulk_create sends no signal: the commune's cache is dropped by hand, as an
    import that writes in bulk must do."""
    Marche.objects.bulk_create(
        MarcheFactory.build(
            commune=commune,
            acheteur_siret="21350238800019",
            id_decp=f"2026{commune.code_insee}{i:05d}",
            clause_sociale=i < avec_clause,
            inconnues=i >= nombre,
        )
        for i in range(nombre + inconnues)
    )
    cache_public.invalider_communes(commune.pk)


# --- The data beside actions 1.1, 2.1, 3.1 and 3.2 ----------------------------------------


def test_action_1_1_declared_done_without_any_social_consideration_is_not_confirmed(client, guide):
    commune = CommuneFactory()
    realise(commune, "1.1")
    marches(commune, 4, avec_clause=0)
    contenu = page(client, commune)
    assert "0 marché sur 4 comporte au moins une considération sociale, soit 0,0\u00a0%" in contenu
    assert "la cible nationale est de 30\u00a0%" in contenu
    assert "Les données disponibles ne confirment pas ce statut." in contenu


def test_action_1_1_above_the_national_target_confirms_the_status(client, guide):
    commune = CommuneFactory()
    realise(commune, "1.1")
    marches(commune, 10, avec_clause=4)
    contenu = page(client, commune)
    assert "4 marchés sur 10 comportent au moins une considération sociale, soit 40,0" in contenu
    assert "Les données disponibles confirment ce statut." in contenu


def test_action_1_1_below_the_target_confirms_only_in_part(client, guide):
    commune = CommuneFactory()
    realise(commune, "1.1")
    marches(commune, 10, avec_clause=1)
    assert "ne confirment ce statut qu&#x27;en partie" in page(client, commune)


def test_action_1_1_without_contracts_says_the_data_cannot_tell(client, guide):
    commune = CommuneFactory()
    realise(commune, "1.1")
    contenu = page(client, commune)
    assert "Aucun marché de la commune n&#x27;est publié" in contenu
    assert "Aucune donnée disponible ne permet de vérifier ce statut." in contenu


def test_action_1_1_with_only_unknown_considerations_gives_no_verdict_on_the_target(client, guide):
    """36 DECP v1 contracts: nothing says they have no social consideration."""
    commune = CommuneFactory()
    realise(commune, "1.1")
    marches(commune, 0, avec_clause=0, inconnues=36)
    contenu = page(client, commune)
    assert (
        "Les considérations sociales des 36 marchés de la commune ne sont pas renseignées"
        in contenu
    )
    assert "pas de part à comparer avec la cible nationale" in contenu
    assert "Aucune donnée disponible ne permet de vérifier ce statut." in contenu
    assert "0 marché sur 36" not in contenu
    assert "ne confirment pas ce statut" not in contenu
    assert "Cible non atteinte" not in contenu and "Pas de considération sociale" not in contenu


def test_action_1_1_counts_the_share_over_known_considerations(client, guide):
    commune = CommuneFactory()
    realise(commune, "1.1")
    marches(commune, 4, avec_clause=2, inconnues=30)
    contenu = page(client, commune)
    assert "2 marchés sur 4 comportent au moins une considération sociale, soit 50,0" in contenu
    assert "30 autres marchés ont leurs considérations sociales non renseignées" in contenu
    assert "Les données disponibles confirment ce statut." in contenu


def test_action_2_1_declared_done_without_a_referent_is_not_confirmed(client, guide):
    commune = CommuneFactory()
    realise(commune, "2.1")
    contenu = page(client, commune)
    assert "Aucun élu référent ESS/IAE n&#x27;est désigné" in contenu
    assert "Les données disponibles ne confirment pas ce statut." in contenu


def test_action_2_1_not_filled_but_a_referent_is_designated_goes_further(client, guide):
    commune = CommuneFactory()
    EluReferentFactory(commune=commune, nom="Awa Diallo", mandat="Adjointe à l'ESS")
    contenu = page(client, commune)
    assert "Élu référent ESS/IAE : Awa Diallo, Adjointe à l&#x27;ESS." in contenu
    assert "Les données disponibles vont plus loin que le statut déclaré." in contenu


def test_actions_3_1_and_3_2_list_the_recorded_supports_with_amounts_and_years(client, guide):
    commune = CommuneFactory()
    realise(commune, "3.1")
    realise(commune, "3.2")
    jardins = StructureFactory(nom="Jardins de la Vilaine")
    Soutien.objects.create(
        commune=commune,
        structure=jardins,
        type=TypeSoutien.SUBVENTION,
        montant=Decimal("25000"),
        annee=2025,
        description="Fonds IAE-ESS",
    )
    contenu = page(client, commune)
    assert "1 soutien de type « subvention ou fonds de soutien » enregistré." in contenu
    lien = f'<a href="{jardins.get_absolute_url()}">Jardins de la Vilaine</a>'
    assert f"{lien}, 2025 : 25\u202f000\u00a0€" in contenu
    # No premises recorded: 3.2 declared done is not backed.
    assert "Aucun soutien de type « mise à disposition de locaux ou de terrain »" in contenu
    assert contenu.count("Les données disponibles ne confirment pas ce statut.") == 1


def test_a_support_to_an_unpublished_structure_is_shown_without_a_link(client, guide):
    commune = CommuneFactory()
    cachee = StructureFactory(nom="Structure non vérifiée", verifiee=False)
    Soutien.objects.create(commune=commune, structure=cachee, type=TypeSoutien.LOCAUX, annee=2024)
    contenu = page(client, commune)
    assert "Structure non vérifiée, 2024" in contenu
    assert cachee.get_absolute_url() not in contenu


# --- Structures, evolution, report, downloads ---------------------------------------------


def test_structures_located_in_or_serving_the_commune_are_listed_when_published(client, guide):
    commune = CommuneFactory()
    implantee = StructureFactory(nom="Régie de quartier", commune=commune)
    intervenante = StructureFactory(nom="Vilaine Emploi Services")
    intervenante.zones_communes.add(commune)
    StructureFactory(nom="Non publiée", commune=commune, publiee=False)
    StructureFactory(nom="Ailleurs")
    contenu = page(client, commune)
    assert f'<a href="{implantee.get_absolute_url()}">Régie de quartier</a>' in contenu
    assert "implantée dans la commune" in contenu
    assert f'<a href="{intervenante.get_absolute_url()}">Vilaine Emploi Services</a>' in contenu
    assert "intervient dans la commune" in contenu
    assert "Non publiée" not in contenu and "Ailleurs" not in contenu


def test_evolution_is_drawn_from_snapshots_with_a_table_beside_the_chart(client, guide):
    commune = CommuneFactory()
    for date, avancement in [
        (datetime.date(2026, 3, 10), "10.000"),
        (datetime.date(2026, 3, 31), "12.500"),
        (datetime.date(2026, 6, 30), "40.000"),
    ]:
        ScoreSnapshot.objects.create(
            commune=commune,
            referentiel=guide,
            date=date,
            avancement=Decimal(avancement),
            taux_engagement=Decimal("60"),
        )
    contenu = page(client, commune)
    # One point a month, the last snapshot of the month.
    assert '<polyline class="serie serie--avancement"' in contenu
    assert contenu.count('<tr><th scope="row"><time datetime="2026-') == 2
    assert "<caption>Évolution du score, mois par mois</caption>" in contenu
    assert "12,5\u00a0%" in contenu and "40,0\u00a0%" in contenu
    assert "10,0\u00a0%" not in contenu
    assert 'role="img"' in contenu and "style=" not in contenu


def test_no_snapshot_yet_says_so_fairly(client, guide):
    contenu = page(client, CommuneFactory())
    assert "Pas encore d'historique" in contenu


def test_latest_published_report_is_linked(client, guide):
    commune = CommuneFactory()
    Rapport.objects.create(commune=commune, referentiel=guide, statut=StatutRapport.PRET)
    contenu = page(client, commune)
    assert "Aucun rapport d'avancement publié pour l'instant." in contenu
    publie = Rapport.objects.create(
        commune=commune,
        referentiel=guide,
        statut=StatutRapport.PRET,
        fichier="rapports/rennes.pdf",
        publie=True,
        published_at=timezone.now(),
        pages=6,
    )
    contenu = page(client, commune)
    assert "Dernier rapport d'avancement (PDF, 6 pages)" in contenu
    assert f"{publie.pk}" in contenu


def test_scorecard_links_each_action_page_and_the_departement(client, guide):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    contenu = page(client, commune)
    for code in ("1.1", "3.2", "5.3"):
        assert reverse("commune:action", args=["35238", code]) in contenu
    assert reverse("commune:departement", args=["35"]) in contenu


def test_evidence_files_are_linked_through_the_evidence_view(client, guide):
    commune = CommuneFactory(code_insee="35238")
    fichier = PreuveFactory(
        engagement=engagement(commune, "1.2", Statut.ENGAGE), url="", fichier="preuves/a.pdf"
    )
    attendu = reverse("espace:engagements:preuve_fichier", args=["35238", "1.2", fichier.pk])
    assert f'href="{attendu}"' in page(client, commune)


def test_meta_description_and_open_graph_tags(client, guide):
    commune = CommuneFactory(nom="Bruz")
    contenu = page(client, commune)
    assert '<meta name="description" content="Engagements de Bruz' in contenu
    assert '<meta property="og:title" content="Bruz : ses engagements' in contenu
    assert '<meta property="og:url" content="http://testserver/communes/' in contenu
    assert 'href="/static/css/print.css" media="print"' in contenu


def test_scorecard_json_download(client, guide):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    remplir_commune(commune, guide)
    marches(commune, 2, avec_clause=1)
    reponse = client.get(reverse("commune:scorecard_json", args=["35238"]))
    assert reponse["Content-Type"] == "application/json"
    donnees = json.loads(reponse.content)
    assert donnees["commune"]["code_insee"] == "35238"
    assert donnees["score"]["avancement"] == 43.3
    assert donnees["licence"].startswith("Licence Ouverte")
    actions = {a["code"]: a for axe in donnees["axes"] for a in axe["actions"]}
    assert len(actions) == 15
    assert actions["1.1"]["donnees"]["constat"].startswith("1 marché sur 2")
    # Two public pieces of evidence each; the members-only one never leaves.
    assert len(actions["1.3"]["preuves"]) == 2
    assert all(p["url"].startswith("http") for p in actions["1.3"]["preuves"])
    assert "note_interne" not in reponse.content.decode()


def test_scorecard_csv_download_has_one_row_per_action(client, guide):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    remplir_commune(commune, guide)
    engagement_15 = commune.engagements.get(action__code="1.2", action__referentiel=guide)
    engagement_15.description = '=HYPERLINK("http://piege.test")'
    engagement_15.save()
    reponse = client.get(reverse("commune:scorecard_csv", args=["35238"]))
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    texte = reponse.content.decode("utf-8")
    assert texte.startswith("\ufeff")
    lignes = list(csv.DictReader(io.StringIO(texte[1:]), delimiter=";"))
    assert len(lignes) == 15
    ligne = next(ligne for ligne in lignes if ligne["code_action"] == "1.2")
    assert ligne["statut_declare"] == Statut.EN_COURS
    # A cell a spreadsheet would run as a formula is neutralised.
    assert ligne["description"].startswith("'=")


def test_unknown_commune_downloads_give_404(client, guide):
    assert client.get(reverse("commune:scorecard_json", args=["99999"])).status_code == 404
    assert client.get(reverse("commune:scorecard_csv", args=["99999"])).status_code == 404


# --- The cache: a change is visible at once -----------------------------------------------


def test_scorecard_is_cached_until_the_commune_changes(client, guide):
    commune = CommuneFactory()
    url = commune.get_absolute_url()
    manque = nombre_de_requetes(client, url)
    # Nothing filled: no evidence nor milestone to prefetch.
    assert manque == REQUETES_DECLARATIONS - 2 + REQUETES_DONNEES + requetes_indicateurs(commune)
    # The next anonymous visitors get the page kept whole.
    assert nombre_de_requetes(client, url) == 0
    assert nombre_de_requetes(client, url) == 0


def test_a_signed_in_visitor_gets_a_page_of_their_own(client, guide):
    commune = CommuneFactory()
    url = commune.get_absolute_url()
    anonyme = page(client, commune)
    assert "Se connecter" in anonyme
    client.force_login(UserFactory())
    # The declarations are read again; the rest comes from the cache.
    assert nombre_de_requetes(client, url) == REQUETES_SESSION + REQUETES_DECLARATIONS - 2
    connecte = page(client, commune)
    assert "Se connecter" not in connecte and "Mon espace" in connecte
    # What a signed-in visitor was shown is never kept for the others.
    client.logout()
    assert "Mon espace" not in page(client, commune)


def test_a_kept_page_carries_the_headers_of_the_page_it_copies(client, guide):
    commune = CommuneFactory()
    calculee = client.get(commune.get_absolute_url())
    with CaptureQueriesContext(connection) as requetes:
        gardee = client.get(commune.get_absolute_url())
    assert len(requetes) == 0
    assert gardee.content == calculee.content
    for entete in (
        "Content-Type",
        "Content-Security-Policy",
        "X-Frame-Options",
        "Permissions-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert gardee[entete] == calculee[entete], entete
    assert "Cookie" in gardee["Vary"]
    assert not gardee.cookies


def test_a_message_waiting_is_shown_not_kept(client, guide):
    commune = CommuneFactory()
    page(client, commune)
    # Any pending message lives in the "messages" cookie: such a request is computed.
    client.cookies["messages"] = "quelque-chose"
    assert nombre_de_requetes(client, commune.get_absolute_url()) > 0


@pytest.mark.parametrize(
    "changement, attendu",
    [
        (
            lambda c: EluReferent.objects.create(commune=c, nom="Awa Diallo", mandat="adjointe"),
            "Awa Diallo",
        ),
        (
            lambda c: MarcheFactory(commune=c, clause_sociale=True),
            "1 marché sur 1 comporte",
        ),
        (
            lambda c: Soutien.objects.create(
                commune=c,
                structure=StructureFactory(nom="Ressourcerie"),
                type=TypeSoutien.LOCAUX,
                annee=2026,
            ),
            "Ressourcerie</a>, 2026",
        ),
        (lambda c: StructureFactory(nom="Régie implantée", commune=c), "Régie implantée"),
        (
            lambda c: ScoreSnapshot.objects.create(
                commune=c,
                referentiel=action_du_guide("1.1").referentiel,
                date=datetime.date(2026, 5, 4),
                avancement=Decimal("33.3"),
                taux_engagement=Decimal("50"),
            ),
            "33,3\u00a0%",
        ),
        (
            lambda c: Rapport.objects.create(
                commune=c,
                referentiel=action_du_guide("1.1").referentiel,
                statut=StatutRapport.PRET,
                fichier="rapports/r.pdf",
                publie=True,
                published_at=timezone.now(),
            ),
            "Dernier rapport d'avancement",
        ),
        (
            lambda c: Avis.objects.create(
                commune=c,
                action=action_du_guide("2.2"),
                message="Bravo",
                consentement=True,
                statut=StatutAvis.APPROUVE,
            ),
            "(1 avis d'habitant)",
        ),
        (
            lambda c: JalonFactory(
                engagement=engagement(c, "4.1", Statut.ENGAGE), titre="Comité de lancement"
            ),
            "Comité de lancement",
        ),
        (lambda c: SignatureFactory(commune=c), "Cette commune a signé le guide"),
    ],
)
def test_a_change_to_the_commune_is_visible_at_once(client, guide, changement, attendu):
    commune = CommuneFactory()
    assert attendu not in page(client, commune)
    assert attendu not in page(client, commune)  # served from the cache
    changement(commune)
    assert attendu in page(client, commune)


def test_a_change_to_another_commune_keeps_the_cache(client, guide):
    commune, autre = CommuneFactory(), CommuneFactory()
    page(client, commune)
    MarcheFactory(commune=autre)
    assert nombre_de_requetes(client, commune.get_absolute_url()) == 0


def test_a_deleted_support_disappears_at_once(client, guide):
    commune = CommuneFactory()
    soutien = Soutien.objects.create(
        commune=commune,
        structure=StructureFactory(nom="Jardins"),
        type=TypeSoutien.SUBVENTION,
        annee=2026,
    )
    assert "Jardins</a>, 2026" in page(client, commune)
    soutien.delete()
    assert "Jardins</a>, 2026" not in page(client, commune)


def test_a_contract_moved_to_another_commune_leaves_both_pages_right(client, guide):
    commune, autre = CommuneFactory(), CommuneFactory()
    marche = MarcheFactory(commune=commune)
    assert "0 marché sur 1" in page(client, commune)
    page(client, autre)
    marche = Marche.objects.get(pk=marche.pk)
    marche.commune = autre
    marche.save()
    assert "Aucun marché de la commune" in page(client, commune)
    assert "0 marché sur 1" in page(client, autre)


def test_a_structure_type_renamed_shows_on_every_scorecard(client, guide):
    commune = CommuneFactory()
    structure = StructureFactory(commune=commune)
    page(client, commune)
    TypeStructure.objects.filter(pk=structure.type_id).update(nom="Nom provisoire")
    type_structure = TypeStructure.objects.get(pk=structure.type_id)
    type_structure.nom = "Atelier renommé"
    type_structure.save()
    assert "Atelier renommé" in page(client, commune)


# --- Query counts -------------------------------------------------------------------------


def test_scorecard_query_count_does_not_grow_with_contracts_evidence_and_snapshots(
    client, guide, django_assert_num_queries
):
    commune = CommuneFactory()
    url = commune.get_absolute_url()
    remplir_commune(commune, guide)
    indicateurs = requetes_indicateurs(commune)
    manque = REQUETES_DECLARATIONS + REQUETES_DONNEES + indicateurs
    with django_assert_num_queries(manque):
        client.get(url)
    with django_assert_num_queries(0):
        client.get(url)
    client.force_login(UserFactory())
    with django_assert_num_queries(REQUETES_SESSION + REQUETES_DECLARATIONS):
        client.get(url)
    client.logout()

    marches(commune, 500, avec_clause=150)
    for engagement_rempli in commune.engagements.all():
        PreuveFactory.create_batch(5, engagement=engagement_rempli)
        JalonFactory.create_batch(5, engagement=engagement_rempli)
    ScoreSnapshot.objects.bulk_create(
        ScoreSnapshot(
            commune=commune,
            referentiel=guide,
            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
            avancement=Decimal(i % 100),
            taux_engagement=Decimal(50),
        )
        for i in range(400)
    )
    for i in range(20):
        structure = StructureFactory()
        structure.zones_communes.add(commune)
        Soutien.objects.create(
            commune=commune, structure=structure, type=TypeSoutien.SUBVENTION, annee=2020 + i % 6
        )
    Avis.objects.bulk_create(
        Avis(
            commune=commune,
            action=action_du_guide("1.1"),
            message="Avis",
            consentement=True,
            statut=StatutAvis.APPROUVE,
        )
        for _ in range(30)
    )
    cache_public.invalider_communes(commune.pk)
    assert requetes_indicateurs(commune) == indicateurs
    with django_assert_num_queries(manque):
        reponse = client.get(url)
    assert "150 marchés sur 500 comportent" in reponse.content.decode()
    with django_assert_num_queries(0):
        client.get(url)
    client.force_login(UserFactory())
    with django_assert_num_queries(REQUETES_SESSION + REQUETES_DECLARATIONS):
        client.get(url)


def test_a_kept_page_never_skips_the_redirection_to_https(client, guide, settings):
    settings.SECURE_SSL_REDIRECT = True
    commune = CommuneFactory()
    assert client.get(commune.get_absolute_url(), secure=True).status_code == 200
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(commune.get_absolute_url(), secure=True).status_code == 200
    assert len(requetes) == 0
    assert client.get(commune.get_absolute_url()).status_code == 301


def test_the_methodology_says_unknown_considerations_count_neither_way(client, guide):
    contenu = client.get(reverse("commune:methodologie")).content.decode()
    assert "ne compte ni avec ni sans considération sociale" in contenu
    assert "aucune part ni aucun verdict n'est affiché" in contenu
