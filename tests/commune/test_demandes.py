"""Requests to join a commune: the person asks, platform staff decide, the person is told."""

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from commune.enums import Role, StatutDemande, TypeRattachement
from commune.models import CodePostal, CommuneRattachee, DemandeAdhesion, MembreCommune
from structures.enums import FamilleStructure
from structures.models import DemandeRattachement, TypeStructure
from tests.commune.factories import CommuneFactory, MembreCommuneFactory
from tests.commune.test_membres import photographie
from tests.comptes.factories import UserFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

SITE = "https://commune-engagee.example"
URL_REJOINDRE = reverse("espace:membres:rejoindre")
URL_DEMANDES = reverse("espace:membres:demandes")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def personne(client):
    user = UserFactory(first_name="Camille", last_name="Martin")
    client.force_login(user)
    return user


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def demande(**kwargs):
    kwargs.setdefault("user", UserFactory())
    kwargs.setdefault("commune", CommuneFactory())
    return DemandeAdhesion.objects.create(**kwargs)


# Asking -------------------------------------------------------------------------------


def test_asking_needs_to_be_signed_in(client):
    reponse = client.get(URL_REJOINDRE)
    assert reponse.status_code == 302
    assert "/connexion/" in reponse["Location"]


def test_search_by_name_lists_at_most_20_communes(client, personne):
    for i in range(25):
        CommuneFactory(code_insee=f"35{300 + i}", nom=f"Saint-Test {i:02d}")
    CommuneFactory(code_insee="35238", nom="Rennes")

    contenu = client.get(URL_REJOINDRE, {"q": "saint-test"}).content.decode()

    assert contenu.count('type="radio"') == 20
    assert "Saint-Test 00 (35300)" in contenu
    assert "Rennes" not in contenu
    assert "les 20 premières" in contenu


def test_search_by_insee_code_and_without_accents(client, personne):
    CommuneFactory(code_insee="35238", nom="Rennes")
    CommuneFactory(code_insee="35288", nom="Saint-Malo")
    CommuneFactory(code_insee="35093", nom="Fougères")

    par_code = client.get(URL_REJOINDRE, {"q": "35238"}).content.decode()
    sans_accent = client.get(URL_REJOINDRE, {"q": "fougeres"}).content.decode()

    assert "Rennes (35238)" in par_code and "Saint-Malo" not in par_code
    assert "Fougères (35093)" in sans_accent


def test_search_by_postcode_or_commune_deleguee_finds_the_commune_to_join(client, personne):
    rennes = CommuneFactory(code_insee="35238", nom="Rennes")
    CodePostal.objects.create(code="35200", commune=rennes)
    CommuneRattachee.objects.create(
        code="35999", nom="Ancien Bourg", type=TypeRattachement.DELEGUEE, commune=rennes
    )
    CommuneFactory(code_insee="35047", nom="Bruz")

    for recherche in ("35200", "ancien bourg"):
        contenu = client.get(URL_REJOINDRE, {"q": recherche}).content.decode()
        assert "Rennes (35238)" in contenu, recherche
        assert "Bruz" not in contenu, recherche


def test_search_leaves_out_communes_already_joined_or_asked(client, personne):
    membre = CommuneFactory(code_insee="35238", nom="Rennes")
    demandee = CommuneFactory(code_insee="35047", nom="Bruz")
    libre = CommuneFactory(code_insee="35051", nom="Cesson-Sévigné")
    MembreCommuneFactory(user=personne, commune=membre)
    demande(user=personne, commune=demandee)

    contenu = client.get(URL_REJOINDRE, {"q": "35"}).content.decode()

    assert f'value="{libre.pk}"' in contenu
    assert f'value="{membre.pk}"' not in contenu
    assert f'value="{demandee.pk}"' not in contenu
    assert "Vos demandes en attente" in contenu


def test_a_too_short_search_is_refused_in_french(client, personne):
    contenu = client.get(URL_REJOINDRE, {"q": "r"}).content.decode()
    assert "au moins 2 caractères" in contenu
    assert 'role="alert"' in contenu
    assert 'aria-describedby="id_q_error"' in contenu
    assert 'type="radio"' not in contenu


