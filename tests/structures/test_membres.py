"""A structure's members: who sees what, admin rights, removals, invitations, the last admin."""

import threading

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from comptes.models import User
from structures import services
from structures.models import InvitationStructure, MembreStructure
from tests.comptes.factories import UserFactory
from tests.roles import verifier_reponse
from tests.structures.conftest import (
    ATTENDU_ADMIN,
    ATTENDU_MEMBRE,
    ROLES,
    SIRET,
    photographie,
    texte,
)
from tests.structures.factories import MembreStructureFactory

pytestmark = pytest.mark.django_db

URL_MEMBRES = reverse("espace:structures_espace:membres", args=[SIRET])


def url(nom, *args):
    return reverse(f"espace:structures_espace:{nom}", args=[SIRET, *args])


# Who sees the members page and the dashboard ----------------------------------------------------


@pytest.mark.parametrize("page", ["membres", "tableau_de_bord"])
@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", "connexion"),
        ("exterieur", 404),
        ("membre_autre_structure", 404),
        ("membre", 200),
        ("admin", 200),
        ("staff", 200),
    ],
)
def test_member_pages_are_for_members_and_staff(client, matrice_structure, role, attendu, page):
    verifier_reponse(matrice_structure.connecter(client, role).get(url(page)), attendu)


def test_an_unknown_siret_gives_404_even_to_staff(client, matrice_structure):
    client = matrice_structure.connecter(client, "staff")
    assert client.get(reverse("espace:structures_espace:membres", args=["1"])).status_code == 404


@pytest.mark.parametrize("role", ["membre", "staff"])
def test_only_admins_see_member_emails_and_invitations(client, matrice_structure, role):
    InvitationStructure.objects.create(
        structure=matrice_structure.structure, email="en-attente@exemple.test"
    )
    contenu = texte(matrice_structure.connecter(client, role).get(URL_MEMBRES))
    assert matrice_structure.users["admin"].nom_affiche in contenu
    for user in matrice_structure.users.values():
        if user is not None:
            assert user.email not in contenu
    assert "en-attente@exemple.test" not in contenu
    assert "Inviter une personne" not in contenu


def test_admin_sees_emails_invitations_and_management_forms(client, matrice_structure):
    InvitationStructure.objects.create(
        structure=matrice_structure.structure, email="en-attente@exemple.test"
    )
    contenu = texte(matrice_structure.connecter(client, "admin").get(URL_MEMBRES))
    membre = matrice_structure.membre_de("membre")
    assert matrice_structure.users["membre"].email in contenu
    assert "en-attente@exemple.test" in contenu
    assert url("administrateur", membre.pk) in contenu
    assert url("retirer", membre.pk) in contenu
    # Not a member of this structure: not listed.
    assert matrice_structure.users["membre_autre_structure"].nom_affiche not in contenu


def test_members_page_query_count_does_not_grow(
    client, matrice_structure, django_assert_num_queries
):
    client = matrice_structure.connecter(client, "admin")
    # Session, user, structure, membership, members with accounts, invitations with
    # who sent them, pending claims with claimants.
    with django_assert_num_queries(7):
        assert client.get(URL_MEMBRES).status_code == 200
    MembreStructureFactory.create_batch(5, structure=matrice_structure.structure, est_admin=False)
    for i in range(5):
        InvitationStructure.objects.create(
            structure=matrice_structure.structure,
            email=f"invite{i}@exemple.test",
            invited_by=UserFactory(),
        )
    with django_assert_num_queries(7):
        assert client.get(URL_MEMBRES).status_code == 200


# The role matrix of every change -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_invite_role_matrix(client, matrice_structure, role, django_capture_on_commit_callbacks):
    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = matrice_structure.connecter(client, role).post(
            url("inviter"), {"email": "Nouvelle@Exemple.test"}
        )
    attendu = ATTENDU_ADMIN[role]
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        invitation = InvitationStructure.objects.get()
        assert invitation.email == "nouvelle@exemple.test" and not invitation.est_admin
        assert [m.to for m in mail.outbox] == [["nouvelle@exemple.test"]]
    else:
        assert photographie() == avant


