"""Finding a structure and claiming it: its admins decide, or staff while it has none."""

import pytest
from django.core import mail
from django.urls import reverse

from commune.enums import StatutDemande
from structures.models import DemandeRattachement, MembreStructure
from tests.comptes.factories import UserFactory
from tests.roles import verifier_reponse
from tests.structures.conftest import ROLES, photographie, texte
from tests.structures.factories import MembreStructureFactory, StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("espace:structures_espace:accueil")


@pytest.fixture
def personne(client):
    user = UserFactory()
    client.force_login(user)
    return user


def rechercher(client, q):
    return texte(client.get(URL, {"q": q}))


# Searching ---------------------------------------------------------------------------------


def test_the_claim_page_needs_to_be_signed_in(client):
    reponse = client.get(URL)
    assert reponse.status_code == 302 and "/connexion/" in reponse["Location"]


def test_search_by_siret_finds_the_structure(client, personne):
    structure = StructureFactory(nom="Ressourcerie des Prairies")
    contenu = rechercher(client, " ".join([structure.siret[:9], structure.siret[9:]]))
    assert "Ressourcerie des Prairies" in contenu
    assert reverse("espace:structures_espace:revendiquer", args=[structure.pk]) in contenu


def test_a_siret_with_a_wrong_key_is_refused_in_french(client, personne):
    contenu = rechercher(client, "93500001800018")
    assert "la clé de contrôle ne correspond pas" in contenu
    assert 'role="alert"' in contenu


def test_a_siret_of_the_wrong_length_says_how_many_digits(client, personne):
    contenu = rechercher(client, "9350000180001")
    assert "Un SIRET compte 14 chiffres : « 9350000180001 » en compte 13." in contenu


def test_a_valid_unknown_siret_offers_to_create_the_structure(client, personne):
    contenu = rechercher(client, "93500001800017")
    assert "Aucune structure ne correspond" in contenu
    assert reverse("espace:structures_espace:creer") + "?siret=93500001800017" in contenu


def test_search_by_name_finds_unverified_structures_but_shows_only_name_and_city(client, personne):
    from tests.commune.factories import CommuneFactory

    rennes = CommuneFactory(code_insee="35238", nom="Rennes")
    cachee = StructureFactory(
        nom="Atelier caché",
        verifiee=False,
        commune=rennes,
        description="Une description confidentielle",
        email="secret@exemple.test",
    )
    contenu = rechercher(client, "atelier")
    assert "Atelier caché" in contenu and "Rennes" in contenu
    assert cachee.siret not in contenu
    assert "confidentielle" not in contenu and "secret@exemple.test" not in contenu
    assert cachee.type.nom not in contenu
    assert cachee.get_absolute_url() not in contenu


def test_search_shows_membership_and_pending_claims_instead_of_the_button(client, personne):
    mienne = MembreStructureFactory(user=personne, structure=StructureFactory(nom="Atelier A"))
    demandee = StructureFactory(nom="Atelier B")
    DemandeRattachement.objects.create(user=personne, structure=demandee)
    contenu = rechercher(client, "atelier")
    assert "Vous en êtes membre" in contenu
    assert "Votre demande de rattachement est en attente." in contenu
    assert reverse("espace:structures_espace:revendiquer", args=[mienne.structure.pk]) not in (
        contenu
    )
    assert reverse("espace:structures_espace:revendiquer", args=[demandee.pk]) not in contenu


def test_a_one_letter_search_is_refused_in_french(client, personne):
    contenu = rechercher(client, "a")
    assert "Saisissez au moins 2 caractères du nom" in contenu


def test_search_query_count_does_not_grow_with_results(client, personne, django_assert_num_queries):
    StructureFactory(nom="Atelier 1")
    # Session, user, results with their membership and claim flags, my structures, my
    # pending claims.
    with django_assert_num_queries(5):
        client.get(URL, {"q": "atelier"})
    StructureFactory.create_batch(10, nom="Atelier en plus")
    with django_assert_num_queries(5):
        client.get(URL, {"q": "atelier"})


# Claiming ----------------------------------------------------------------------------------


def url_revendiquer(structure):
    return reverse("espace:structures_espace:revendiquer", args=[structure.pk])


def test_claiming_a_structure_with_admins_emails_them(
    client, personne, django_capture_on_commit_callbacks
):
    admin = MembreStructureFactory(est_admin=True)
    MembreStructureFactory(structure=admin.structure, est_admin=False)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url_revendiquer(admin.structure), {"message": "Je suis directrice."})
    assert reponse.status_code == 302
    demande = DemandeRattachement.objects.get(user=personne)
    assert demande.statut == StatutDemande.EN_ATTENTE
    assert demande.message == "Je suis directrice."
    assert [m.to for m in mail.outbox] == [[admin.user.email]]
    assert personne.email in mail.outbox[0].body
    assert reverse("espace:structures_espace:membres", args=[admin.structure.siret]) in (
        mail.outbox[0].body
    )


