"""Two members editing the same action: the second save, from a page opened before the
first one, is refused with a conflict page (409) instead of overwriting the first; the
page shows both versions and sends the merge (audit of issue 16, finding 2)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from axes.models import Engagement
from commune.enums import Role
from tests.axes.factories import EngagementFactory, action_du_guide
from tests.commune.factories import CommuneFactory, MembreCommuneFactory
from tests.formulaires import donnees_postees

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagement():
    return EngagementFactory(
        commune=CommuneFactory(code_insee="35238", nom="Rennes"),
        action=action_du_guide("2.2"),
        description="Description d'origine.",
        justification="",
    )


def _url(engagement):
    return reverse(
        "espace:engagements:action", args=[engagement.commune.code_insee, engagement.action.code]
    )


def _editeur(commune, prenom):
    return MembreCommuneFactory(
        commune=commune, role=Role.EDITEUR, user__first_name=prenom, user__last_name="Martin"
    ).user


def _navigateur(user):
    client = Client()
    client.force_login(user)
    return client


def _page_ouverte(navigateur, engagement):
    """What a browser holds after opening the action's page."""
    return donnees_postees(navigateur.get(_url(engagement)).context["formulaire"])


def _deux_membres_ouvrent_puis_le_premier_enregistre(client, engagement):
    """Alice and Bruno open the page; Alice saves a new description. Returns Bruno's page,
    after logging `client` in as Bruno."""
    alice = _navigateur(_editeur(engagement.commune, "Alice"))
    client.force_login(_editeur(engagement.commune, "Bruno"))
    page_d_alice = _page_ouverte(alice, engagement)
    page_de_bruno = _page_ouverte(client, engagement)
    reponse = alice.post(_url(engagement), {**page_d_alice, "description": "Celle d'Alice."})
    assert reponse.status_code == 302
    return page_de_bruno


def test_stale_save_of_the_justification_is_refused_and_the_first_edit_stays(client, engagement):
    page_de_bruno = _deux_membres_ouvrent_puis_le_premier_enregistre(client, engagement)
    versions = Engagement.history.count()

    reponse = client.post(_url(engagement), {**page_de_bruno, "justification": "Celle de Bruno."})

    assert reponse.status_code == 409
    engagement.refresh_from_db()
    assert engagement.description == "Celle d'Alice."
    assert engagement.justification == ""
    assert Engagement.history.count() == versions


def test_conflict_page_shows_both_versions_who_and_an_alert_to_focus(client, engagement):
    page_de_bruno = _deux_membres_ouvrent_puis_le_premier_enregistre(client, engagement)

    reponse = client.post(_url(engagement), {**page_de_bruno, "justification": "Celle de Bruno."})

    html = reponse.content.decode()
    assert 'role="alert" tabindex="-1" autofocus' in html
    assert "Rien n'a été enregistré : Alice Martin a modifié cette action" in html
    conflit = reponse.context["conflit"]
    lignes = {ligne.nom: ligne for ligne in conflit.lignes}
    assert set(lignes) == {"description", "justification"}
    assert lignes["description"].modifie_par_autre and not lignes["description"].modifie_par_vous
    assert lignes["description"].enregistree == "Celle d'Alice."
    assert lignes["description"].saisie == "Description d'origine."
    assert (
        lignes["justification"].modifie_par_vous and not lignes["justification"].modifie_par_autre
    )
    assert "Modifié par Alice Martin" in html
    assert "Modifié par vous" in html
    # The form keeps Bruno's values, says in words which field Alice changed, and carries
    # the current version.
    formulaire = reponse.context["formulaire"]
    assert formulaire["justification"].value() == "Celle de Bruno."
    assert formulaire["description"].help_text.startswith(
        "Modifié entre-temps par Alice Martin : la version enregistrée est « Celle d'Alice. »"
    )
    assert formulaire["version"].value() == str(Engagement.objects.get().version)


