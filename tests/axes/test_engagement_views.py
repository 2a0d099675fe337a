"""The member pages of a commune's actions: who may change what, the rules of a status,
evidence and milestones, snapshots, and query counts that do not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axes.enums import Statut
from axes.models import Engagement, Jalon, Preuve, ScoreSnapshot
from commune.enums import Role
from tests.axes.factories import EngagementFactory, JalonFactory, PreuveFactory, action_du_guide
from tests.commune.factories import MembreCommuneFactory
from tests.comptes.factories import UserFactory
from tests.roles import ATTENDU_EDITION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db

MESSAGE_SANS_PREUVE = "Ajoutez au moins une preuve avant de déclarer l&#x27;action réalisée."


def url(nom, commune, code="1.2", *args):
    return reverse(f"espace:engagements:{nom}", args=[commune.code_insee, code, *args])


def url_liste(commune):
    return reverse("espace:engagements:liste", args=[commune.code_insee])


def etat_de_la_base():
    """Every row a request of these pages could write, history included."""
    return {
        "engagements": Engagement.objects.count(),
        "preuves": Preuve.objects.count(),
        "jalons": Jalon.objects.count(),
        "historique engagements": Engagement.history.count(),
        "historique preuves": Preuve.history.count(),
        "historique jalons": Jalon.history.count(),
        "snapshots": ScoreSnapshot.objects.count(),
    }


def connecte_editeur(client, commune):
    editeur = MembreCommuneFactory(commune=commune, role=Role.EDITEUR).user
    client.force_login(editeur)
    return editeur


def engagement_de(commune, code="1.2", **kwargs):
    return EngagementFactory(commune=commune, action=action_du_guide(code), **kwargs)


# --- The role matrix, for every view that changes data -------------------------------


def scenario_action(m):
    def verifier():
        engagement = Engagement.objects.get(commune=m.commune, action=action_du_guide("1.2"))
        assert engagement.statut == Statut.ENGAGE
        assert engagement.date_cible == datetime.date(2027, 6, 30)

    return url("action", m.commune), {"statut": "engagé", "date_cible": "2027-06-30"}, verifier


def scenario_preuve_ajouter(m):
    def verifier():
        preuve = Preuve.objects.get(titre="Délibération n° 2026-14")
        assert preuve.engagement.commune == m.commune
        assert preuve.engagement.statut == Statut.NON_RENSEIGNE

    donnees = {
        "preuve-titre": "Délibération n° 2026-14",
        "preuve-nature": "délibération",
        "preuve-date": "2026-03-12",
        "preuve-publique": "on",
        "preuve-url": "https://mairie.test/deliberation-2026-14.pdf",
    }
    return url("preuve_ajouter", m.commune), donnees, verifier


def scenario_preuve_supprimer(m):
    preuve = PreuveFactory(engagement=engagement_de(m.commune))

    def verifier():
        assert not Preuve.objects.filter(pk=preuve.pk).exists()

    return url("preuve_supprimer", m.commune, "1.2", preuve.pk), {}, verifier


def scenario_jalon_ajouter(m):
    def verifier():
        jalon = Jalon.objects.get(titre="Comité de pilotage")
        assert jalon.engagement.commune == m.commune

    donnees = {"jalon-date": "2026-10-01", "jalon-titre": "Comité de pilotage"}
    return url("jalon_ajouter", m.commune), donnees, verifier


def scenario_jalon_modifier(m):
    jalon = JalonFactory(engagement=engagement_de(m.commune))

    def verifier():
        jalon.refresh_from_db()
        assert jalon.titre == "Comité renommé" and jalon.atteint

    donnees = {
        "jalon-date": "2026-10-01",
        "jalon-titre": "Comité renommé",
        "jalon-atteint": "on",
    }
    return url("jalon_modifier", m.commune, "1.2", jalon.pk), donnees, verifier


def scenario_jalon_supprimer(m):
    jalon = JalonFactory(engagement=engagement_de(m.commune))

    def verifier():
        assert not Jalon.objects.filter(pk=jalon.pk).exists()

    return url("jalon_supprimer", m.commune, "1.2", jalon.pk), {}, verifier


SCENARIOS = {
    "action": scenario_action,
    "preuve_ajouter": scenario_preuve_ajouter,
    "preuve_supprimer": scenario_preuve_supprimer,
    "jalon_ajouter": scenario_jalon_ajouter,
    "jalon_modifier": scenario_jalon_modifier,
    "jalon_supprimer": scenario_jalon_supprimer,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_role_matrix_of_every_view_that_changes_data(client, guide, matrice, scenario, role):
    adresse, donnees, verifier = SCENARIOS[scenario](matrice)
    avant = etat_de_la_base()
    reponse = matrice.connecter(client, role).post(adresse, donnees)
    attendu = ATTENDU_EDITION[role]
    verifier_reponse(reponse, attendu)
    if attendu == "ok":
        assert reponse.status_code == 302, reponse.content.decode()
        verifier()
    else:
        assert etat_de_la_base() == avant


@pytest.mark.parametrize("role", ROLES)
def test_reading_the_list_and_an_action_needs_membership_or_staff(client, guide, matrice, role):
    client = matrice.connecter(client, role)
    attendu = {"anonyme": "connexion", "exterieur": 404, "membre_autre_commune": 404}
    for adresse in (url_liste(matrice.commune), url("action", matrice.commune)):
        reponse = client.get(adresse)
        verifier_reponse(reponse, attendu.get(role, 200))


@pytest.mark.parametrize("role", ["lecteur", "staff"])
def test_reader_and_staff_get_a_read_only_action_page(client, guide, matrice, role):
    engagement = engagement_de(matrice.commune, note_interne="Budget à confirmer")
    PreuveFactory(engagement=engagement)
    contenu = matrice.connecter(client, role).get(url("action", matrice.commune)).content.decode()
    assert "Budget à confirmer" in contenu
    assert 'name="statut"' not in contenu
    assert "Ajouter une preuve" not in contenu
    assert "Supprimer" not in contenu
    liste = client.get(url_liste(matrice.commune)).content.decode()
    assert "Modifier<span" not in liste


def test_editor_sees_a_modifier_link_per_action(client, guide, matrice):
    contenu = matrice.connecter(client, "editeur").get(url_liste(matrice.commune)).content.decode()
    assert contenu.count("Modifier<span") == 15
    for code in ("1.1", "3.2", "5.3"):
        assert url("action", matrice.commune, code) in contenu


def test_list_shows_status_progress_target_date_pilot_and_evidence_count(client, guide, matrice):
    pilote = matrice.users["admin"]
    engagement = engagement_de(
        matrice.commune, statut=Statut.EN_COURS, avancement=35, pilote=pilote
    )
    PreuveFactory.create_batch(2, engagement=engagement)
    engagement_de(matrice.commune, "2.1", statut=Statut.REALISE, pilote_nom="Mme Durand")
    contenu = matrice.connecter(client, "lecteur").get(url_liste(matrice.commune)).content
    contenu = contenu.decode().replace("&#x27;", "'")
    assert "35&nbsp;%" in contenu
    assert "30 juin 2027" in contenu
    assert pilote.nom_affiche in contenu and pilote.email not in contenu
    assert "<td>2</td>" in contenu
    assert "Mme Durand" in contenu
    assert "Sans preuve : comptée comme engagée." in contenu


@pytest.mark.parametrize("role", ["lecteur", "staff", "editeur"])
def test_confirmation_pages_need_the_right_to_edit(client, guide, matrice, role):
    preuve = PreuveFactory(engagement=engagement_de(matrice.commune))
    jalon = JalonFactory(engagement=preuve.engagement)
    client = matrice.connecter(client, role)
    adresses = [
        url("preuve_supprimer", matrice.commune, "1.2", preuve.pk),
        url("jalon_modifier", matrice.commune, "1.2", jalon.pk),
        url("jalon_supprimer", matrice.commune, "1.2", jalon.pk),
    ]
    for adresse in adresses:
        assert client.get(adresse).status_code == (200 if role == "editeur" else 403)
    assert Preuve.objects.filter(pk=preuve.pk).exists()
    assert Jalon.objects.filter(pk=jalon.pk).exists()


def test_unknown_action_code_gives_404(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    assert client.get(url("action", matrice.commune, "9.9")).status_code == 404
    assert (
        client.post(url("action", matrice.commune, "9.9"), {"statut": "engagé"}).status_code == 404
    )


def test_evidence_or_milestone_of_another_commune_gives_404(client, guide, matrice):
    ailleurs = engagement_de(matrice.autre_commune)
    preuve = PreuveFactory(engagement=ailleurs)
    jalon = JalonFactory(engagement=ailleurs)
    client = matrice.connecter(client, "editeur")
    avant = etat_de_la_base()
    for adresse in (
        url("preuve_supprimer", matrice.commune, "1.2", preuve.pk),
        url("jalon_modifier", matrice.commune, "1.2", jalon.pk),
        url("jalon_supprimer", matrice.commune, "1.2", jalon.pk),
    ):
        assert client.get(adresse).status_code == 404
        assert (
            client.post(adresse, {"jalon-titre": "x", "jalon-date": "2026-01-01"}).status_code
            == 404
        )
    assert etat_de_la_base() == avant


def test_evidence_of_another_action_of_the_same_commune_gives_404(client, guide, matrice):
    preuve = PreuveFactory(engagement=engagement_de(matrice.commune, "2.1"))
    client = matrice.connecter(client, "editeur")
    assert (
        client.post(url("preuve_supprimer", matrice.commune, "1.2", preuve.pk)).status_code == 404
    )
    assert Preuve.objects.filter(pk=preuve.pk).exists()


# --- The rules of a status ------------------------------------------------------------


def test_realise_without_evidence_is_refused_and_points_to_the_evidence_form(client, guide):
    matrice_commune = EngagementFactory().commune
    connecte_editeur(client, matrice_commune)
    avant = etat_de_la_base()
    reponse = client.post(url("action", matrice_commune), {"statut": "réalisé"})
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert MESSAGE_SANS_PREUVE in contenu
    assert 'href="#ajouter-preuve"' in contenu
    assert 'id="ajouter-preuve"' in contenu
    assert etat_de_la_base() == avant
    assert not Engagement.objects.filter(commune=matrice_commune, action__code="1.2").exists()


def test_realise_is_refused_on_an_engagement_without_evidence(client, guide):
    engagement = engagement_de(EngagementFactory().commune)
    connecte_editeur(client, engagement.commune)
    reponse = client.post(url("action", engagement.commune), {"statut": "réalisé"})
    assert MESSAGE_SANS_PREUVE in reponse.content.decode()
    engagement.refresh_from_db()
    assert engagement.statut == Statut.ENGAGE


def test_realise_is_accepted_with_evidence(client, guide):
    engagement = engagement_de(EngagementFactory().commune)
    PreuveFactory(engagement=engagement)
    connecte_editeur(client, engagement.commune)
    reponse = client.post(url("action", engagement.commune), {"statut": "réalisé"}, follow=True)
    assert "Action 1.2 enregistrée." in reponse.content.decode()
    engagement.refresh_from_db()
    assert engagement.statut == Statut.REALISE


def test_success_redirects_to_the_action_page_with_a_message(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    reponse = client.post(
        url("action", matrice.commune),
        {"statut": "en cours", "avancement": "40", "description": "Clauses sociales"},
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == url("action", matrice.commune)
    contenu = client.get(reponse["Location"]).content.decode()
    assert "Action 1.2 enregistrée." in contenu
    engagement = Engagement.objects.get(commune=matrice.commune)
    assert (engagement.statut, engagement.avancement) == (Statut.EN_COURS, 40)
    # Created in one go: one history record, not a blank one then the values.
    assert engagement.history.count() == 1


def test_non_concerne_requires_a_justification(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    reponse = client.post(url("action", matrice.commune), {"statut": "non concerné"})
    assert "Expliquez pourquoi la commune n&#x27;est pas concernée." in reponse.content.decode()
    assert not Engagement.objects.exists()
    reponse = client.post(
        url("action", matrice.commune),
        {"statut": "non concerné", "justification": "Pas de marchés publics cette année."},
    )
    assert reponse.status_code == 302
    assert Engagement.objects.get().statut == Statut.NON_CONCERNE


def test_engage_requires_a_target_date(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    reponse = client.post(url("action", matrice.commune), {"statut": "engagé"})
    assert "Un engagement se prend avec une date cible." in reponse.content.decode()
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(
    ("avancement", "message"),
    [
        ("", "Indiquez l&#x27;avancement, de 0 à 100 %."),
        ("101", "L&#x27;avancement va de 0 à 100 %."),
        ("-1", "L&#x27;avancement va de 0 à 100 %."),
        ("beaucoup", "L&#x27;avancement est un nombre entier, de 0 à 100."),
    ],
)
def test_en_cours_requires_a_progress_from_0_to_100(client, guide, matrice, avancement, message):
    client = matrice.connecter(client, "editeur")
    reponse = client.post(
        url("action", matrice.commune), {"statut": "en cours", "avancement": avancement}
    )
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert message in contenu
    assert 'aria-invalid="true"' in contenu
    assert 'aria-describedby="id_avancement_helptext id_avancement_error"' in contenu
    assert 'id="id_avancement_error"' in contenu
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("avancement", ["0", "100"])
def test_en_cours_accepts_the_bounds(client, guide, matrice, avancement):
    client = matrice.connecter(client, "editeur")
    reponse = client.post(
        url("action", matrice.commune), {"statut": "en cours", "avancement": avancement}
    )
    assert reponse.status_code == 302
    assert Engagement.objects.get().avancement == int(avancement)


def test_error_summary_links_to_each_field(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    contenu = client.post(url("action", matrice.commune), {"statut": ""}).content.decode()
    assert 'role="alert"' in contenu
    assert "1 erreur à corriger" in contenu
    assert "Statut de l&#x27;action : Ce champ est obligatoire." in contenu
    # A group of radio buttons: the link goes to its first button, inside a fieldset.
    assert 'href="#id_statut_0"' in contenu
    assert '<fieldset aria-describedby="id_statut_helptext id_statut_error">' in contenu
    assert "<legend>Statut de l&#x27;action (obligatoire)</legend>" in contenu


def test_pilot_is_a_member_or_a_free_name_not_both(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    membre = matrice.users["lecteur"]
    donnees = {"statut": "non renseigné", "pilote": membre.pk, "pilote_nom": "M. Martin"}
    reponse = client.post(url("action", matrice.commune), donnees)
    assert "Choisissez un membre ou saisissez un nom de pilote, pas les deux." in (
        reponse.content.decode()
    )
    assert not Engagement.objects.exists()
    del donnees["pilote_nom"]
    assert client.post(url("action", matrice.commune), donnees).status_code == 302
    assert Engagement.objects.get().pilote == membre


def test_member_of_another_commune_cannot_be_the_pilot(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    etranger = matrice.users["membre_autre_commune"]
    reponse = client.post(
        url("action", matrice.commune), {"statut": "non renseigné", "pilote": etranger.pk}
    )
    assert "Choisissez le pilote parmi les membres de la commune." in reponse.content.decode()
    assert not Engagement.objects.exists()


def test_pilot_choices_show_names_never_emails(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    contenu = client.get(url("action", matrice.commune)).content.decode()
    lecteur = matrice.users["lecteur"]
    assert f'<option value="{lecteur.pk}">{lecteur.nom_affiche}</option>' in contenu.replace(
        "&#x27;", "'"
    )
    for user in matrice.users.values():
        if user is not None:
            assert user.email not in contenu
    assert f'value="{matrice.users["membre_autre_commune"].pk}"' not in contenu


def test_a_former_member_stays_the_pilot_until_replaced(client, guide, matrice):
    ancien = UserFactory()
    engagement = engagement_de(matrice.commune, pilote=ancien)
    client = matrice.connecter(client, "editeur")
    reponse = client.post(
        url("action", matrice.commune),
        {"statut": "engagé", "date_cible": "2027-06-30", "pilote": ancien.pk, "description": "x"},
    )
    assert reponse.status_code == 302
    engagement.refresh_from_db()
    assert engagement.pilote == ancien and engagement.description == "x"


def test_changes_are_recorded_with_their_author(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    client.post(url("action", matrice.commune), {"statut": "engagé", "date_cible": "2027-06-30"})
    record = Engagement.history.get()
    assert record.history_user == matrice.users["editeur"]


# --- Snapshots ------------------------------------------------------------------------


def test_saving_an_action_keeps_todays_snapshot_and_a_second_change_updates_it(
    client, guide, matrice
):
    client = matrice.connecter(client, "editeur")
    client.post(url("action", matrice.commune), {"statut": "en cours", "avancement": "30"})
    snapshot = ScoreSnapshot.objects.get(commune=matrice.commune, referentiel=guide)
    assert snapshot.date == timezone.localdate()
    premier = snapshot.avancement
    assert premier > 0
    client.post(url("action", matrice.commune), {"statut": "en cours", "avancement": "90"})
    snapshot = ScoreSnapshot.objects.get(commune=matrice.commune, referentiel=guide)
    assert snapshot.avancement == 3 * premier
    assert snapshot.date == timezone.localdate()


def test_adding_and_deleting_evidence_keeps_the_snapshot_up_to_date(client, guide, matrice):
    engagement = engagement_de(matrice.commune, statut=Statut.REALISE)
    client = matrice.connecter(client, "editeur")
    _, donnees, _ = scenario_preuve_ajouter(matrice)
    client.post(url("preuve_ajouter", matrice.commune), donnees)
    avec_preuve = ScoreSnapshot.objects.get(commune=matrice.commune).avancement
    assert avec_preuve > 0
    PreuveFactory(engagement=engagement)
    preuve = engagement.preuves.get(titre="Délibération n° 2026-14")
    client.post(url("preuve_supprimer", matrice.commune, "1.2", preuve.pk))
    assert ScoreSnapshot.objects.get(commune=matrice.commune).avancement == avec_preuve


# --- Evidence and milestones ----------------------------------------------------------


def test_last_evidence_of_a_realise_action_cannot_be_deleted(client, guide, matrice):
    engagement = engagement_de(matrice.commune, statut=Statut.REALISE)
    preuve = PreuveFactory(engagement=engagement)
    client = matrice.connecter(client, "editeur")
    avant = etat_de_la_base()
    reponse = client.post(url("preuve_supprimer", matrice.commune, "1.2", preuve.pk))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert (
        "C&#x27;est la seule preuve d&#x27;une action réalisée : changez d&#x27;abord le statut."
        in (contenu)
    )
    assert 'role="alert"' in contenu
    assert etat_de_la_base() == avant


def test_evidence_of_a_realise_action_can_go_while_another_remains(client, guide, matrice):
    engagement = engagement_de(matrice.commune, statut=Statut.REALISE)
    preuve, _autre = PreuveFactory.create_batch(2, engagement=engagement)
    client = matrice.connecter(client, "editeur")
    reponse = client.post(url("preuve_supprimer", matrice.commune, "1.2", preuve.pk))
    assert reponse.status_code == 302
    assert engagement.preuves.count() == 1


def test_evidence_needs_a_link_or_a_file(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    _, donnees, _ = scenario_preuve_ajouter(matrice)
    del donnees["preuve-url"]
    avant = etat_de_la_base()
    reponse = client.post(url("preuve_ajouter", matrice.commune), donnees)
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Donnez un lien ou joignez un fichier." in contenu
    assert 'href="#id_preuve-url"' in contenu
    assert etat_de_la_base() == avant


def test_evidence_form_keeps_its_values_and_marks_private_evidence(client, guide, matrice):
    engagement = engagement_de(matrice.commune)
    PreuveFactory(engagement=engagement, titre="Compte rendu interne", publique=False)
    client = matrice.connecter(client, "lecteur")
    contenu = client.get(url("action", matrice.commune)).content.decode()
    assert "Compte rendu interne" in contenu
    assert "réservée aux membres" in contenu


def test_milestone_form_errors_are_shown_on_the_action_page(client, guide, matrice):
    client = matrice.connecter(client, "editeur")
    reponse = client.post(url("jalon_ajouter", matrice.commune), {"jalon-titre": "Sans date"})
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert 'id="id_jalon-date_error"' in contenu
    assert 'value="Sans date"' in contenu
    assert not Jalon.objects.exists()


def test_milestone_edit_page_shows_the_form(client, guide, matrice):
    jalon = JalonFactory(engagement=engagement_de(matrice.commune), titre="Lancement")
    client = matrice.connecter(client, "editeur")
    contenu = client.get(url("jalon_modifier", matrice.commune, "1.2", jalon.pk)).content.decode()
    assert 'value="Lancement"' in contenu
    assert 'value="2026-09-01"' in contenu


# --- Query counts ---------------------------------------------------------------------


def nombre_de_requetes(client, adresse):
    with CaptureQueriesContext(connection) as contexte:
        reponse = client.get(adresse)
    assert reponse.status_code == 200
    return len(contexte.captured_queries)


def enrichir(engagement, fois):
    """More evidence, milestones and history entries on an engagement."""
    for i in range(fois):
        PreuveFactory(engagement=engagement, publique=bool(i % 2))
        jalon = JalonFactory(engagement=engagement)
        jalon.atteint = True
        jalon.save()
        engagement.description = f"Version {engagement.history.count()}"
        engagement.save()


def test_list_page_query_count_does_not_grow(client, guide, matrice, django_assert_num_queries):
    client = matrice.connecter(client, "editeur")
    adresse = url_liste(matrice.commune)
    engagement = engagement_de(matrice.commune, pilote=matrice.users["admin"])
    enrichir(engagement, 1)
    avant = nombre_de_requetes(client, adresse)
    enrichir(engagement, 4)
    for code in ("1.1", "2.3", "5.1"):
        enrichir(engagement_de(matrice.commune, code, pilote_nom="M. Martin"), 3)
    assert nombre_de_requetes(client, adresse) == avant
    # session, user, commune, role, guide, actions, engagements with their evidence count.
    with django_assert_num_queries(7):
        client.get(adresse)


@pytest.mark.parametrize(("role", "attendu"), [("editeur", 13), ("lecteur", 12)])
def test_action_page_query_count_does_not_grow(
    client, guide, matrice, django_assert_num_queries, role, attendu
):
    client = matrice.connecter(client, role)
    adresse = url("action", matrice.commune)
    engagement = engagement_de(matrice.commune, pilote=matrice.users["admin"])
    enrichir(engagement, 1)
    avant = nombre_de_requetes(client, adresse)
    enrichir(engagement, 6)
    engagement.pilote = matrice.users["editeur"]
    engagement.save()
    assert nombre_de_requetes(client, adresse) == avant
    # session, user, commune, role, guide, action, engagement, evidence, milestones,
    # three history tables, and (for an editor) the pilot choices.
    with django_assert_num_queries(attendu):
        client.get(adresse)