@pytest.mark.parametrize("role", ROLES)
def test_make_admin_role_matrix(client, matrice_structure, role):
    membre = matrice_structure.membre_de("membre")
    avant = photographie()
    reponse = matrice_structure.connecter(client, role).post(
        url("administrateur", membre.pk), {f"membre-{membre.pk}-est_admin": "oui"}
    )
    attendu = ATTENDU_ADMIN[role]
    verifier_reponse(reponse, attendu)
    membre.refresh_from_db()
    if attendu == "ok":
        assert membre.est_admin
        assert membre.history.latest().history_user == matrice_structure.users["admin"]
    else:
        assert not membre.est_admin
        assert photographie() == avant


@pytest.mark.parametrize("role", ROLES)
def test_remove_member_role_matrix(client, matrice_structure, role):
    membre = matrice_structure.membre_de("membre")
    avant = photographie()
    client = matrice_structure.connecter(client, role)
    confirmation = client.get(url("retirer", membre.pk))
    reponse = client.post(url("retirer", membre.pk))
    attendu = ATTENDU_ADMIN[role]
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert confirmation.status_code == 200
        assert not MembreStructure.objects.filter(pk=membre.pk).exists()
    else:
        verifier_reponse(confirmation, attendu)
        assert photographie() == avant


@pytest.mark.parametrize("role", ROLES)
def test_leave_role_matrix(client, matrice_structure, role):
    avant = photographie()
    reponse = matrice_structure.connecter(client, role).post(url("quitter"))
    attendu = ATTENDU_MEMBRE[role]
    verifier_reponse(reponse, attendu)
    if attendu == "ok" and role == "membre":
        assert not MembreStructure.objects.filter(user=matrice_structure.users[role]).exists()
    elif role == "admin":
        # The only admin cannot leave: refused, in French, nothing written.
        assert "dernier administrateur" in texte(reponse)
        assert photographie() == avant
    elif attendu != "ok":
        assert photographie() == avant


# The last admin ---------------------------------------------------------------------------


def test_the_last_admin_cannot_step_down(client, matrice_structure):
    admin = matrice_structure.membre_de("admin")
    avant = photographie()
    reponse = matrice_structure.connecter(client, "admin").post(
        url("administrateur", admin.pk), {f"membre-{admin.pk}-est_admin": "non"}
    )
    assert reponse.status_code == 200
    assert "Vous êtes le dernier administrateur de" in texte(reponse)
    assert 'role="alert"' in texte(reponse)
    assert photographie() == avant


def test_the_last_admin_cannot_be_removed_and_the_confirmation_says_so(client, matrice_structure):
    admin = matrice_structure.membre_de("admin")
    client = matrice_structure.connecter(client, "admin")
    assert "dernier administrateur" in texte(client.get(url("retirer", admin.pk)))
    avant = photographie()
    assert "dernier administrateur" in texte(client.post(url("retirer", admin.pk)))
    assert photographie() == avant


def test_with_two_admins_one_may_step_down(client, matrice_structure):
    membre = matrice_structure.membre_de("membre")
    client = matrice_structure.connecter(client, "admin")
    client.post(url("administrateur", membre.pk), {f"membre-{membre.pk}-est_admin": "oui"})
    admin = matrice_structure.membre_de("admin")
    client.post(url("administrateur", admin.pk), {f"membre-{admin.pk}-est_admin": "non"})
    admin.refresh_from_db()
    membre.refresh_from_db()
    assert not admin.est_admin and membre.est_admin