def test_claiming_a_structure_without_admin_goes_to_staff_without_email(
    client, personne, django_capture_on_commit_callbacks
):
    structure = StructureFactory(verifiee=False)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url_revendiquer(structure), follow=True)
    assert "l'équipe de la plateforme vous répondront par e-mail" in texte(reponse)
    assert DemandeRattachement.objects.filter(user=personne, structure=structure).exists()
    assert mail.outbox == []


def test_the_claim_page_of_an_unverified_structure_shows_only_name_and_city(client, personne):
    structure = StructureFactory(verifiee=False, description="Description interne")
    contenu = texte(client.get(url_revendiquer(structure)))
    assert str(structure) in contenu
    assert structure.siret not in contenu and "Description interne" not in contenu


def test_a_second_pending_claim_is_refused_clearly(client, personne):
    structure = StructureFactory()
    client.post(url_revendiquer(structure))
    contenu = texte(client.post(url_revendiquer(structure)))
    assert "Vous avez déjà une demande en attente" in contenu
    assert DemandeRattachement.objects.filter(user=personne).count() == 1


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", "connexion"),
        ("exterieur", "ok"),
        ("membre_autre_structure", "ok"),
        ("membre", "deja_membre"),
        ("admin", "deja_membre"),
        ("staff", "ok"),
    ],
)
def test_claim_role_matrix(client, matrice_structure, role, attendu):
    avant = photographie()
    reponse = matrice_structure.connecter(client, role).post(
        url_revendiquer(matrice_structure.structure), {"message": ""}
    )
    if attendu == "deja_membre":
        assert reponse.status_code == 200
        assert "Vous êtes déjà membre de" in texte(reponse)
        assert photographie() == avant
    elif attendu == "ok":
        assert reponse.status_code == 302
        assert DemandeRattachement.objects.filter(user=matrice_structure.users[role]).exists()
    else:
        verifier_reponse(reponse, attendu)
        assert photographie() == avant


def test_claiming_an_unknown_structure_gives_404(client, personne):
    assert client.get(
        reverse("espace:structures_espace:revendiquer", args=[999999])
    ).status_code == (404)


# Deciding: the structure's admins -----------------------------------------------------------


@pytest.fixture
def demande(matrice_structure):
    return DemandeRattachement.objects.create(
        user=UserFactory(), structure=matrice_structure.structure, message="Encadrant technique"
    )


def url_decision(demande, decision):
    return reverse(
        f"espace:structures_espace:demande_{decision}", args=[demande.structure.siret, demande.pk]
    )


def test_admins_see_pending_claims_on_the_members_page(client, matrice_structure, demande):
    contenu = (
        matrice_structure.connecter(client, "admin")
        .get(reverse("espace:structures_espace:membres", args=[demande.structure.siret]))
        .content.decode()
    )
    assert "Encadrant technique" in contenu
    assert demande.user.email in contenu
    assert url_decision(demande, "accepter") in contenu


def test_plain_members_do_not_see_pending_claims(client, matrice_structure, demande):
    contenu = (
        matrice_structure.connecter(client, "membre")
        .get(reverse("espace:structures_espace:membres", args=[demande.structure.siret]))
        .content.decode()
    )
    assert "Encadrant technique" not in contenu
    assert demande.user.email not in contenu


@pytest.mark.parametrize("decision", ["accepter", "refuser"])
@pytest.mark.parametrize("role", ROLES)
def test_deciding_a_claim_role_matrix(
    client, matrice_structure, demande, role, decision, django_capture_on_commit_callbacks
):
    from tests.structures.conftest import ATTENDU_ADMIN

    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = matrice_structure.connecter(client, role).post(url_decision(demande, decision))
    attendu = ATTENDU_ADMIN[role]
    verifier_reponse(reponse, attendu)
    demande.refresh_from_db()
    if attendu == "ok":
        assert demande.statut == (
            StatutDemande.ACCEPTEE if decision == "accepter" else StatutDemande.REFUSEE
        )
        assert demande.decided_by == matrice_structure.users[role]
        assert [m.to for m in mail.outbox] == [[demande.user.email]]
    else:
        assert demande.statut == StatutDemande.EN_ATTENTE
        assert photographie() == avant