def test_merged_form_sent_again_saves_both_edits(client, engagement):
    page_de_bruno = _deux_membres_ouvrent_puis_le_premier_enregistre(client, engagement)
    conflit = client.post(_url(engagement), {**page_de_bruno, "justification": "Celle de Bruno."})
    fusion = donnees_postees(conflit.context["formulaire"])

    reponse = client.post(_url(engagement), {**fusion, "description": "Celle d'Alice."})

    assert reponse.status_code == 302
    engagement.refresh_from_db()
    assert engagement.description == "Celle d'Alice."
    assert engagement.justification == "Celle de Bruno."


def test_each_round_of_two_simultaneous_saves_keeps_the_first_or_refuses_the_second(
    client, engagement
):
    """The audit lost one edit in each of 10 rounds; none is lost now."""
    alice = _navigateur(_editeur(engagement.commune, "Alice"))
    bruno = _navigateur(_editeur(engagement.commune, "Bruno"))
    for tour in range(10):
        page_d_alice = _page_ouverte(alice, engagement)
        page_de_bruno = _page_ouverte(bruno, engagement)
        alice.post(_url(engagement), {**page_d_alice, "description": f"Tour {tour}"})
        reponse = bruno.post(_url(engagement), {**page_de_bruno, "justification": f"J{tour}"})
        assert reponse.status_code == 409
        assert Engagement.objects.get().description == f"Tour {tour}"


def test_engagement_created_by_someone_else_since_the_page_opened_is_not_overwritten(client):
    commune = CommuneFactory()
    client.force_login(_editeur(commune, "Bruno"))
    url = reverse("espace:engagements:action", args=[commune.code_insee, "2.2"])
    page_vide = donnees_postees(client.get(url).context["formulaire"])
    assert page_vide["version"] == "0"
    EngagementFactory(commune=commune, action=action_du_guide("2.2"), description="Déjà là.")

    reponse = client.post(url, {**page_vide, "statut": "engagé", "date_cible": "2027-01-31"})

    assert reponse.status_code == 409
    assert Engagement.objects.get().description == "Déjà là."


def test_save_without_a_version_still_works_as_before(client, engagement):
    """A page opened before versions existed has no version field: last one wins."""
    client.force_login(_editeur(engagement.commune, "Alice"))
    donnees = _page_ouverte(client, engagement)
    del donnees["version"]
    Engagement.objects.get().save()  # someone else saved in between

    reponse = client.post(_url(engagement), {**donnees, "description": "Sans version."})

    assert reponse.status_code == 302
    assert Engagement.objects.get().description == "Sans version."


def _en_meme_temps(envois):
    """Sends each (browser, url, data) from its own thread, all at the same instant;
    returns {browser: status}."""
    barriere, statuts = threading.Barrier(len(envois)), {}

    def envoyer(navigateur, url, donnees):
        try:
            barriere.wait(timeout=5)
            statuts[navigateur] = navigateur.post(url, donnees).status_code
        finally:
            connection.close()

    fils = [threading.Thread(target=envoyer, args=envoi) for envoi in envois]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    return statuts


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("donnees_de_reference")
def test_ten_rounds_of_truly_simultaneous_saves_lose_no_edit(on_postgresql):
    """The audit's reproduction, with two requests at the same instant: the row lock makes
    one wait for the other, which then finds a newer version and answers 409."""
    if not on_postgresql:
        pytest.skip("SQLite has no row locks: it serialises writers.")
    engagement = EngagementFactory(
        commune=CommuneFactory(code_insee="35238", nom="Rennes"), action=action_du_guide("2.2")
    )
    alice = _navigateur(_editeur(engagement.commune, "Alice"))
    bruno = _navigateur(_editeur(engagement.commune, "Bruno"))
    for tour in range(10):
        changements = {alice: {"description": f"A{tour}"}, bruno: {"justification": f"B{tour}"}}
        envois = [
            (n, _url(engagement), {**_page_ouverte(n, engagement), **changements[n]})
            for n in (alice, bruno)
        ]
        statuts = _en_meme_temps(envois)
        assert sorted(statuts.values()) == [302, 409]
        gagnant = next(n for n, statut in statuts.items() if statut == 302)
        enregistre = Engagement.objects.get()
        assert {nom: getattr(enregistre, nom) for nom in changements[gagnant]} == changements[
            gagnant
        ]
