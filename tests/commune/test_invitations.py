"""Invitations: a signed link, valid 7 days, used once, by the invited address only."""

import html
import re
import time
from urllib.parse import parse_qs

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.urls import reverse

from commune import services
from commune.enums import Role
from commune.models import InvitationCommune, MembreCommune
from comptes.models import User
from tests.commune.factories import MembreCommuneFactory
from tests.commune.test_membres import photographie
from tests.comptes.factories import MOT_DE_PASSE, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://commune-engagee.example"
NOUVEAU_MOT_DE_PASSE = "Tournesol-Bleu-1987"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def inviter(client, matrice, django_capture_on_commit_callbacks):
    """Posts the invite form as the commune's admin; returns the emailed link's path."""

    def _inviter(email, role=Role.EDITEUR):
        matrice.connecter(client, "admin")
        with django_capture_on_commit_callbacks(execute=True):
            reponse = client.post(
                reverse("espace:membres:inviter", args=["35238"]), {"email": email, "role": role}
            )
        client.logout()
        assert reponse.status_code == 302, reponse.content.decode()
        return lien_du_dernier_email()

    return _inviter


def lien_du_dernier_email():
    lien = re.search(re.escape(SITE) + r"(/espace/invitations/[^/\s]+/)", mail.outbox[-1].body)
    assert lien, mail.outbox[-1].body
    return lien.group(1)


def compte(prenom="Marie", nom="Curie", mot_de_passe=NOUVEAU_MOT_DE_PASSE, confirmation=None):
    return {
        "prenom": prenom,
        "nom": nom,
        "mot_de_passe": mot_de_passe,
        "confirmation": mot_de_passe if confirmation is None else confirmation,
    }


# Sending -------------------------------------------------------------------------------


def test_invitation_email_is_french_plain_text_with_an_absolute_link(client, matrice, inviter):
    chemin = inviter("Marie.Curie@Exemple.TEST", Role.LECTEUR)

    message = mail.outbox[0]
    assert message.to == ["marie.curie@exemple.test"]
    assert message.subject == "Invitation à rejoindre l'espace de Rennes sur Commune engagée"
    assert matrice.users["admin"].nom_affiche + " vous invite" in message.body
    assert "« lecteur »" in message.body
    assert SITE + chemin in message.body
    assert "&#x27;" not in message.body  # plain text: nothing HTML-escaped
    assert message.content_subtype == "plain"
    invitation = InvitationCommune.objects.get()
    assert (invitation.email, invitation.role) == ("marie.curie@exemple.test", Role.LECTEUR)
    assert invitation.invited_by == matrice.users["admin"]


def test_success_message_names_the_address(client, matrice, django_capture_on_commit_callbacks):
    matrice.connecter(client, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("espace:membres:inviter", args=["35238"]),
            {"email": "nouvelle@exemple.test", "role": Role.EDITEUR},
            follow=True,
        )
    assert "Invitation envoyée à nouvelle@exemple.test." in reponse.content.decode()


def test_inviting_a_member_is_refused_beside_the_email_field(
    client, matrice, django_capture_on_commit_callbacks
):
    adresse = matrice.users["lecteur"].email.upper()
    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = matrice.connecter(client, "admin").post(
            reverse("espace:membres:inviter", args=["35238"]),
            {"email": adresse, "role": Role.ADMIN},
        )
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "est déjà membre de Rennes" in contenu
    assert 'id="id_email_error"' in contenu
    assert 'aria-describedby="id_email_error"' in contenu
    assert photographie() == avant


def test_reinviting_a_pending_address_resends_on_the_same_row(
    client, matrice, inviter, django_capture_on_commit_callbacks
):
    premier_lien = inviter("marie@exemple.test", Role.LECTEUR)
    invitation = InvitationCommune.objects.get()
    matrice.connecter(client, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("espace:membres:inviter", args=["35238"]),
            {"email": "MARIE@exemple.test", "role": Role.EDITEUR},
            follow=True,
        )

    assert "Invitation renvoyée à marie@exemple.test." in reponse.content.decode()
    assert len(mail.outbox) == 2
    relance = InvitationCommune.objects.get()
    assert relance.pk == invitation.pk
    assert relance.role == Role.EDITEUR
    assert relance.created_at > invitation.created_at
    assert lien_du_dernier_email().startswith("/espace/invitations/")
    assert premier_lien.startswith("/espace/invitations/")