def test_an_accepted_claimant_becomes_a_plain_member_and_is_told(
    client, matrice_structure, demande, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        matrice_structure.connecter(client, "admin").post(url_decision(demande, "accepter"))
    membre = MembreStructure.objects.get(user=demande.user)
    assert membre.structure == demande.structure and not membre.est_admin
    (message,) = mail.outbox
    assert "est acceptée" in message.subject
    assert reverse("espace:structures_espace:tableau_de_bord", args=[demande.structure.siret]) in (
        message.body
    )


def test_a_refused_claimant_is_told_politely_and_joins_nothing(
    client, matrice_structure, demande, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        matrice_structure.connecter(client, "admin").post(url_decision(demande, "refuser"))
    assert not MembreStructure.objects.filter(user=demande.user).exists()
    (message,) = mail.outbox
    assert "n'a pas pu être acceptée" in message.body


def test_deciding_twice_changes_nothing_and_sends_nothing(
    client, matrice_structure, demande, django_capture_on_commit_callbacks
):
    client = matrice_structure.connecter(client, "admin")
    client.post(url_decision(demande, "accepter"))
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url_decision(demande, "refuser"), follow=True)
    assert "avait déjà été traitée" in texte(reponse)
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.ACCEPTEE
    assert mail.outbox == []


def test_an_admin_cannot_decide_a_claim_of_another_structure(client, matrice_structure):
    ailleurs = DemandeRattachement.objects.create(
        user=UserFactory(), structure=matrice_structure.autre_structure
    )
    client = matrice_structure.connecter(client, "admin")
    url = reverse(
        "espace:structures_espace:demande_accepter",
        args=[matrice_structure.structure.siret, ailleurs.pk],
    )
    assert client.post(url).status_code == 404
    ailleurs.refresh_from_db()
    assert ailleurs.statut == StatutDemande.EN_ATTENTE


def test_the_email_waits_for_the_commit(client, matrice_structure, demande):
    from django.db import transaction

    from structures import services

    with transaction.atomic():
        services.demandes_rattachement_accepter(
            demandes=DemandeRattachement.objects.filter(pk=demande.pk),
            decided_by=matrice_structure.users["admin"],
        )
        assert mail.outbox == []
        transaction.set_rollback(True)
    assert mail.outbox == []


# Deciding: staff, for structures without admin ----------------------------------------------

URL_STAFF = reverse("espace:structures_espace:demandes")


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", "connexion"),
        ("exterieur", 404),
        ("membre_autre_structure", 404),
        ("membre", 404),
        ("admin", 404),
        ("staff", 200),
    ],
)
def test_the_staff_page_is_for_staff_only(client, matrice_structure, role, attendu):
    verifier_reponse(matrice_structure.connecter(client, role).get(URL_STAFF), attendu)


def test_staff_page_lists_only_claims_of_structures_without_admin(client, staff):
    orpheline = DemandeRattachement.objects.create(
        user=UserFactory(), structure=StructureFactory(nom="Sans administrateur", verifiee=False)
    )
    avec_admin = MembreStructureFactory(est_admin=True).structure
    DemandeRattachement.objects.create(user=UserFactory(), structure=avec_admin)
    contenu = texte(client.get(URL_STAFF))
    assert "Sans administrateur" in contenu and "non vérifiée" in contenu
    assert str(avec_admin) not in contenu
    assert reverse("espace:structures_espace:staff_accepter", args=[orpheline.pk]) in contenu


def test_staff_page_query_count_does_not_grow(client, staff, django_assert_num_queries):
    DemandeRattachement.objects.create(user=UserFactory(), structure=StructureFactory())
    # Session, user, count, page of claims with people and structures.
    with django_assert_num_queries(4):
        client.get(URL_STAFF)
    for _ in range(5):
        DemandeRattachement.objects.create(user=UserFactory(), structure=StructureFactory())
    with django_assert_num_queries(4):
        client.get(URL_STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_decide_from_the_staff_page(
    client, matrice_structure, role, django_capture_on_commit_callbacks
):
    orpheline = DemandeRattachement.objects.create(
        user=UserFactory(), structure=StructureFactory(verifiee=False)
    )
    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = matrice_structure.connecter(client, role).post(
            reverse("espace:structures_espace:staff_accepter", args=[orpheline.pk])
        )
    attendu = {"anonyme": "connexion", "staff": "ok"}.get(role, 404)
    verifier_reponse(reponse, attendu)
    orpheline.refresh_from_db()
    if attendu == "ok":
        assert orpheline.statut == StatutDemande.ACCEPTEE
    else:
        assert orpheline.statut == StatutDemande.EN_ATTENTE
        assert photographie() == avant


def test_staff_acceptance_makes_the_first_claimant_admin_and_emails_them(
    client, staff, django_capture_on_commit_callbacks
):
    structure = StructureFactory(verifiee=False)
    premiere = DemandeRattachement.objects.create(user=UserFactory(), structure=structure)
    seconde = DemandeRattachement.objects.create(user=UserFactory(), structure=structure)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("espace:structures_espace:staff_accepter", args=[premiere.pk]))
    assert MembreStructure.objects.get(user=premiere.user).est_admin
    assert [m.to for m in mail.outbox] == [[premiere.user.email]]
    # Now the structure has an admin: the second claim is theirs, not staff's.
    assert str(seconde.user.nom_affiche) not in texte(client.get(URL_STAFF))
    reponse = client.post(
        reverse("espace:structures_espace:staff_accepter", args=[seconde.pk]), follow=True
    )
    assert "c'est à lui de décider" in texte(reponse)
    seconde.refresh_from_db()
    assert seconde.statut == StatutDemande.EN_ATTENTE


def test_staff_refusal_emails_the_claimant(client, staff, django_capture_on_commit_callbacks):
    demande = DemandeRattachement.objects.create(user=UserFactory(), structure=StructureFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("espace:structures_espace:staff_refuser", args=[demande.pk]))
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.REFUSEE and demande.decided_by == staff
    assert [m.to for m in mail.outbox] == [[demande.user.email]]
