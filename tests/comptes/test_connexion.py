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
