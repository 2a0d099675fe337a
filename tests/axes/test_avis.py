"""Citizens' opinions on an action: the form without an account, the honeypot, the rate
limit, moderation by the commune's admins (role matrix) and by staff in the admin, and
what the public action page shows once approved."""

import pytest
from django.contrib.admin.sites import site
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from axes.admin import AvisAdmin
from axes.models import Avis, StatutAvis
from commune.enums import Role
from tests.axes.factories import action_du_guide
from tests.commune.factories import CommuneFactory, MembreCommuneFactory
from tests.comptes.factories import UserFactory
from tests.roles import ATTENDU_ADMINISTRATION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db

MESSAGE = "Les chantiers d'insertion du quartier\nont changé la vie de mon fils."


@pytest.fixture(autouse=True)
def _cache_vide():
    """The rate limit counts in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commune(db):
    return CommuneFactory(code_insee="35238", nom="Rennes")


def url_deposer(commune, code="1.1"):
    return reverse("commune:avis:deposer", args=[commune.code_insee, code])


def url_action(commune, code="1.1"):
    return reverse("commune:action", args=[commune.code_insee, code])


def donnees(**kwargs):
    return {"nom": "Claire", "message": MESSAGE, "consentement": "on", **kwargs}


def avis(commune, statut=StatutAvis.EN_ATTENTE, code="1.1", **kwargs):
    valeurs = {"nom": "Claire", "message": MESSAGE, "consentement": True, **kwargs}
    return Avis.objects.create(
        commune=commune, action=action_du_guide(code), statut=statut, **valeurs
    )


# --- The public form ----------------------------------------------------------------------


def test_anyone_can_leave_an_opinion_without_an_account_it_waits_for_moderation(client, commune):
    reponse = client.post(url_deposer(commune), donnees())
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("commune:avis:merci", args=["35238", "1.1"])
    enregistre = Avis.objects.get()
    assert (enregistre.commune, enregistre.action.code) == (commune, "1.1")
    assert enregistre.statut == StatutAvis.EN_ATTENTE
    assert enregistre.nom == "Claire" and enregistre.consentement
    merci = client.get(reponse["Location"]).content.decode()
    assert "sera publié après relecture par la commune" in merci
    # Not published before an admin approves it.
    assert "mon fils" not in client.get(url_action(commune)).content.decode()


def test_the_name_is_optional(client, commune):
    client.post(url_deposer(commune), donnees(nom=""))
    assert Avis.objects.get().auteur == "Anonyme"


def test_consent_is_required(client, commune):
    reponse = client.post(url_deposer(commune), donnees(consentement=""))
    assert reponse.status_code == 200
    assert "Cochez cette case pour que votre avis puisse être publié." in reponse.content.decode()
    assert not Avis.objects.exists()


def test_message_is_required_and_at_most_2000_characters(client, commune):
    contenu = client.post(url_deposer(commune), donnees(message="")).content.decode()
    assert "Écrivez votre avis avant de l&#x27;envoyer." in contenu
    contenu = client.post(url_deposer(commune), donnees(message="x" * 2001)).content.decode()
    assert "2000 caractères" in contenu
    assert not Avis.objects.exists()
    client.post(url_deposer(commune), donnees(message="x" * 2000))
    assert Avis.objects.count() == 1


def test_filled_honeypot_is_thanked_like_anyone_and_dropped(client, commune):
    reponse = client.post(url_deposer(commune), donnees(site_web="https://spam.test"))
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("commune:avis:merci", args=["35238", "1.1"])
    assert not Avis.objects.exists()


def test_honeypot_is_hidden_from_people_and_out_of_the_tab_order(client, commune):
    contenu = client.get(url_action(commune)).content.decode()
    assert '<div class="pot-de-miel" aria-hidden="true">' in contenu
    assert 'name="site_web"' in contenu
    champ = contenu[contenu.index('name="site_web"') - 80 : contenu.index('name="site_web"') + 120]
    assert 'tabindex="-1"' in champ and 'autocomplete="off"' in champ


def test_sixth_opinion_within_the_hour_from_one_address_gets_429_in_french(client, commune):
    for _ in range(5):
        assert client.post(url_deposer(commune), donnees()).status_code == 302
    reponse = client.post(url_deposer(commune), donnees(), REMOTE_ADDR="127.0.0.1")
    assert reponse.status_code == 429
    assert "Merci de réessayer un peu plus tard." in reponse.content.decode()
    assert Avis.objects.count() == 5
    # Another address is not slowed down.
    assert client.post(url_deposer(commune), donnees(), REMOTE_ADDR="10.9.8.7").status_code == 302


def test_no_address_is_stored(client, commune):
    client.post(url_deposer(commune), donnees(), REMOTE_ADDR="203.0.113.9")
    enregistre = Avis.objects.values().get()
    assert "203.0.113.9" not in str(enregistre)


@pytest.mark.parametrize("code_insee, code", [("99999", "1.1"), ("35238", "9.9")])
def test_unknown_commune_or_action_gives_404(client, commune, code_insee, code):
    url = reverse("commune:avis:deposer", args=[code_insee, code])
    assert client.post(url, donnees()).status_code == 404
    assert client.get(url).status_code == 404


def test_the_form_has_its_own_page_that_works_without_the_action_page(client, commune):
    reponse = client.get(url_deposer(commune))
    assert reponse.status_code == 200
    assert "Donner votre avis sur l'action 1.1 de Rennes" in reponse.content.decode()


# --- Approved opinions on the action page -------------------------------------------------


def test_only_approved_opinions_are_shown_escaped_with_line_breaks_and_no_links(client, commune):
    avis(
        commune,
        StatutAvis.APPROUVE,
        message="<script>alert(1)</script> Voir https://exemple.test\nMerci !",
    )
    avis(commune, StatutAvis.EN_ATTENTE, message="En attente de relecture")
    avis(commune, StatutAvis.REFUSE, message="Message refusé")
    contenu = client.get(url_action(commune)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Voir https://exemple.test<br>Merci !" in contenu
    assert '<a href="https://exemple.test' not in contenu
    assert "En attente de relecture" not in contenu
    assert "Message refusé" not in contenu
    assert "1 avis publié après relecture par la commune." in contenu


def test_an_approved_opinion_shows_at_once_on_the_cached_action_page(client, commune):
    en_attente = avis(commune)
    assert "mon fils" not in client.get(url_action(commune)).content.decode()
    en_attente.moderer(statut=StatutAvis.APPROUVE, par=UserFactory())
    assert "mon fils" in client.get(url_action(commune)).content.decode()


# --- Moderation by the commune's admins ---------------------------------------------------


def url_moderation(commune):
    return reverse("espace:avis:moderation", args=[commune.code_insee])


def url_moderer(commune, un_avis):
    return reverse("espace:avis:moderer", args=[commune.code_insee, un_avis.pk])


@pytest.mark.parametrize("role", ROLES)
def test_approve_role_matrix(client, matrice, role):
    en_attente = avis(matrice.commune)
    matrice.connecter(client, role)
    reponse = client.post(url_moderer(matrice.commune, en_attente), {"decision": "approuver"})
    verifier_reponse(reponse, ATTENDU_ADMINISTRATION[role])
    en_attente.refresh_from_db()
    if ATTENDU_ADMINISTRATION[role] == "ok":
        assert en_attente.statut == StatutAvis.APPROUVE
        assert en_attente.moderated_by == matrice.users[role]
        assert en_attente.moderated_at is not None
    else:
        assert en_attente.statut == StatutAvis.EN_ATTENTE


@pytest.mark.parametrize("role", ROLES)
def test_moderation_page_role_matrix(client, matrice, role):
    avis(matrice.commune, message="Un avis à relire")
    matrice.connecter(client, role)
    reponse = client.get(url_moderation(matrice.commune))
    verifier_reponse(reponse, ATTENDU_ADMINISTRATION[role])
    if ATTENDU_ADMINISTRATION[role] == "ok":
        assert "Un avis à relire" in reponse.content.decode()


def test_admin_refuses_an_opinion_and_can_change_their_mind(client, commune):
    admin = MembreCommuneFactory(commune=commune, role=Role.ADMIN).user
    client.force_login(admin)
    en_attente = avis(commune)
    reponse = client.post(url_moderer(commune, en_attente), {"decision": "refuser"})
    assert reponse.status_code == 302
    en_attente.refresh_from_db()
    assert en_attente.statut == StatutAvis.REFUSE
    contenu = client.get(url_moderation(commune)).content.decode()
    assert "Aucun avis en attente." in contenu
    assert "Publier finalement" in contenu
    client.post(url_moderer(commune, en_attente), {"decision": "approuver"})
    en_attente.refresh_from_db()
    assert en_attente.statut == StatutAvis.APPROUVE


def test_an_opinion_of_another_commune_gives_404(client, matrice):
    ailleurs = avis(matrice.autre_commune)
    client.force_login(matrice.users["admin"])
    url = reverse("espace:avis:moderer", args=[matrice.commune.code_insee, ailleurs.pk])
    assert client.post(url, {"decision": "approuver"}).status_code == 404


def test_unknown_decision_gives_400(client, commune):
    client.force_login(MembreCommuneFactory(commune=commune, role=Role.ADMIN).user)
    en_attente = avis(commune)
    assert (
        client.post(url_moderer(commune, en_attente), {"decision": "peut-être"}).status_code == 400
    )


def test_moderation_page_query_count_does_not_grow(client, commune, django_assert_num_queries):
    client.force_login(MembreCommuneFactory(commune=commune, role=Role.ADMIN).user)
    avis(commune)
    avis(commune, StatutAvis.APPROUVE)
    # session, user, commune, role, count and page of pending opinions, latest decisions
    with django_assert_num_queries(7):
        client.get(url_moderation(commune))
    for _ in range(30):
        avis(commune)
        avis(commune, StatutAvis.REFUSE)
    with django_assert_num_queries(7):
        reponse = client.get(url_moderation(commune))
    assert "Page 1 sur 2" in reponse.content.decode()


# --- Moderation by platform staff, in the admin -------------------------------------------


def test_staff_approve_and_refuse_from_the_admin_list(commune):
    staff = UserFactory(is_staff=True, is_superuser=True)
    premier, second = avis(commune), avis(commune)
    modele_admin = AvisAdmin(Avis, site)
    requete = RequestFactory().post("/admin/axes/avis/")
    requete.user = staff
    requete._messages = type("Messages", (), {"add": lambda *a, **k: None})()
    modele_admin.approuver(requete, Avis.objects.filter(pk=premier.pk))
    modele_admin.refuser(requete, Avis.objects.filter(pk=second.pk))
    premier.refresh_from_db()
    second.refresh_from_db()
    assert (premier.statut, premier.moderated_by) == (StatutAvis.APPROUVE, staff)
    assert (second.statut, second.moderated_by) == (StatutAvis.REFUSE, staff)


def test_staff_see_opinions_in_the_admin_and_never_rewrite_one(admin_client, commune):
    un_avis = avis(commune, message="Avis visible dans l'administration")
    reponse = admin_client.get(reverse("admin:axes_avis_changelist"))
    assert reponse.status_code == 200
    assert "Approuver les avis sélectionnés" in reponse.content.decode()
    url = reverse("admin:axes_avis_change", args=[un_avis.pk])
    reponse = admin_client.post(url, {"statut": StatutAvis.APPROUVE, "message": "Réécrit"})
    assert reponse.status_code == 302
    un_avis.refresh_from_db()
    assert un_avis.statut == StatutAvis.APPROUVE and un_avis.moderated_by is not None
    assert un_avis.message == "Avis visible dans l'administration"


def test_staff_record_an_opinion_received_another_way_only_with_consent(admin_client, commune):
    url = reverse("admin:axes_avis_add")
    assert admin_client.get(url).status_code == 200
    donnees = {
        "commune": commune.pk,
        "action": action_du_guide("2.1").pk,
        "nom": "Courrier reçu en mairie",
        "message": "Avis transmis par courrier.",
        "statut": StatutAvis.EN_ATTENTE,
    }
    assert admin_client.post(url, donnees).status_code == 200
    assert not Avis.objects.exists()
    assert admin_client.post(url, {**donnees, "consentement": "on"}).status_code == 302
    assert Avis.objects.get().nom == "Courrier reçu en mairie"
