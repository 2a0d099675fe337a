"""The "Jetons d'accès" section of the account: create a token (shown once), list, revoke."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from rest_framework.test import APIClient

from comptes.models import EchecConnexion, JetonAcces
from tests.comptes.factories import MOT_DE_PASSE, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("comptes:jetons")


@pytest.fixture
def elue(client):
    user = UserFactory(email="elue@mairie.test")
    client.force_login(user)
    return user


def jeton_affiche(reponse):
    contenu = reponse.content.decode()
    debut = contenu.index('id="jeton-cree"')
    valeur = contenu[debut:].split('value="', 1)[1].split('"', 1)[0]
    return valeur


def test_anonymous_visitor_is_sent_to_sign_in(client):
    for reponse in (client.get(URL), client.post(URL, {"nom": "Script"})):
        assert reponse.status_code == 302
        assert reponse["Location"].startswith(reverse("comptes:connexion"))
    assert not JetonAcces.objects.exists()


def test_account_page_links_to_the_tokens(client, elue):
    contenu = client.get(reverse("comptes:compte")).content.decode()
    assert "<h2>Jetons d'accès</h2>" in contenu
    assert f'href="{URL}"' in contenu


def test_a_new_token_is_shown_once_and_only_its_digest_is_kept(client, elue):
    reponse = client.post(URL, {"nom": "Tableur de suivi", "portee": "lecture", "duree": "90"})
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    jeton = jeton_affiche(reponse)
    ligne = JetonAcces.objects.get()
    assert (ligne.user, ligne.nom) == (elue, "Tableur de suivi")
    assert ligne.empreinte == JetonAcces.empreinte_de(jeton)
    assert jeton.startswith(ligne.prefixe)
    # The next visit lists it by name and prefix, never the token again.
    contenu = client.get(URL).content.decode()
    assert jeton not in contenu
    assert "Tableur de suivi" in contenu and f"{ligne.prefixe}…" in contenu
    assert "jamais" in contenu
    # And the API knows its holder by it.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jeton}")
    assert api.get("/api/v1/").status_code == 200
    ligne.refresh_from_db()
    assert ligne.last_used_at is not None


def test_a_token_needs_a_name(client, elue):
    reponse = client.post(URL, {"nom": "  "})
    assert reponse.status_code == 400
    assert "Ce champ est obligatoire." in reponse.content.decode()
    assert not JetonAcces.objects.exists()


def test_at_most_twenty_active_tokens(client, elue):
    for n in range(20):
        JetonAcces.creer(user=elue, nom=f"Jeton {n}")
    reponse = client.post(URL, {"nom": "Un de trop", "portee": "lecture", "duree": "90"})
    assert reponse.status_code == 400
    assert "révoquez-en un" in reponse.content.decode()
    JetonAcces.objects.filter(nom="Jeton 0").get().revoquer()
    reponse = client.post(URL, {"nom": "Un de plus", "portee": "lecture", "duree": "90"})
    assert reponse.status_code == 200


def test_revoking_refuses_the_token_from_then_on(client, elue):
    ligne, jeton = JetonAcces.creer(user=elue, nom="Ancien script")
    reponse = client.post(reverse("comptes:jeton_revoquer", args=[ligne.pk]))
    assert reponse.status_code == 302 and reponse["Location"] == URL
    assert [str(m) for m in get_messages(reponse.wsgi_request)] == [
        "Jeton « Ancien script » révoqué : il ne donne plus accès à l'API."
    ]
    ligne.refresh_from_db()
    assert ligne.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jeton}")
    assert api.get("/api/v1/").status_code == 401
    assert "Révoqué le" in client.get(URL).content.decode()


def test_someone_elses_token_is_not_found(client, elue):
    ligne, _ = JetonAcces.creer(user=UserFactory(), nom="Le sien")
    reponse = client.post(reverse("comptes:jeton_revoquer", args=[ligne.pk]))
    assert reponse.status_code == 404
    ligne.refresh_from_db()
    assert ligne.revoked_at is None
    assert "Le sien" not in client.get(URL).content.decode()


def test_revoking_is_a_post(client, elue):
    ligne, _ = JetonAcces.creer(user=elue, nom="Script")
    assert client.get(reverse("comptes:jeton_revoquer", args=[ligne.pk])).status_code == 405


def test_tokens_page_queries_do_not_grow(client, elue, django_assert_num_queries):
    JetonAcces.creer(user=elue, nom="Premier")
    # Session, user, tokens.
    with django_assert_num_queries(3):
        assert client.get(URL).status_code == 200
    for n in range(10):
        JetonAcces.creer(user=elue, nom=f"Jeton {n}")
    with django_assert_num_queries(3):
        assert client.get(URL).status_code == 200


def test_staff_revoke_tokens_from_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    ligne, _ = JetonAcces.creer(user=UserFactory(), nom="Compromis")
    reponse = client.post(
        reverse("admin:comptes_jetonacces_changelist"),
        {"action": "revoquer", "_selected_action": [ligne.pk]},
    )
    assert reponse.status_code == 302
    ligne.refresh_from_db()
    assert ligne.revoked_at is not None
    assert client.get(reverse("admin:comptes_jetonacces_add")).status_code == 403


def test_scope_and_lifetime_are_chosen_at_creation_and_listed(client, elue):
    contenu = client.get(URL).content.decode()
    assert "<legend>Ce que le jeton permet</legend>" in contenu
    assert 'value="lecture" required id="id_portee_0" checked' in contenu
    assert '<option value="90" selected>' in contenu

    reponse = client.post(URL, {"nom": "Import", "portee": "ecriture", "duree": "365"})
    assert reponse.status_code == 200
    ligne = JetonAcces.objects.get()
    assert ligne.portee == "ecriture"
    assert round((ligne.expires_at - ligne.created_at).total_seconds() / 86400) == 365
    contenu = client.get(URL).content.decode()
    assert "Lecture et écriture" in contenu
    assert date_format(timezone.localtime(ligne.expires_at), "j F Y à H:i") in contenu


def test_scope_and_lifetime_outside_the_choices_are_refused(client, elue):
    for donnees in ({"portee": "admin", "duree": "90"}, {"portee": "lecture", "duree": "3650"}):
        reponse = client.post(URL, {"nom": "Script", **donnees})
        assert reponse.status_code == 400, donnees
    assert not JetonAcces.objects.exists()


def test_expired_token_is_listed_as_expired_and_not_revocable(client, elue):
    ligne, _ = JetonAcces.creer(user=elue, nom="Vieux")
    JetonAcces.objects.filter(pk=ligne.pk).update(expires_at=timezone.now())
    assert "Expiré" in client.get(URL).content.decode()
    client.post(reverse("comptes:jeton_revoquer", args=[ligne.pk]))
    ligne.refresh_from_db()
    assert ligne.revoked_at is None


def test_changing_the_password_revokes_every_token(client, elue):
    actif, _ = JetonAcces.creer(user=elue, nom="Actif")
    autre, _ = JetonAcces.creer(user=UserFactory(), nom="D'un autre")
    reponse = client.post(
        reverse("comptes:changer_mot_de_passe"),
        {
            "old_password": MOT_DE_PASSE,
            "new_password1": "un-nouveau-mot-de-passe-solide",
            "new_password2": "un-nouveau-mot-de-passe-solide",
        },
    )
    assert reponse.status_code == 302
    actif.refresh_from_db()
    autre.refresh_from_db()
    assert actif.revoked_at is not None
    assert autre.revoked_at is None


def test_resetting_the_password_revokes_every_token(client, elue, mailoutbox):
    ligne, _ = JetonAcces.creer(user=elue, nom="Actif")
    client.logout()
    client.post(reverse("comptes:mot_de_passe_oublie"), {"email": elue.email})
    lien = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+/)", mailoutbox[0].body)
    formulaire = client.get(lien.group(1), follow=True)
    nouveau = {
        "new_password1": "un-nouveau-mot-de-passe-solide",
        "new_password2": "un-nouveau-mot-de-passe-solide",
    }
    reponse = client.post(formulaire.redirect_chain[-1][0], nouveau)
    assert reponse.status_code == 302
    ligne.refresh_from_db()
    assert ligne.revoked_at is not None


def test_a_rehash_on_sign_in_or_another_save_keeps_the_tokens(client, elue, settings):
    ligne, _ = JetonAcces.creer(user=elue, nom="Actif")
    elue.first_name = "Autre"
    elue.save()
    # A login that upgrades the hash saves the password without changing it.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    client.logout()
    reponse = client.post(
        reverse("comptes:connexion"), {"username": elue.email, "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == 302
    elue.refresh_from_db()
    assert elue.password.startswith("pbkdf2_")
    ligne.refresh_from_db()
    assert ligne.revoked_at is None
    assert not EchecConnexion.objects.exists()