# Accepting without an account ------------------------------------------------------------


def test_unknown_address_creates_the_account_signs_in_and_joins(client, matrice, inviter):
    chemin = inviter("marie@exemple.test", Role.EDITEUR)

    page = client.get(chemin)
    assert page.status_code == 200
    assert "Créer mon compte et rejoindre Rennes" in page.content.decode()
    reponse = client.post(chemin, compte())

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("espace:tableau_de_bord", args=["35238"])
    marie = User.objects.get(email="marie@exemple.test")
    assert (marie.first_name, marie.last_name) == ("Marie", "Curie")
    assert marie.check_password(NOUVEAU_MOT_DE_PASSE)
    assert MembreCommune.objects.get(user=marie, commune=matrice.commune).role == Role.EDITEUR
    assert InvitationCommune.objects.get().accepted_at is not None
    assert client.session[SESSION_KEY] == str(marie.pk)
    assert client.get(reverse("espace:membres:liste", args=["35238"])).status_code == 200


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        (compte(confirmation="autre-chose-2024"), "confirmation", "ne correspondent pas"),
        (compte(mot_de_passe="court"), "mot_de_passe", "trop court"),
        (compte(mot_de_passe="password123"), "mot_de_passe", "trop courant"),
        (compte(prenom=""), "prenom", "Ce champ est obligatoire."),
    ],
)
def test_account_form_errors_are_french_and_beside_the_field(
    client, inviter, donnees, champ, message
):
    chemin = inviter("marie@exemple.test")
    avant = photographie()

    reponse = client.post(chemin, donnees)

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert message in contenu
    assert f'id="id_{champ}_error"' in contenu
    assert 'role="alert"' in contenu
    assert photographie() == avant


# Accepting with an account ---------------------------------------------------------------


def test_known_address_must_sign_in_first(client, matrice, inviter):
    marie = UserFactory(email="marie@exemple.test")
    chemin = inviter("Marie@Exemple.test")

    reponse = client.get(chemin)

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "connectez-vous" in contenu
    lien = re.search(r'href="' + reverse("comptes:connexion") + r'\?([^"]+)"', contenu)
    assert parse_qs(html.unescape(lien.group(1))) == {"next": [chemin]}
    assert "prenom" not in contenu
    # Posting the account form anyway creates nothing.
    avant = photographie()
    client.post(chemin, compte())
    assert photographie() == avant
    assert not MembreCommune.objects.filter(user=marie).exists()
    # Signing in brings the person back to the invitation.
    connexion = client.post(
        reverse("comptes:connexion"),
        {"username": "marie@exemple.test", "password": MOT_DE_PASSE, "next": chemin},
    )
    assert connexion["Location"] == chemin
    assert "Rejoindre Rennes</button>" in client.get(chemin).content.decode()


def test_known_address_joins_once_signed_in_as_that_account(client, matrice, inviter):
    marie = UserFactory(email="marie@exemple.test")
    chemin = inviter("marie@exemple.test", Role.ADMIN)
    client.force_login(marie)

    page = client.get(chemin).content.decode()
    assert "Rejoindre Rennes</button>" in page
    reponse = client.post(chemin, follow=True)

    assert MembreCommune.objects.get(user=marie, commune=matrice.commune).role == Role.ADMIN
    assert "Bienvenue dans l&#x27;espace de Rennes" in reponse.content.decode()
    assert User.objects.filter(email__iexact="marie@exemple.test").count() == 1


def test_signed_in_as_another_account_is_refused(client, matrice, inviter):
    UserFactory(email="marie@exemple.test")
    chemin = inviter("marie@exemple.test")
    client.force_login(matrice.users["exterieur"])
    avant = photographie()

    page = client.get(chemin)
    reponse = client.post(chemin)

    assert page.status_code == reponse.status_code == 403
    assert "adressée à marie@exemple.test" in page.content.decode()
    assert photographie() == avant
    assert InvitationCommune.objects.get().accepted_at is None


def test_signed_in_as_another_account_cannot_create_the_invited_account(client, matrice, inviter):
    chemin = inviter("marie@exemple.test")
    client.force_login(matrice.users["exterieur"])
    avant = photographie()

    assert client.post(chemin, compte()).status_code == 403
    assert photographie() == avant


