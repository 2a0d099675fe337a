import datetime

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from comptes import tentatives
from comptes.models import EchecConnexion
from tests.comptes.factories import MOT_DE_PASSE, UserFactory

pytestmark = pytest.mark.django_db

URL_ADMIN_CONNEXION = reverse("admin:login")
MESSAGE = "Trop de tentatives de connexion. Réessayez dans quelques minutes."


def test_thirty_wrong_passwords_on_the_admin_lock_the_staff_account_for_that_client(client):
    """Issue 16, reproduction 1."""
    UserFactory(email="staff@mairie.test", is_staff=True, is_superuser=True)
    statuts = [
        client.post(
            URL_ADMIN_CONNEXION, {"username": "staff@mairie.test", "password": f"faux{n}"}
        ).status_code
        for n in range(30)
    ]
    assert statuts[:5] == [200] * 5
    assert set(statuts[5:]) == {429}

    reponse = client.post(
        f"{URL_ADMIN_CONNEXION}?next=/admin/",
        {"username": "staff@mairie.test", "password": MOT_DE_PASSE},
    )
    assert reponse.status_code == 429
    assert MESSAGE in reponse.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_admin_login_is_the_sites_sign_in_page(client):
    UserFactory(email="staff@mairie.test", is_staff=True)
    reponse = client.get(f"{URL_ADMIN_CONNEXION}?next=/admin/")
    assert reponse.status_code == 200
    assert "<h1>Se connecter</h1>" in reponse.content.decode()

    reponse = client.post(
        f"{URL_ADMIN_CONNEXION}?next=/admin/",
        {"username": "staff@mairie.test", "password": MOT_DE_PASSE, "next": "/admin/"},
    )
    assert reponse.status_code == 302
    assert reponse.url == "/admin/"


def test_member_without_staff_right_gets_403_from_the_admin_login_not_a_loop(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    assert client.get(f"{URL_ADMIN_CONNEXION}?next=/admin/").status_code == 403


def test_any_authenticate_call_with_a_request_is_held_while_locked():
    UserFactory(email="elue@mairie.test")
    requete = RequestFactory().post("/ailleurs/", REMOTE_ADDR="203.0.113.5")
    for _ in range(5):
        assert authenticate(requete, username="elue@mairie.test", password="faux") is None
    assert EchecConnexion.objects.count() == 5

    requete = RequestFactory().post("/ailleurs/", REMOTE_ADDR="203.0.113.5")
    assert authenticate(requete, username="elue@mairie.test", password=MOT_DE_PASSE) is None
    assert requete.connexion_bloquee
    # The refusal of the lock is not counted as a guess.
    assert EchecConnexion.objects.count() == 5


def test_wait_grows_with_each_failure_past_the_fifth():
    attentes = [tentatives.attente_apres(n) for n in range(4, 9)]
    assert attentes == [datetime.timedelta(0)] + [
        datetime.timedelta(minutes=m) for m in (5, 10, 20, 40)
    ]
    assert tentatives.attente_apres(50) == tentatives.ATTENTE_MAX


def test_lock_ends_after_its_wait_and_a_new_failure_doubles_it(client):
    UserFactory(email="elue@mairie.test")
    requete = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5")
    for _ in range(5):
        tentatives.noter_echec(requete, "elue@mairie.test")
    assert tentatives.est_bloque(requete, "elue@mairie.test")

    EchecConnexion.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    assert not tentatives.est_bloque(requete, "elue@mairie.test")

    tentatives.noter_echec(requete, "elue@mairie.test")
    EchecConnexion.objects.filter(
        created_at__gt=timezone.now() - datetime.timedelta(minutes=1)
    ).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    # Six failures: ten minutes from the last one.
    assert tentatives.est_bloque(requete, "elue@mairie.test")


def test_success_forgets_the_pairs_failures_but_not_the_clients_others(client):
    UserFactory(email="elue@mairie.test")
    for _ in range(3):
        client.post(reverse("comptes:connexion"), {"username": "elue@mairie.test", "password": "x"})
    client.post(reverse("comptes:connexion"), {"username": "autre@mairie.test", "password": "x"})

    client.post(
        reverse("comptes:connexion"), {"username": "elue@mairie.test", "password": MOT_DE_PASSE}
    )
    assert list(EchecConnexion.objects.values_list("identifiant", flat=True)) == [
        "autre@mairie.test"
    ]


def test_a_locked_authenticate_elsewhere_answers_the_sites_french_429(rf):
    from django.http import HttpResponse

    from comptes.middleware import ConnexionBloqueeMiddleware

    def vue_qui_authentifie(requete):
        requete.connexion_bloquee = True
        return HttpResponse("Mot de passe incorrect", status=200)

    requete = rf.post("/ailleurs/")
    requete.user = AnonymousUser()
    reponse = ConnexionBloqueeMiddleware(vue_qui_authentifie)(requete)
    assert reponse.status_code == 429
    assert MESSAGE in reponse.content.decode()
    assert "<h1>Trop de tentatives de connexion</h1>" in reponse.content.decode()

    requete = rf.get("/ailleurs/")
    requete.user = AnonymousUser()
    ordinaire = ConnexionBloqueeMiddleware(lambda r: HttpResponse("ok"))(requete)
    assert ordinaire.status_code == 200
