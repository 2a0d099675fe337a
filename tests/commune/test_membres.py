"""The members page of a commune: who sees what, roles, removals, the last admin."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from axes.models import Signature
from commune import services
from commune.enums import Role
from commune.models import (
    Commune,
    DemandeAdhesion,
    Departement,
    EluReferent,
    InvitationCommune,
    MembreCommune,
)
from comptes.models import User
from tests.commune.factories import MembreCommuneFactory
from tests.comptes.factories import UserFactory
from tests.roles import ATTENDU_ADMINISTRATION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db


def photographie():
    """Everything a refused request must leave as it was: rows, roles, history, emails."""
    return {
        "membres": sorted(MembreCommune.objects.values_list("pk", "user_id", "role")),
        "historique_membres": MembreCommune.history.count(),
        "invitations": sorted(
            InvitationCommune.objects.values_list("pk", "email", "role", "created_at")
        ),
        "comptes": User.objects.count(),
        "demandes": sorted(DemandeAdhesion.objects.values_list("pk", "statut")),
        "signatures": sorted(
            Signature.objects.values_list("pk", "date_signature", "deliberation_fichier")
        ),
        "referents": sorted(EluReferent.objects.values_list("pk", "nom", "mandat")),
        "emails": len(mail.outbox),
    }


def url_liste(commune):
    return reverse("espace:membres:liste", args=[commune.code_insee])


def admin_de(commune):
    return MembreCommune.objects.get(commune=commune, role=Role.ADMIN)


# Who sees the members page ------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", "connexion"),
        ("exterieur", 404),
        ("membre_autre_commune", 404),
        ("lecteur", 200),
        ("editeur", 200),
        ("admin", 200),
        ("staff", 200),
    ],
)
def test_members_page_is_for_members_and_staff(client, matrice, role, attendu):
    reponse = matrice.connecter(client, role).get(url_liste(matrice.commune))
    verifier_reponse(reponse, attendu)


def test_members_page_lists_names_and_roles(client, matrice):
    lecteur = matrice.users["lecteur"]
    reponse = matrice.connecter(client, "lecteur").get(url_liste(matrice.commune))
    contenu = reponse.content.decode()
    assert lecteur.nom_affiche in contenu
    assert matrice.users["admin"].nom_affiche in contenu
    assert "Administrateur" in contenu and "Lecteur" in contenu
    # Not a member of this commune: not listed.
    assert matrice.users["membre_autre_commune"].nom_affiche not in contenu


@pytest.mark.parametrize("role", ["lecteur", "editeur", "staff"])
def test_only_admins_see_member_emails_and_invitations(client, matrice, role):
    InvitationCommune.objects.create(
        commune=matrice.commune, email="en-attente@exemple.test", role=Role.LECTEUR
    )
    reponse = matrice.connecter(client, role).get(url_liste(matrice.commune))
    contenu = reponse.content.decode()
    for user in matrice.users.values():
        if user is not None:
            assert user.email not in contenu
    assert "en-attente@exemple.test" not in contenu
    assert "Inviter une personne" not in contenu
    assert reverse("espace:membres:inviter", args=["35238"]) not in contenu


def test_admin_sees_emails_invitations_and_management_forms(client, matrice):
    InvitationCommune.objects.create(
        commune=matrice.commune, email="en-attente@exemple.test", role=Role.LECTEUR
    )
    reponse = matrice.connecter(client, "admin").get(url_liste(matrice.commune))
    contenu = reponse.content.decode()
    assert matrice.users["lecteur"].email in contenu
    assert "en-attente@exemple.test" in contenu
    assert "Inviter une personne" in contenu
    membre = MembreCommune.objects.get(user=matrice.users["lecteur"])
    assert reverse("espace:membres:role", args=["35238", membre.pk]) in contenu
    assert reverse("espace:membres:retirer", args=["35238", membre.pk]) in contenu


def test_members_page_shows_the_signature_read_only_to_readers(client, matrice, guide):
    Signature.objects.create(
        commune=matrice.commune,
        referentiel=guide,
        date_signature="2026-03-02",
        deliberation_numero="2026-014",
    )
    contenu = matrice.connecter(client, "lecteur").get(url_liste(matrice.commune)).content.decode()
    assert "signé le 2 mars 2026" in contenu
    assert "2026-014" in contenu
    assert reverse("espace:membres:signature", args=["35238"]) not in contenu


def test_members_page_query_count_does_not_grow_with_members(
    client, matrice, django_assert_num_queries
):
    url = url_liste(matrice.commune)
    client = matrice.connecter(client, "admin")
    for i in range(3):
        InvitationCommune.objects.create(
            commune=matrice.commune, email=f"invite{i}@exemple.test", invited_by=UserFactory()
        )
    # Session, user, commune, role, members with their accounts, pending invitations
    # with who sent them, signatures with their referential, élu référent.
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    MembreCommuneFactory.create_batch(15, commune=matrice.commune, role=Role.LECTEUR)
    for i in range(10):
        InvitationCommune.objects.create(
            commune=matrice.commune, email=f"autre{i}@exemple.test", invited_by=UserFactory()
        )
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    # A reader's page skips the invitations.
    client = matrice.connecter(client, "lecteur")
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


# The role matrix of every change -------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_invite_role_matrix(client, matrice, role, django_capture_on_commit_callbacks):
    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = matrice.connecter(client, role).post(
            reverse("espace:membres:inviter", args=["35238"]),
            {"email": "nouvelle@exemple.test", "role": Role.EDITEUR},
        )
    attendu = ATTENDU_ADMINISTRATION[role]
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert InvitationCommune.objects.filter(email="nouvelle@exemple.test").count() == 1
        assert len(mail.outbox) == 1
    else:
        assert photographie() == avant


@pytest.mark.parametrize("role", ROLES)
def test_change_role_matrix(client, matrice, role, django_capture_on_commit_callbacks):
    membre = MembreCommune.objects.get(user=matrice.users["lecteur"])
    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = matrice.connecter(client, role).post(
            reverse("espace:membres:role", args=["35238", membre.pk]),
            {f"membre-{membre.pk}-role": Role.EDITEUR},
        )
    attendu = ATTENDU_ADMINISTRATION[role]
    verifier_reponse(reponse, attendu)
    membre.refresh_from_db()
    if attendu == "ok":
        assert membre.role == Role.EDITEUR
    else:
        assert membre.role == Role.LECTEUR
        assert photographie() == avant


@pytest.mark.parametrize("role", ROLES)
def test_remove_member_role_matrix(client, matrice, role, django_capture_on_commit_callbacks):
    membre = MembreCommune.objects.get(user=matrice.users["editeur"])
    url = reverse("espace:membres:retirer", args=["35238", membre.pk])
    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = matrice.connecter(client, role).get(url)
        reponse = client.post(url)
    attendu = ATTENDU_ADMINISTRATION[role]
    verifier_reponse(confirmation, attendu)
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert confirmation.status_code == 200
        assert not MembreCommune.objects.filter(pk=membre.pk).exists()
    else:
        assert photographie() == avant


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", "connexion"),
        ("exterieur", 404),
        ("membre_autre_commune", 404),
        ("lecteur", "ok"),
        ("editeur", "ok"),
        ("staff", 404),  # staff read every commune but are nobody's member
    ],
)
def test_leave_role_matrix(client, matrice, role, attendu):
    avant = photographie()
    reponse = matrice.connecter(client, role).post(
        reverse("espace:membres:quitter", args=["35238"])
    )
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert reponse["Location"] == reverse("espace:accueil")
        assert not MembreCommune.objects.filter(
            user=matrice.users[role], commune=matrice.commune
        ).exists()
    else:
        assert photographie() == avant


def test_member_of_another_commune_cannot_be_managed_from_this_one(client, matrice):
    etranger = MembreCommune.objects.get(user=matrice.users["membre_autre_commune"])
    client = matrice.connecter(client, "admin")
    avant = photographie()
    assert (
        client.post(
            reverse("espace:membres:role", args=["35238", etranger.pk]),
            {f"membre-{etranger.pk}-role": Role.LECTEUR},
        ).status_code
        == 404
    )
    retrait = client.post(reverse("espace:membres:retirer", args=["35238", etranger.pk]))
    assert retrait.status_code == 404
    assert photographie() == avant


# Changes that succeed --------------------------------------------------------------------


def test_admin_changes_a_role_with_a_message(client, matrice):
    membre = MembreCommune.objects.get(user=matrice.users["lecteur"])
    reponse = matrice.connecter(client, "admin").post(
        reverse("espace:membres:role", args=["35238", membre.pk]),
        {f"membre-{membre.pk}-role": Role.ADMIN},
        follow=True,
    )
    membre.refresh_from_db()
    assert membre.role == Role.ADMIN
    assert "Rôle modifié" in reponse.content.decode()
    assert membre.history.latest().history_user == matrice.users["admin"]


def test_unknown_role_is_refused_beside_the_field(client, matrice):
    membre = MembreCommune.objects.get(user=matrice.users["lecteur"])
    reponse = matrice.connecter(client, "admin").post(
        reverse("espace:membres:role", args=["35238", membre.pk]),
        {f"membre-{membre.pk}-role": "maire"},
    )
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert 'role="alert"' in contenu
    assert f'id="id_membre-{membre.pk}-role_error"' in contenu
    assert 'aria-invalid="true"' in contenu
    membre.refresh_from_db()
    assert membre.role == Role.LECTEUR


def test_admin_removes_a_member(client, matrice):
    membre = MembreCommune.objects.get(user=matrice.users["editeur"])
    reponse = matrice.connecter(client, "admin").post(
        reverse("espace:membres:retirer", args=["35238", membre.pk]), follow=True
    )
    assert not MembreCommune.objects.filter(pk=membre.pk).exists()
    assert "a été retiré(e)" in reponse.content.decode()
    # The account stays: only the membership goes.
    assert User.objects.filter(pk=matrice.users["editeur"].pk).exists()


# The last admin ----------------------------------------------------------------------------


DERNIER_ADMIN = "le dernier administrateur de Rennes"


def test_last_admin_cannot_demote_themselves(client, matrice):
    admin = admin_de(matrice.commune)
    avant = photographie()
    reponse = matrice.connecter(client, "admin").post(
        reverse("espace:membres:role", args=["35238", admin.pk]),
        {f"membre-{admin.pk}-role": Role.EDITEUR},
    )
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Vous êtes " + DERNIER_ADMIN in contenu
    assert 'role="alert"' in contenu
    assert photographie() == avant


def test_last_admin_cannot_be_removed(client, matrice):
    admin = admin_de(matrice.commune)
    url = reverse("espace:membres:retirer", args=["35238", admin.pk])
    client = matrice.connecter(client, "admin")
    avant = photographie()

    confirmation = client.get(url).content.decode()
    reponse = client.post(url)

    assert DERNIER_ADMIN in confirmation
    assert "<button" not in confirmation.split("<main")[1].split("</main>")[0]
    assert reponse.status_code == 200
    assert DERNIER_ADMIN in reponse.content.decode()
    assert photographie() == avant


def test_last_admin_cannot_leave(client, matrice):
    client = matrice.connecter(client, "admin")
    url = reverse("espace:membres:quitter", args=["35238"])
    avant = photographie()

    assert "Vous êtes " + DERNIER_ADMIN in client.get(url).content.decode()
    reponse = client.post(url)

    assert reponse.status_code == 200
    assert "Vous êtes " + DERNIER_ADMIN in reponse.content.decode()
    assert photographie() == avant


def test_an_admin_may_leave_when_another_admin_remains(client, matrice):
    autre = MembreCommuneFactory(commune=matrice.commune, role=Role.ADMIN)
    reponse = matrice.connecter(client, "admin").post(
        reverse("espace:membres:quitter", args=["35238"])
    )
    assert reponse.status_code == 302
    assert list(
        MembreCommune.objects.filter(commune=matrice.commune, role=Role.ADMIN).values_list(
            "pk", flat=True
        )
    ) == [autre.pk]


def test_of_two_admins_stepping_down_the_second_is_refused(matrice):
    premier = admin_de(matrice.commune)
    second = MembreCommuneFactory(commune=matrice.commune, role=Role.ADMIN)

    services.membre_changer_role(membre=premier, role=Role.EDITEUR, by=premier.user)
    with pytest.raises(ValidationError, match="dernier administrateur"):
        services.membre_changer_role(membre=second, role=Role.LECTEUR, by=second.user)

    assert MembreCommune.objects.filter(commune=matrice.commune, role=Role.ADMIN).count() == 1


def test_an_admin_demoted_meanwhile_can_no_longer_demote_anyone(matrice):
    premier = admin_de(matrice.commune)
    second = MembreCommuneFactory(commune=matrice.commune, role=Role.ADMIN)

    services.membre_changer_role(membre=second, role=Role.EDITEUR, by=premier.user)
    with pytest.raises(PermissionDenied):
        services.membre_changer_role(membre=premier, role=Role.EDITEUR, by=second.user)


def test_service_refuses_a_change_by_someone_who_is_no_admin(matrice):
    lecteur = MembreCommune.objects.get(user=matrice.users["lecteur"])
    editeur = MembreCommune.objects.get(user=matrice.users["editeur"])
    with pytest.raises(PermissionDenied):
        services.membre_changer_role(membre=lecteur, role=Role.ADMIN, by=editeur.user)
    with pytest.raises(PermissionDenied):
        services.membre_retirer(membre=lecteur, by=editeur.user)


def dans_son_propre_fil(fonction):
    """Runs `fonction` in a thread of its own, on a connection of its own: outside the
    test's transaction, so what it writes is committed and other threads see it."""
    issue = {}

    def executer():
        try:
            issue["valeur"] = fonction()
        except Exception as erreur:  # handed over to the test's thread
            issue["erreur"] = erreur
        finally:
            connection.close()

    fil = threading.Thread(target=executer)
    fil.start()
    return fil, issue


