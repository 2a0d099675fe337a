"""Personal access tokens, the session of the browsable API, and request rates."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from axes.models import Engagement
from comptes.models import JetonAcces
from tests.api.conftest import jeton_pour

pytestmark = pytest.mark.django_db

URL = "/api/v1/communes/35238/engagements/1.2/"
MODIFICATION = {"statut": "en cours", "avancement": 40}


def client(entete):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=entete)
    return api


@pytest.mark.parametrize("mot_cle", ["Bearer", "Token", "bearer"])
def test_editor_writes_with_a_bearer_or_token_header(matrice, mot_cle):
    jeton = jeton_pour(matrice.users["editeur"])
    reponse = client(f"{mot_cle} {jeton}").patch(URL, MODIFICATION, format="json")
    assert reponse.status_code == 200, reponse.json()
    engagement = Engagement.objects.get(commune=matrice.commune, action__code="1.2")
    assert engagement.avancement == 40
    # The history records who changed it, through the token.
    assert engagement.history.latest().history_user == matrice.users["editeur"]


def test_only_a_digest_and_a_short_prefix_of_the_token_are_stored(matrice):
    ligne, jeton = JetonAcces.creer(user=matrice.users["editeur"], nom="Tableur")
    assert jeton.startswith("ce_") and len(jeton) > 40
    assert ligne.empreinte == JetonAcces.empreinte_de(jeton) != jeton
    assert len(ligne.empreinte) == 64
    assert jeton.startswith(ligne.prefixe) and len(ligne.prefixe) == 10
    assert all(jeton not in str(valeur) for valeur in JetonAcces.objects.values().get().values())


@pytest.mark.parametrize(
    "entete",
    [
        "Bearer ce_inconnu",
        "Bearer",
        "Bearer deux morceaux",
        "Token ",
    ],
)
def test_unknown_or_malformed_token_is_refused_with_401_in_french(matrice, entete):
    avant = Engagement.history.count()
    reponse = client(entete).patch(URL, MODIFICATION, format="json")
    assert reponse.status_code == 401
    assert reponse["WWW-Authenticate"] == 'Bearer realm="api"'
    detail = reponse.json()["detail"]
    assert "Jeton" in detail or "Authorization" in detail
    assert Engagement.history.count() == avant


def test_unknown_token_is_refused_even_on_a_public_read(matrice):
    # A script with a wrong token learns it at once rather than reading as anonymous.
    assert client("Bearer ce_faux").get("/api/v1/communes/").status_code == 401


def test_revoked_token_is_refused(matrice):
    ligne, jeton = JetonAcces.creer(user=matrice.users["editeur"], nom="Ancien")
    ligne.revoquer()
    reponse = client(f"Bearer {jeton}").patch(URL, MODIFICATION, format="json")
    assert reponse.status_code == 401
    assert "révoqué" in reponse.json()["detail"]
    assert not Engagement.objects.filter(commune=matrice.commune).exists()


def test_token_of_a_deactivated_account_is_refused(matrice):
    user = matrice.users["editeur"]
    jeton = jeton_pour(user)
    user.is_active = False
    user.save()
    assert client(f"Bearer {jeton}").patch(URL, MODIFICATION, format="json").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(matrice, django_assert_num_queries):
    ligne, jeton = JetonAcces.creer(user=matrice.users["lecteur"], nom="Script")
    api = client(f"Bearer {jeton}")
    assert ligne.last_used_at is None
    # Token and user; the date of use; then the referentials (count, rows, axes,
    # actions, correspondences).
    with django_assert_num_queries(7):
        assert api.get("/api/v1/referentiels/").status_code == 200
    ligne.refresh_from_db()
    premiere = ligne.last_used_at
    assert premiere is not None
    with django_assert_num_queries(6):
        assert api.get("/api/v1/referentiels/").status_code == 200
    ligne.refresh_from_db()
    assert ligne.last_used_at == premiere
    JetonAcces.objects.filter(pk=ligne.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    api.get("/api/v1/referentiels/")
    ligne.refresh_from_db()
    assert ligne.last_used_at > premiere


def test_session_writes_need_the_csrf_token(matrice):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(matrice.users["editeur"])
    reponse = api.patch(URL, MODIFICATION, format="json")
    assert reponse.status_code == 403
    assert "CSRF" in reponse.json()["detail"]
    assert not Engagement.objects.filter(commune=matrice.commune).exists()
    # With the token the browsable API puts in its cookie, the same write goes through.
    api.get("/api/v1/", HTTP_ACCEPT="text/html")
    jeton_csrf = api.cookies["csrftoken"].value
    reponse = api.patch(URL, MODIFICATION, format="json", HTTP_X_CSRFTOKEN=jeton_csrf)
    assert reponse.status_code == 200, reponse.json()


def test_session_reads_need_no_csrf(matrice):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(matrice.users["lecteur"])
    reponse = api.get("/api/v1/communes/35238/engagements/1.1/")
    assert reponse.status_code == 200
    assert "note_interne" in reponse.json()


def test_browsable_api_renders_for_a_browser(matrice):
    api = APIClient()
    reponse = api.get("/api/v1/communes/", HTTP_ACCEPT="text/html")
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/html")


# Request rates ---------------------------------------------------------------------------


@pytest.fixture
def debits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "5/min"},
    }


def test_anonymous_client_is_throttled_with_a_french_429(db, debits):
    api = APIClient()
    for _ in range(3):
        assert api.get("/api/v1/referentiels/").status_code == 200
    reponse = api.get("/api/v1/referentiels/")
    assert reponse.status_code == 429
    assert reponse.json()["detail"].startswith("Trop de requêtes : réessayez dans ")
    assert 1 <= int(reponse["Retry-After"]) <= 60


def test_a_token_gets_a_higher_rate_than_anonymous_clients(matrice, debits):
    api = client(f"Bearer {jeton_pour(matrice.users['lecteur'])}")
    for _ in range(5):
        assert api.get("/api/v1/referentiels/").status_code == 200
    assert api.get("/api/v1/referentiels/").status_code == 429
    # Counted per account: the anonymous budget is untouched.
    assert APIClient().get("/api/v1/referentiels/").status_code == 200


def test_default_rates_are_60_a_minute_anonymous_and_more_with_a_token(settings):
    debits = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert debits["anon"] == "60/min"
    assert int(debits["user"].split("/")[0]) > 60


def test_read_only_token_reads_but_gets_403_on_every_write(matrice):
    _, jeton = JetonAcces.creer(user=matrice.users["editeur"], nom="Lecture", portee="lecture")
    api = client(f"Bearer {jeton}")
    assert api.get(URL).status_code == 200
    for methode in (api.patch, api.put, api.post, api.delete):
        reponse = methode(URL, MODIFICATION, format="json")
        assert reponse.status_code == 403, methode
        assert "ne permet que la lecture" in reponse.json()["detail"]
    assert not Engagement.objects.filter(commune=matrice.commune).exists()


def test_write_token_writes_with_its_holders_rights_only(matrice):
    _, jeton = JetonAcces.creer(user=matrice.users["lecteur"], nom="Écriture", portee="ecriture")
    reponse = client(f"Bearer {jeton}").patch(URL, MODIFICATION, format="json")
    assert reponse.status_code == 403
    assert "ne permet que la lecture" not in reponse.json()["detail"]


def test_expired_token_is_refused_with_401(matrice):
    ligne, jeton = JetonAcces.creer(user=matrice.users["editeur"], nom="Vieux", duree=30)
    assert ligne.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    api = client(f"Bearer {jeton}")
    assert api.get("/api/v1/").status_code == 200
    JetonAcces.objects.filter(pk=ligne.pk).update(expires_at=timezone.now())
    reponse = api.get("/api/v1/")
    assert reponse.status_code == 401
    assert "expiré" in reponse.json()["detail"]