def test_search_query_count_does_not_grow_with_results(client, personne, django_assert_num_queries):
    demande(user=personne, commune=CommuneFactory(code_insee="44000"))
    CommuneFactory(code_insee="35300", nom="Saint-Test")
    # Session, user, matching communes, the radio buttons' communes, pending requests.
    with django_assert_num_queries(5):
        assert (
            client.get(URL_REJOINDRE, {"q": "saint-test"}).content.decode().count('type="radio"')
            == 1
        )
    for i in range(1, 25):
        CommuneFactory(code_insee=f"35{300 + i}", nom=f"Saint-Test {i}")
        demande(user=personne, commune=CommuneFactory(code_insee=f"44{i:03d}"))
    with django_assert_num_queries(5):
        assert (
            client.get(URL_REJOINDRE, {"q": "saint-test"}).content.decode().count('type="radio"')
            == 20
        )


def test_asking_records_a_pending_request(client, personne):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")

    reponse = client.post(
        URL_REJOINDRE + "?q=rennes",
        {"commune": commune.pk, "message": "Agente au service économie."},
        follow=True,
    )

    enregistree = DemandeAdhesion.objects.get()
    assert (enregistree.user, enregistree.commune, enregistree.statut) == (
        personne,
        commune,
        StatutDemande.EN_ATTENTE,
    )
    assert enregistree.message == "Agente au service économie."
    assert reponse.redirect_chain[-1][0] == reverse("espace:accueil")
    assert "Votre demande pour rejoindre Rennes est envoyée" in reponse.content.decode()
    assert mail.outbox == []


def test_a_second_pending_request_for_the_same_commune_is_refused_clearly(client, personne):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    client.post(URL_REJOINDRE, {"commune": commune.pk})
    avant = photographie()

    reponse = client.post(URL_REJOINDRE + "?q=rennes", {"commune": commune.pk})

    assert reponse.status_code == 200
    contenu = reponse.content.decode().replace("&#x27;", "'")
    assert "Vous avez déjà une demande en attente pour Rennes" in contenu
    assert 'role="alert"' in contenu
    assert photographie() == avant


def test_a_refused_request_may_be_made_again(client, personne):
    commune = CommuneFactory()
    demande(user=personne, commune=commune, statut=StatutDemande.REFUSEE)
    client.post(URL_REJOINDRE, {"commune": commune.pk})
    assert DemandeAdhesion.objects.filter(statut=StatutDemande.EN_ATTENTE).count() == 1


def test_a_member_cannot_ask_to_join_their_own_commune(client, personne):
    commune = CommuneFactory(nom="Rennes")
    MembreCommuneFactory(user=personne, commune=commune)
    avant = photographie()

    contenu = client.post(URL_REJOINDRE, {"commune": commune.pk}).content.decode()

    assert "Vous êtes déjà membre de Rennes." in contenu
    assert photographie() == avant


def test_choosing_no_commune_is_refused_in_french(client, personne):
    CommuneFactory(code_insee="35238", nom="Rennes")
    contenu = client.post(URL_REJOINDRE + "?q=rennes", {"message": "Bonjour"}).content.decode()
    assert "Choisissez la commune que vous souhaitez rejoindre." in contenu
    assert 'id="id_commune_error"' in contenu
    assert not DemandeAdhesion.objects.exists()


# The staff page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("anonyme", 302),
        ("exterieur", 404),
        ("lecteur", 404),
        ("admin", 404),
        ("staff", 200),
    ],
)
def test_staff_page_is_for_staff_only(client, matrice, role, attendu):
    assert matrice.connecter(client, role).get(URL_DEMANDES).status_code == attendu


@pytest.mark.parametrize("role", ["anonyme", "exterieur", "lecteur", "admin"])
@pytest.mark.parametrize("decision", ["demande_accepter", "demande_refuser"])
def test_only_staff_decide(client, matrice, role, decision, django_capture_on_commit_callbacks):
    en_attente = demande(commune=matrice.commune)
    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = matrice.connecter(client, role).post(
            reverse(f"espace:membres:{decision}", args=[en_attente.pk])
        )
    assert reponse.status_code == (302 if role == "anonyme" else 404)
    assert photographie() == avant


def test_staff_page_lists_pending_requests_paginated(client, staff, django_assert_num_queries):
    demande(message="Je suis adjointe au maire.")
    demande(statut=StatutDemande.REFUSEE)
    client.force_login(staff)
    with django_assert_num_queries(4):  # session, user, count, page of requests
        contenu = client.get(URL_DEMANDES).content.decode()
    assert "Je suis adjointe au maire." in contenu
    assert contenu.count("Accepter<span") == 1

    for _ in range(30):
        demande()
    with django_assert_num_queries(4):
        premiere = client.get(URL_DEMANDES).content.decode()
    assert premiere.count("Accepter<span") == 25
    assert "Page 1 sur 2" in premiere
    assert client.get(URL_DEMANDES, {"page": 2}).content.decode().count("Accepter<span") == 6


