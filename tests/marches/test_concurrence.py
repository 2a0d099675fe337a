"""Two members editing the same contract: the second save, from a page opened before
the first one, is refused with a conflict page (409) instead of overwriting the first;
the page shows both versions and sends the merge."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from commune.enums import Role
from marches.models import Marche
from tests.commune.factories import CommuneFactory, MembreCommuneFactory
from tests.formulaires import donnees_postees
from tests.marches.factories import MarcheFactory, TitulaireFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marche():
    marche = MarcheFactory(commune=CommuneFactory(), objet="Objet d'origine.")
    TitulaireFactory(marche=marche, identifiant="21350238800019")
    return marche


def _url(marche):
    return reverse("espace:marches:modifier", args=[marche.commune.code_insee, marche.pk])


def _navigateur(marche, prenom):
    client = Client()
    client.force_login(
        MembreCommuneFactory(
            commune=marche.commune,
            role=Role.EDITEUR,
            user__first_name=prenom,
            user__last_name="Roux",
        ).user
    )
    return client


def _page_ouverte(navigateur, marche):
    reponse = navigateur.get(_url(marche))
    return donnees_postees(reponse.context["formulaire"], reponse.context["titulaires"])


@pytest.fixture
def pages(marche):
    """Alice and Bruno open the contract; Alice saves a new subject and ticks a social
    clause. Returns Bruno's browser and the page he still holds."""
    alice, bruno = _navigateur(marche, "Alice"), _navigateur(marche, "Bruno")
    page_d_alice, page_de_bruno = _page_ouverte(alice, marche), _page_ouverte(bruno, marche)
    reponse = alice.post(
        _url(marche),
        {**page_d_alice, "objet": "Celui d'Alice.", "considerations_sociales": ["Clause sociale"]},
    )
    assert reponse.status_code == 302
    return bruno, page_de_bruno


def test_stale_save_is_refused_and_the_first_edit_stays(marche, pages):
    bruno, page_de_bruno = pages
    versions = Marche.history.count()

    reponse = bruno.post(_url(marche), {**page_de_bruno, "montant": "90000"})

    assert reponse.status_code == 409
    marche.refresh_from_db()
    assert (marche.objet, marche.clause_sociale) == ("Celui d'Alice.", True)
    assert marche.montant == Decimal("85000.00")
    assert Marche.history.count() == versions


def test_conflict_page_lists_each_field_with_who_changed_it(marche, pages):
    bruno, page_de_bruno = pages

    reponse = bruno.post(_url(marche), {**page_de_bruno, "montant": "90000"})

    html = reponse.content.decode()
    assert 'role="alert" tabindex="-1" autofocus' in html
    assert "Alice Roux a modifié ce marché" in html
    lignes = {ligne.nom: ligne for ligne in reponse.context["conflit"].lignes}
    assert set(lignes) == {"objet", "clause_sociale", "montant"}
    assert lignes["clause_sociale"].libelle == "Clause sociale"
    assert (lignes["clause_sociale"].enregistree, lignes["clause_sociale"].saisie) == ("Oui", "Non")
    assert lignes["montant"].modifie_par_vous and not lignes["montant"].modifie_par_autre
    assert "Modifié entre-temps par Alice Roux" in reponse.context["formulaire"]["objet"].help_text


def test_merged_form_sent_again_saves_both_edits(marche, pages):
    bruno, page_de_bruno = pages
    conflit = bruno.post(_url(marche), {**page_de_bruno, "montant": "90000"})
    fusion = donnees_postees(conflit.context["formulaire"], conflit.context["titulaires"])

    reponse = bruno.post(
        _url(marche),
        {**fusion, "objet": "Celui d'Alice.", "considerations_sociales": ["Clause sociale"]},
    )

    assert reponse.status_code == 302
    marche.refresh_from_db()
    assert (marche.objet, marche.clause_sociale) == ("Celui d'Alice.", True)
    assert marche.montant == Decimal("90000")
