import re

import pytest
from django.urls import reverse

from tests.comptes.factories import MOT_DE_PASSE, UserFactory

pytestmark = pytest.mark.django_db

NOUVEAU = "Un-nouveau-mot-de-passe-2025"
URL_OUBLIE = reverse("comptes:mot_de_passe_oublie")


def lien_du_courriel(message, site_url):
    liens = re.findall(r"https?://\S+", message.body)
    assert len(liens) == 1, message.body
    assert liens[0].startswith(site_url + "/compte/mot-de-passe/nouveau/")
    return liens[0].removeprefix(site_url)


def test_reset_email_link_sets_a_new_password_and_the_old_one_stops_working(
    client, mailoutbox, settings
):
    settings.SITE_URL = "https://commune-engagee.example.org"
    user = UserFactory(email="elue@mairie.test")

    reponse = client.post(URL_OUBLIE, {"email": " Elue@Mairie.test "})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("comptes:mot_de_passe_oublie_envoye")

    assert len(mailoutbox) == 1
    courriel = mailoutbox[0]
    assert courriel.to == ["elue@mairie.test"]
    assert courriel.subject == "Commune engagée : réinitialisation de votre mot de passe"
    assert courriel.alternatives == []  # plain text only
    assert "choisir votre nouveau mot de passe" in courriel.body
    assert "&#x27;" not in courriel.body  # not HTML-escaped
    lien = lien_du_courriel(courriel, settings.SITE_URL)

    # The link hides its token behind a redirect, then shows the form.
    reponse = client.get(lien, follow=True)
    assert reponse.status_code == 200
    assert 'name="new_password1"' in reponse.content.decode()
    url_formulaire = reponse.redirect_chain[-1][0]
    reponse = client.post(url_formulaire, {"new_password1": NOUVEAU, "new_password2": NOUVEAU})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("comptes:mot_de_passe_reinitialise")

    user.refresh_from_db()
    assert user.check_password(NOUVEAU)
    assert not user.check_password(MOT_DE_PASSE)
    connexion = reverse("comptes:connexion")
    reponse = client.post(connexion, {"username": "elue@mairie.test", "password": MOT_DE_PASSE})
    assert reponse.status_code == 200
    assert "_auth_user_id" not in client.session
    reponse = client.post(connexion, {"username": "elue@mairie.test", "password": NOUVEAU})
    assert reponse.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_reset_link_works_only_once(client, mailoutbox):
    UserFactory(email="elue@mairie.test")
    client.post(URL_OUBLIE, {"email": "elue@mairie.test"})
    lien = lien_du_courriel(mailoutbox[0], "http://127.0.0.1:8000")
    url_formulaire = client.get(lien)["Location"]
    client.post(url_formulaire, {"new_password1": NOUVEAU, "new_password2": NOUVEAU})

    reponse = client.get(lien, follow=True)
    contenu = reponse.content.decode()
    assert "Ce lien de réinitialisation n'est pas valide" in contenu
    assert 'name="new_password1"' not in contenu


def test_mismatched_new_passwords_are_refused_beside_the_field(client, mailoutbox):
    user = UserFactory(email="elue@mairie.test")
    client.post(URL_OUBLIE, {"email": "elue@mairie.test"})
    lien = lien_du_courriel(mailoutbox[0], "http://127.0.0.1:8000")
    url_formulaire = client.get(lien)["Location"]

    reponse = client.post(url_formulaire, {"new_password1": NOUVEAU, "new_password2": "autre"})
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert 'role="alert"' in contenu
    assert 'id="id_new_password2_error"' in contenu
    assert 'aria-invalid="true"' in contenu
    user.refresh_from_db()
    assert user.check_password(MOT_DE_PASSE)


def test_unknown_address_gets_the_same_answer_and_no_email(client, mailoutbox):
    UserFactory(email="elue@mairie.test")

    connue = client.post(URL_OUBLIE, {"email": "elue@mairie.test"}, follow=True)
    mailoutbox.clear()
    inconnue = client.post(URL_OUBLIE, {"email": "personne@nulle-part.test"}, follow=True)

    assert mailoutbox == []
    assert inconnue.redirect_chain == connue.redirect_chain
    assert inconnue.content == connue.content
    assert "Si un compte correspond à l'adresse indiquée" in inconnue.content.decode()


def test_inactive_account_gets_no_email(client, mailoutbox):
    UserFactory(email="partie@mairie.test", is_active=False)
    reponse = client.post(URL_OUBLIE, {"email": "partie@mairie.test"})
    assert reponse.status_code == 302
    assert mailoutbox == []


def test_reset_requests_are_limited_per_address(client, mailoutbox):
    UserFactory(email="elue@mairie.test")
    for _ in range(3):
        assert client.post(URL_OUBLIE, {"email": "elue@mairie.test"}).status_code == 302

    reponse = client.post(URL_OUBLIE, {"email": "ELUE@mairie.test"}, REMOTE_ADDR="10.0.0.9")
    assert reponse.status_code == 429
    assert "Trop de demandes de réinitialisation." in reponse.content.decode()
    assert len(mailoutbox) == 3


def test_reset_requests_are_limited_per_ip_whatever_the_address(client, mailoutbox):
    UserFactory(email="elue@mairie.test")
    for n in range(10):
        client.post(URL_OUBLIE, {"email": f"inconnue{n}@mairie.test"})

    reponse = client.post(URL_OUBLIE, {"email": "elue@mairie.test"})
    assert reponse.status_code == 429
    assert mailoutbox == []
    # The limit is the same whether the address has an account or not.
    reponse = client.post(URL_OUBLIE, {"email": "encore-inconnue@mairie.test"})
    assert reponse.status_code == 429