def test_an_invitation_never_demotes_a_member(client, matrice, inviter):
    marie = UserFactory(email="marie@exemple.test")
    chemin = inviter("marie@exemple.test", Role.LECTEUR)
    # Became an admin in the meantime.
    MembreCommuneFactory(user=marie, commune=matrice.commune, role=Role.ADMIN)
    client.force_login(marie)

    client.post(chemin)

    assert MembreCommune.objects.get(user=marie, commune=matrice.commune).role == Role.ADMIN
    assert InvitationCommune.objects.get().accepted_at is not None


def test_an_invitation_promotes_a_member_to_the_invited_role(matrice):
    lecteur = MembreCommune.objects.get(user=matrice.users["lecteur"])
    invitation = InvitationCommune.objects.create(
        commune=matrice.commune, email=lecteur.user.email, role=Role.EDITEUR
    )
    services.invitation_accepter(invitation=invitation, user=lecteur.user)
    lecteur.refresh_from_db()
    assert lecteur.role == Role.EDITEUR


# Links that no longer work ---------------------------------------------------------------


def test_link_older_than_7_days_is_refused(client, inviter, monkeypatch):
    il_y_a_8_jours = int(time.time()) - 8 * 24 * 3600
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(il_y_a_8_jours)
    )
    chemin = inviter("marie@exemple.test")
    monkeypatch.undo()
    avant = photographie()

    page = client.get(chemin)
    reponse = client.post(chemin, compte())

    assert page.status_code == reponse.status_code == 410
    assert "Cette invitation a expiré" in page.content.decode()
    assert photographie() == avant


def test_link_expires_when_the_clock_passes_7_days(client, inviter, monkeypatch):
    chemin = inviter("marie@exemple.test")
    maintenant = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: maintenant + 6 * 24 * 3600)
    assert client.get(chemin).status_code == 200
    monkeypatch.setattr("django.core.signing.time.time", lambda: maintenant + 7 * 24 * 3600 + 60)
    assert client.get(chemin).status_code == 410


def test_link_serves_once(client, inviter):
    chemin = inviter("marie@exemple.test")
    client.post(chemin, compte())
    client.logout()
    avant = photographie()

    reponse = client.post(chemin, compte(prenom="Autre"))

    assert reponse.status_code == 410
    assert "déjà été utilisée" in reponse.content.decode()
    assert photographie() == avant


def test_second_use_by_the_same_signed_in_account_is_refused(client, matrice, inviter):
    marie = UserFactory(email="marie@exemple.test")
    chemin = inviter("marie@exemple.test")
    client.force_login(marie)
    client.post(chemin)

    assert client.post(chemin).status_code == 410
    assert MembreCommune.objects.filter(user=marie).count() == 1


@pytest.mark.parametrize(
    "alterer",
    [
        lambda jeton: jeton[:-1] + ("A" if jeton[-1] != "A" else "B"),
        lambda jeton: signing.dumps({"invitation": 1}, salt="autre-usage"),
        lambda jeton: "pas-un-jeton",
    ],
    ids=["signature", "sel", "forme"],
)
def test_tampered_link_is_refused(client, inviter, alterer):
    chemin = inviter("marie@exemple.test")
    jeton = chemin.removeprefix("/espace/invitations/").removesuffix("/")
    url = reverse("espace:membres:invitation", args=[alterer(jeton)])
    avant = photographie()

    page = client.get(url)
    reponse = client.post(url, compte())

    assert page.status_code == reponse.status_code == 400
    assert "n'est pas valide" in page.content.decode().replace("&#x27;", "'")
    assert photographie() == avant


def test_link_of_a_deleted_invitation_is_gone(client, inviter):
    chemin = inviter("marie@exemple.test")
    InvitationCommune.objects.all().delete()
    assert client.get(chemin).status_code == 410


def test_accepting_answers_every_pending_invitation_of_the_address(matrice):
    admin = matrice.users["admin"]
    anciennes = [
        InvitationCommune.objects.create(commune=matrice.commune, email=e, invited_by=admin)
        for e in ("marie@exemple.test", "Marie@Exemple.test")
    ]
    autre = InvitationCommune.objects.create(
        commune=matrice.autre_commune, email="marie@exemple.test"
    )
    marie = UserFactory(email="marie@exemple.test", password=MOT_DE_PASSE)

    services.invitation_accepter(invitation=anciennes[0], user=marie)

    assert not InvitationCommune.objects.filter(
        commune=matrice.commune, accepted_at__isnull=True
    ).exists()
    autre.refresh_from_db()
    assert autre.accepted_at is None
