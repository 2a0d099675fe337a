"""Error pages speak French in the site's layout; the 500 page needs no database, no request."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from tests.roles import verifier_reponse

# Present on every page drawn in the site's layout (templates/base.html).
GABARIT = ('<a class="lien-evitement" href="#contenu">', 'aria-label="Navigation principale"')
BASE_EN_PANNE = mock.patch(
    "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
    side_effect=OperationalError("connection refused"),
)


def test_tests_run_with_debug_off_so_the_real_error_pages_are_used(settings):
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_unknown_url_gives_a_french_404_in_the_layout(client):
    reponse = client.get("/cette-page-n-existe-pas/")
    assert reponse.status_code == 404
    contenu = reponse.content.decode()
    assert "<h1>Page introuvable</h1>" in contenu
    assert '<html lang="fr">' in contenu
    assert all(morceau in contenu for morceau in GABARIT)


@pytest.mark.django_db
def test_editor_opening_an_admin_only_page_gets_a_french_403_in_the_layout(client, matrice):
    client = matrice.connecter(client, "editeur")
    reponse = client.get(reverse("espace:membres:signature", args=[matrice.commune.code_insee]))
    verifier_reponse(reponse, 403)
    contenu = reponse.content.decode()
    assert "<h1>Accès refusé</h1>" in contenu
    assert all(morceau in contenu for morceau in GABARIT)
    # The editor is signed in: the layout shows it.
    assert "Se déconnecter" in contenu


def test_bad_request_page_is_french_in_the_layout(rf):
    reponse = defaults.bad_request(rf.get("/"), Exception("en-tête Host refusé"))
    assert reponse.status_code == 400
    contenu = reponse.content.decode()
    assert "<h1>Demande incorrecte</h1>" in contenu
    assert all(morceau in contenu for morceau in GABARIT)


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_a_french_page_in_the_layout():
    client = Client(enforce_csrf_checks=True)
    reponse = client.post(reverse("comptes:connexion"), {"username": "a@b.fr", "password": "x"})
    assert reponse.status_code == 403
    contenu = reponse.content.decode()
    assert "<h1>Formulaire expiré</h1>" in contenu
    assert "Rien n'a été enregistré" in contenu
    assert all(morceau in contenu for morceau in GABARIT)


@pytest.mark.django_db
def test_500_page_renders_without_a_query_nor_a_request(django_assert_num_queries):
    with django_assert_num_queries(0), BASE_EN_PANNE:
        contenu = loader.render_to_string("500.html")
        reponse = defaults.server_error(RequestFactory().get("/"))
    assert reponse.status_code == 500
    assert "<h1>Le site rencontre une erreur</h1>" in contenu
    assert reponse.content.decode() == contenu
    # The site's stylesheet, by a plain path: no template tag, no manifest lookup.
    assert '<link rel="stylesheet" href="/static/css/site.css">' in contenu
    assert '<html lang="fr">' in contenu


@pytest.mark.django_db
def test_with_the_database_down_a_page_answers_the_french_500():
    client = Client(raise_request_exception=False)
    with BASE_EN_PANNE:
        reponse = client.get(reverse("commune:liste"))
    assert reponse.status_code == 500
    assert "<h1>Le site rencontre une erreur</h1>" in reponse.content.decode()
    assert "Server Error" not in reponse.content.decode()