def attendre(fil, issue):
    fil.join(timeout=30)
    assert not fil.is_alive()
    if "erreur" in issue:
        raise issue["erreur"]
    return issue.get("valeur")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row locks: it serialises writers."
)
def test_concurrent_self_demotions_cannot_both_pass_on_postgresql(monkeypatch):
    """Both admins of a commune step down at the same moment: one of them must be refused.

    Each demotion runs in its own thread and transaction, on rows committed for the
    occasion and deleted afterwards (a transactional test would flush the reference data).
    """

    def creer():
        commune = Commune.objects.create(
            code_insee="35999",
            nom="Commune du test de concurrence",
            departement=Departement.objects.get(code="35"),
        )
        return commune, [
            MembreCommune.objects.create(
                commune=commune,
                role=Role.ADMIN,
                user=User.objects.create_user(email=f"admin{i}@concurrence.test"),
            )
            for i in (1, 2)
        ]

    def nettoyer():
        Commune.objects.filter(pk=commune.pk).delete()
        User.objects.filter(email__endswith="@concurrence.test").delete()
        MembreCommune.history.filter(commune_id=commune.pk).delete()
        Commune.history.filter(id=commune.pk).delete()

    commune, (premier, second) = attendre(*dans_son_propre_fil(creer))
    try:
        verrous_pris = threading.Event()

        def second_se_retire():
            verrous_pris.wait()
            try:
                services.membre_changer_role(membre=second, role=Role.EDITEUR, by=second.user)
            except ValidationError as erreur:
                return erreur.code
            return "accepté"

        original = services._membre_verrouille

        def garder_les_verrous_un_instant(membre):
            # Runs in the first demotion, which holds the admin locks: the second one
            # starts now and must wait for them.
            if not verrous_pris.is_set():
                verrous_pris.set()
                second_fil.join(timeout=1)
                assert second_fil.is_alive(), "the second demotion should wait on the locks"
            return original(membre)

        monkeypatch.setattr(services, "_membre_verrouille", garder_les_verrous_un_instant)
        second_fil, second_issue = dans_son_propre_fil(second_se_retire)
        premier_fil = dans_son_propre_fil(
            lambda: services.membre_changer_role(membre=premier, role=Role.EDITEUR, by=premier.user)
        )
        attendre(*premier_fil)

        assert attendre(second_fil, second_issue) == "dernier_admin"
        admins = MembreCommune.objects.filter(commune=commune, role=Role.ADMIN)
        assert list(admins.values_list("pk", flat=True)) == [second.pk]
    finally:
        attendre(*dans_son_propre_fil(nettoyer))
    assert not Commune.objects.filter(pk=commune.pk).exists()
