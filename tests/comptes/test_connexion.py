import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.comptes.factories import MOT_DE_PASSE, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password_then_sign_out(client):
    user = UserFactory(email="elue@mairie.test")
    reponse = client.post(
        reverse("comptes:connexion"), {"username": "Elue@Mairie.test", "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    reponse = client.post(reverse("comptes:deconnexion"))
    assert reponse.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_clear_french_message_and_no_session(client):
    UserFactory(email="elue@mairie.test")
    reponse = client.post(
        reverse("comptes:connexion"), {"username": "elue@mairie.test", "password": "faux"}
    )
    assert reponse.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in reponse.content.decode()
    assert "_auth_user_id" not in client.session


def test_email_is_unique_whatever_its_case():
    UserFactory(email="elue@mairie.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create(email="ELUE@mairie.test")


def test_users_never_show_their_email_to_others():
    user = UserFactory(first_name="", last_name="", email="discrete@mairie.test")
    assert "discrete" not in user.nom_affiche


def test_sign_in_leads_to_my_space_by_default(client):
    UserFactory(email="elue@mairie.test")
    reponse = client.post(
        reverse("comptes:connexion"), {"username": "elue@mairie.test", "password": MOT_DE_PASSE}
    )
    assert reponse["Location"] == reverse("espace:accueil")


def test_sign_in_follows_a_safe_next_and_ignores_another_site(client):
    UserFactory(email="elue@mairie.test")
    identifiants = {"username": "elue@mairie.test", "password": MOT_DE_PASSE}
    url = reverse("comptes:connexion")

    reponse = client.post(url, {**identifiants, "next": "/compte/"})
    assert reponse["Location"] == "/compte/"
    client.logout()
    reponse = client.post(url, {**identifiants, "next": "https://ailleurs.example/"})
    assert reponse["Location"] == reverse("espace:accueil")


def test_sign_in_page_links_to_password_reset(client):
    contenu = client.get(reverse("comptes:connexion")).content.decode()
    assert reverse("comptes:mot_de_passe_oublie") in contenu
