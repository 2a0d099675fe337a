import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axes.enums import Statut
from axes.models import Action, ScoreSnapshot
from tests.axes.factories import EngagementFactory, JalonFactory, PreuveFactory, action_du_guide
from tests.roles import verifier_reponse

pytestmark = pytest.mark.django_db


def url(commune):
    return reverse("espace:tableau_de_bord", args=[commune.code_insee])


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", "connexion"),
        ("exterieur", 404),
        ("membre_autre_commune", 404),
        ("lecteur", "ok"),
        ("editeur", "ok"),
        ("admin", "ok"),
        ("staff", "ok"),
    ],
)
def test_dashboard_is_for_members_and_staff_only(client, matrice, role, attendu):
    matrice.connecter(client, role)
    verifier_reponse(client.get(url(matrice.commune)), attendu)


def test_dashboard_shows_change_since_last_snapshot(client, matrice, guide):
    commune = matrice.commune
    ScoreSnapshot.objects.create(
        commune=commune,
        referentiel=guide,
        date=timezone.localdate() - datetime.timedelta(days=30),
        avancement=Decimal("0"),
        taux_engagement=Decimal("0"),
        par_axe={"1": {"avancement": "0", "taux_engagement": "0"}},
    )
    engagement = EngagementFactory(commune=commune, action=action_du_guide("1.1"))
    PreuveFactory(engagement=engagement)
    engagement.statut = Statut.REALISE
    engagement.save()
    matrice.connecter(client, "lecteur")
    contenu = client.get(url(commune)).content.decode()
    # 1.1 done: axis 1 at 33.3 %, overall 33.3 / 5 = 6.7 %.
    assert "+6,7\u00a0points" in contenu
    assert "+33,3\u00a0points" in contenu


def test_dashboard_lists_unfilled_actions_and_past_due_targets(client, matrice):
    commune = matrice.commune
    EngagementFactory(
        commune=commune,
        action=action_du_guide("2.1"),
        statut=Statut.ENGAGE,
        date_cible=timezone.localdate() - datetime.timedelta(days=1),
    )
    EngagementFactory(
        commune=commune,
        action=action_du_guide("2.2"),
        statut=Statut.ENGAGE,
        date_cible=timezone.localdate() + datetime.timedelta(days=1),
    )
    matrice.connecter(client, "editeur")
    reponse = client.get(url(commune))
    assert [a.code for a, _ in reponse.context["en_retard"]] == ["2.1"]
    assert len(reponse.context["non_renseignees"]) == 13


def test_dashboard_names_who_made_the_last_changes_never_their_email(client, matrice):
    editeur = matrice.users["editeur"]
    client.force_login(editeur)
    engagement = EngagementFactory(commune=matrice.commune)
    engagement.history.update(history_user=editeur)
    contenu = client.get(url(matrice.commune)).content.decode()
    assert editeur.nom_affiche in contenu
    assert editeur.email not in contenu


def test_dashboard_query_count_does_not_grow_with_engagements_and_history(client, matrice):
    matrice.connecter(client, "admin")
    EngagementFactory(commune=matrice.commune)
    with CaptureQueriesContext(connection) as avant:
        client.get(url(matrice.commune))
    for action in Action.objects.filter(referentiel__type="guide").exclude(code="1.1"):
        engagement = EngagementFactory(commune=matrice.commune, action=action)
        PreuveFactory.create_batch(2, engagement=engagement)
        JalonFactory.create_batch(2, engagement=engagement)
    with CaptureQueriesContext(connection) as apres:
        client.get(url(matrice.commune))
    assert len(apres.captured_queries) == len(avant.captured_queries)