def test_the_service_refuses_a_plain_member_changing_rights(matrice_structure):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.membre_changer_admin(
            membre=matrice_structure.membre_de("membre"),
            est_admin=True,
            by=matrice_structure.users["membre"],
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("donnees_de_reference")
def test_two_admins_stepping_down_at_once_leave_one_admin(on_postgresql):
    if not on_postgresql:
        pytest.skip("SQLite has no row locks: it serialises writers.")
    from tests.structures.factories import StructureFactory

    structure = StructureFactory()
    premier = MembreStructureFactory(structure=structure, est_admin=True)
    second = MembreStructureFactory(structure=structure, est_admin=True)
    barriere = threading.Barrier(2)
    erreurs = []

    def descendre(membre):
        try:
            barriere.wait(timeout=5)
            services.membre_changer_admin(membre=membre, est_admin=False, by=membre.user)
        except ValidationError as erreur:
            erreurs.append(erreur)
        finally:
            connection.close()

    fils = [threading.Thread(target=descendre, args=(m,)) for m in (premier, second)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert MembreStructure.objects.filter(structure=structure, est_admin=True).count() == 1
    assert len(erreurs) == 1


# Invitations ------------------------------------------------------------------------------


@pytest.fixture
def invitation(matrice_structure, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = services.invitation_creer(
            structure=matrice_structure.structure,
            email="nouvelle@exemple.test",
            est_admin=True,
            invited_by=matrice_structure.users["admin"],
        )
    return invitation


def lien_de(message):
    return next(ligne for ligne in message.body.splitlines() if "/invitations/" in ligne)


def test_the_invitation_email_carries_a_signed_link_valid_7_days(invitation):
    (message,) = mail.outbox
    assert message.to == ["nouvelle@exemple.test"]
    assert "Jardins solidaires de la Vilaine" in message.subject
    assert "en tant qu'administrateur" in message.body
    jeton = lien_de(message).rstrip("/").rsplit("/", 1)[1]
    assert services.invitation_depuis_jeton(jeton) == invitation


def test_an_unknown_address_creates_its_account_on_acceptance(client, invitation):
    chemin = lien_de(mail.outbox[0]).split("testserver")[-1].split("8000")[-1]
    assert "Créez votre compte" in texte(client.get(chemin))
    reponse = client.post(
        chemin,
        {
            "prenom": "Anne",
            "nom": "Le Goff",
            "mot_de_passe": "un-mot-de-passe-solide-42",
            "confirmation": "un-mot-de-passe-solide-42",
        },
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == url("tableau_de_bord")
    user = User.objects.get(email="nouvelle@exemple.test")
    assert MembreStructure.objects.get(user=user).est_admin
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # A link serves once.
    assert client.get(chemin).status_code == 410


def test_an_existing_account_signs_in_then_joins(client, invitation):
    user = UserFactory(email="nouvelle@exemple.test")
    chemin = reverse(
        "espace:structures_espace:invitation", args=[services.invitation_jeton(invitation)]
    )
    assert "connectez-vous" in texte(client.get(chemin))
    client.force_login(user)
    assert client.post(chemin).status_code == 302
    assert MembreStructure.objects.filter(user=user, structure=invitation.structure).exists()


def test_another_account_is_told_the_invitation_is_not_theirs(client, invitation):
    client.force_login(UserFactory())
    chemin = reverse(
        "espace:structures_espace:invitation", args=[services.invitation_jeton(invitation)]
    )
    avant = photographie()
    assert client.post(chemin).status_code == 403
    assert photographie() == avant


def test_an_expired_link_is_refused(client, invitation, settings):
    jeton = services.invitation_jeton(invitation)
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    plus_tard = timezone.now() + timedelta(days=7, minutes=1)
    with mock.patch("django.core.signing.time.time", return_value=plus_tard.timestamp()):
        reponse = client.get(reverse("espace:structures_espace:invitation", args=[jeton]))
    assert reponse.status_code == 410
    assert "valable 7 jours" in texte(reponse)


def test_a_tampered_link_is_refused(client, invitation):
    jeton = services.invitation_jeton(invitation) + "x"
    reponse = client.get(reverse("espace:structures_espace:invitation", args=[jeton]))
    assert reponse.status_code == 400


def test_a_commune_invitation_token_does_not_open_a_structure_invitation(client, invitation):
    jeton = signing.dumps({"invitation": invitation.pk}, salt="commune.invitation")
    assert client.get(reverse("espace:structures_espace:invitation", args=[jeton])).status_code == (
        400
    )


def test_inviting_a_member_again_is_refused_beside_the_field(client, matrice_structure):
    reponse = matrice_structure.connecter(client, "admin").post(
        url("inviter"), {"email": matrice_structure.users["membre"].email}
    )
    assert reponse.status_code == 200
    assert "est déjà membre de" in texte(reponse)
    assert not InvitationStructure.objects.exists()


def test_an_invalid_address_is_refused_in_french(client, matrice_structure):
    reponse = matrice_structure.connecter(client, "admin").post(url("inviter"), {"email": "pas"})
    assert "Saisissez une adresse e-mail valide." in texte(reponse)
    assert 'aria-describedby="id_email_error"' in texte(reponse)