def test_staff_accepts_from_the_page_and_the_person_is_emailed(
    client, staff, django_capture_on_commit_callbacks
):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    en_attente = demande(commune=commune, user=UserFactory(email="camille@exemple.test"))
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("espace:membres:demande_accepter", args=[en_attente.pk]), follow=True
        )

    en_attente.refresh_from_db()
    assert en_attente.statut == StatutDemande.ACCEPTEE
    assert en_attente.decided_by == staff
    membre = MembreCommune.objects.get(user=en_attente.user, commune=commune)
    assert membre.role == Role.LECTEUR
    assert "acceptée" in reponse.content.decode()
    (message,) = mail.outbox
    assert message.to == ["camille@exemple.test"]
    assert message.subject == "Votre demande pour rejoindre Rennes est acceptée"
    assert SITE + "/espace/communes/35238/" in message.body


def test_staff_refuses_from_the_page_and_the_person_is_told_politely(
    client, staff, django_capture_on_commit_callbacks
):
    commune = CommuneFactory(code_insee="35238", nom="Rennes")
    en_attente = demande(commune=commune, user=UserFactory(email="camille@exemple.test"))
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("espace:membres:demande_refuser", args=[en_attente.pk]))

    en_attente.refresh_from_db()
    assert en_attente.statut == StatutDemande.REFUSEE
    assert not MembreCommune.objects.filter(user=en_attente.user).exists()
    (message,) = mail.outbox
    assert message.to == ["camille@exemple.test"]
    assert "Nous vous remercions" in message.body
    assert "n'a pas pu être acceptée" in message.body
    assert SITE + URL_REJOINDRE in message.body


def test_deciding_twice_changes_nothing_and_sends_nothing(
    client, staff, django_capture_on_commit_callbacks
):
    en_attente = demande()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("espace:membres:demande_accepter", args=[en_attente.pk]))
    avant = photographie()

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("espace:membres:demande_refuser", args=[en_attente.pk]), follow=True
        )

    assert "déjà été traitée" in reponse.content.decode()
    assert photographie() == avant


def test_email_waits_for_the_commit(client, staff, django_capture_on_commit_callbacks):
    en_attente = demande()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        client.post(reverse("espace:membres:demande_accepter", args=[en_attente.pk]))
    assert mail.outbox == []
    assert len(rappels) == 1


# The Django admin actions ------------------------------------------------------------------


def lancer_action(client, model, action, objets):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": action, "_selected_action": [o.pk for o in objets]})


def test_admin_action_accept_emails_each_requester(
    admin_client, django_capture_on_commit_callbacks
):
    demandes = [demande(), demande()]
    with django_capture_on_commit_callbacks(execute=True):
        lancer_action(admin_client, DemandeAdhesion, "accepter", demandes)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.user.email for d in demandes)
    assert all("acceptée" in m.subject for m in mail.outbox)
    assert MembreCommune.objects.filter(role=Role.LECTEUR).count() == 2


def test_admin_action_refuse_emails_the_requester(admin_client, django_capture_on_commit_callbacks):
    en_attente, deja_acceptee = demande(), demande(statut=StatutDemande.ACCEPTEE)
    with django_capture_on_commit_callbacks(execute=True):
        lancer_action(admin_client, DemandeAdhesion, "refuser", [en_attente, deja_acceptee])
    (message,) = mail.outbox
    assert message.to == [en_attente.user.email]
    assert "n'a pas pu être acceptée" in message.body
    deja_acceptee.refresh_from_db()
    assert deja_acceptee.statut == StatutDemande.ACCEPTEE


def test_structure_claims_keep_their_own_refusal_without_commune_email(
    admin_client, django_capture_on_commit_callbacks
):
    assert admin.site._registry[DemandeRattachement].refuser_demandes.__name__ == (
        "demandes_refuser"
    )
    type_structure, _ = TypeStructure.objects.get_or_create(
        code="ACI", defaults={"nom": "ACI", "famille": FamilleStructure.IAE}
    )
    reclamation = DemandeRattachement.objects.create(
        user=UserFactory(), structure=StructureFactory(type=type_structure)
    )
    with django_capture_on_commit_callbacks(execute=True):
        lancer_action(admin_client, DemandeRattachement, "refuser", [reclamation])
    reclamation.refresh_from_db()
    assert reclamation.statut == StatutDemande.REFUSEE
    assert mail.outbox == []
