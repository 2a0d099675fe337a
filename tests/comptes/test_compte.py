import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.comptes.factories import MOT_DE_PASSE, UserFactory

pytestmark = pytest.mark.django_db

URL_COMPTE = reverse("comptes:compte")
URL_CHANGER = reverse("comptes:changer_mot_de_passe")


def messages_de(reponse):
    return [str(message) for message in get_messages(reponse.wsgi_request)]


@pytest.fixture
def elue(client):
    user = UserFactory(email="elue@mairie.test", first_name="Anne", last_name="Martin")
    client.force_login(user)
    return user


def test_anonymous_visitor_is_sent_to_sign_in(client):
    for url in (URL_COMPTE, URL_CHANGER):
        reponse = client.get(url)
        assert reponse.status_code == 302
        assert reponse["Location"] == f"{reverse('comptes:connexion')}?next={url}"


def test_account_page_shows_the_form_and_the_password_link(client, elue, django_assert_num_queries):
    # Session and user.
    with django_assert_num_queries(3):
        reponse = client.get(URL_COMPTE)
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert 'value="elue@mairie.test"' in contenu
    assert f'href="{URL_CHANGER}"' in contenu
    assert f'<a href="{URL_COMPTE}">Mon compte</a>' in contenu


def test_signed_out_visitor_has_no_account_link(client):
    contenu = client.get(reverse("comptes:connexion")).content.decode()
    assert f'href="{URL_COMPTE}"' not in contenu


def test_name_change_needs_no_password_and_is_confirmed(client, elue):
    reponse = client.post(
        URL_COMPTE, {"first_name": "Anne-Marie", "last_name": "Durand", "email": "elue@mairie.test"}
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == URL_COMPTE
    assert messages_de(reponse) == ["Vos informations ont été enregistrées."]
    elue.refresh_from_db()
    assert (elue.first_name, elue.last_name) == ("Anne-Marie", "Durand")


def test_email_change_without_current_password_is_refused(client, elue):
    reponse = client.post(
        URL_COMPTE, {"first_name": "Anne", "last_name": "Martin", "email": "anne@mairie.test"}
    )
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Saisissez votre mot de passe actuel pour changer d&#x27;adresse e-mail." in contenu
    assert 'role="alert"' in contenu
    assert 'aria-describedby="id_mot_de_passe_actuel_helptext id_mot_de_passe_actuel_error"' in (
        contenu
    )
    assert 'aria-invalid="true"' in contenu
    elue.refresh_from_db()
    assert elue.email == "elue@mairie.test"


def test_email_change_with_a_wrong_password_is_refused(client, elue):
    reponse = client.post(
        URL_COMPTE,
        {
            "first_name": "Anne",
            "last_name": "Martin",
            "email": "anne@mairie.test",
            "mot_de_passe_actuel": "pas-le-bon",
        },
    )
    assert reponse.status_code == 200
    assert "Mot de passe actuel incorrect." in reponse.content.decode()
    elue.refresh_from_db()
    assert elue.email == "elue@mairie.test"


def test_email_change_with_the_password_is_saved_lowercased(client, elue):
    reponse = client.post(
        URL_COMPTE,
        {
            "first_name": "Anne",
            "last_name": "Martin",
            "email": " Anne.Martin@Mairie.test ",
            "mot_de_passe_actuel": MOT_DE_PASSE,
        },
    )
    assert reponse.status_code == 302
    assert messages_de(reponse) == ["Vos informations ont été enregistrées."]
    elue.refresh_from_db()
    assert elue.email == "anne.martin@mairie.test"
    # Still signed in.
    assert client.get(URL_COMPTE).status_code == 200


def test_same_email_in_another_case_needs_no_password(client, elue):
    reponse = client.post(
        URL_COMPTE, {"first_name": "Anne", "last_name": "Martin", "email": "ELUE@mairie.test"}
    )
    assert reponse.status_code == 302
    elue.refresh_from_db()
    assert elue.email == "elue@mairie.test"


def test_email_of_another_account_is_refused_whatever_its_case(client, elue):
    UserFactory(email="maire@mairie.test")
    reponse = client.post(
        URL_COMPTE,
        {
            "first_name": "Anne",
            "last_name": "Martin",
            "email": "Maire@Mairie.TEST",
            "mot_de_passe_actuel": MOT_DE_PASSE,
        },
    )
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Cette adresse e-mail est déjà utilisée par un autre compte." in contenu
    assert 'id="id_email_error"' in contenu
    elue.refresh_from_db()
    assert elue.email == "elue@mairie.test"


def test_password_change_keeps_the_session_and_replaces_the_password(client, elue):
    nouveau = "Un-nouveau-mot-de-passe-2025"
    reponse = client.post(
        URL_CHANGER,
        {"old_password": MOT_DE_PASSE, "new_password1": nouveau, "new_password2": nouveau},
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == URL_COMPTE
    assert messages_de(reponse) == ["Votre mot de passe a été changé."]
    elue.refresh_from_db()
    assert elue.check_password(nouveau)
    assert not elue.check_password(MOT_DE_PASSE)
    assert client.get(URL_COMPTE).status_code == 200


def test_password_change_with_a_wrong_old_password_is_refused(client, elue):
    nouveau = "Un-nouveau-mot-de-passe-2025"
    reponse = client.post(
        URL_CHANGER, {"old_password": "faux", "new_password1": nouveau, "new_password2": nouveau}
    )
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert 'id="id_old_password_error"' in contenu
    assert 'role="alert"' in contenu
    elue.refresh_from_db()
    assert elue.check_password(MOT_DE_PASSE)
