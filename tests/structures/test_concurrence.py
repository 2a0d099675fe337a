"""Two members editing the same structure profile: the second save, from a page opened
before the first one, is refused with a conflict page (409) instead of overwriting the
first; the page shows both versions, the sectors included, and sends the merge."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from structures.models import Secteur, Structure
from tests.formulaires import donnees_postees
from tests.structures.factories import MembreStructureFactory, StructureFactory

pytestmark = pytest.mark.django_db

LOGO = Path(__file__).resolve().parent.parent / "data" / "logo.png"


@pytest.fixture
def structure():
    return StructureFactory(description="Chantier d'origine.", telephone="")


def _url(structure):
    return reverse("espace:structures_espace:profil", args=[structure.siret])


def _navigateur(structure, prenom):
    client = Client()
    client.force_login(
        MembreStructureFactory(
            structure=structure, user__first_name=prenom, user__last_name="Le Goff"
        ).user
    )
    return client


def _page_ouverte(navigateur, structure):
    return donnees_postees(navigateur.get(_url(structure)).context["form"])


@pytest.fixture
def pages(structure):
    """Alice and Bruno open the profile; Alice saves a new description and a sector.
    Returns Bruno's browser and the page he still holds."""
    alice, bruno = _navigateur(structure, "Alice"), _navigateur(structure, "Bruno")
    page_d_alice, page_de_bruno = _page_ouverte(alice, structure), _page_ouverte(bruno, structure)
    secteur = Secteur.objects.order_by("pk").first()
    reponse = alice.post(
        _url(structure),
        {**page_d_alice, "description": "Celle d'Alice.", "secteurs": [secteur.pk]},
    )
    assert reponse.status_code == 302
    return bruno, page_de_bruno, secteur


def test_stale_save_is_refused_and_the_first_edit_stays(structure, pages):
    bruno, page_de_bruno, secteur = pages
    versions = Structure.history.count()

    reponse = bruno.post(_url(structure), {**page_de_bruno, "telephone": "02 99 00 00 00"})

    assert reponse.status_code == 409
    structure.refresh_from_db()
    assert structure.description == "Celle d'Alice."
    assert list(structure.secteurs.all()) == [secteur]
    assert structure.telephone == ""
    assert Structure.history.count() == versions


def test_conflict_page_lists_each_field_with_who_changed_it(structure, pages):
    bruno, page_de_bruno, secteur = pages

    reponse = bruno.post(_url(structure), {**page_de_bruno, "telephone": "02 99 00 00 00"})

    html = reponse.content.decode()
    assert 'role="alert" tabindex="-1" autofocus' in html
    assert "Alice Le Goff a modifié cette fiche" in html
    lignes = {ligne.nom: ligne for ligne in reponse.context["conflit"].lignes}
    assert set(lignes) == {"description", "secteurs", "telephone"}
    assert lignes["secteurs"].modifie_par_autre
    assert lignes["secteurs"].enregistree == secteur.nom
    assert lignes["secteurs"].saisie == "(vide)"
    assert lignes["telephone"].modifie_par_vous and not lignes["telephone"].modifie_par_autre
    formulaire = reponse.context["form"]
    assert formulaire["telephone"].value() == "02 99 00 00 00"
    assert "Modifié entre-temps par Alice Le Goff" in formulaire["description"].help_text


def test_merged_form_sent_again_saves_both_edits(structure, pages):
    bruno, page_de_bruno, secteur = pages
    conflit = bruno.post(_url(structure), {**page_de_bruno, "telephone": "02 99 00 00 00"})
    fusion = donnees_postees(conflit.context["form"])

    reponse = bruno.post(
        _url(structure), {**fusion, "description": "Celle d'Alice.", "secteurs": [secteur.pk]}
    )

    assert reponse.status_code == 302
    structure.refresh_from_db()
    assert (structure.description, structure.telephone) == ("Celle d'Alice.", "02 99 00 00 00")
    assert list(structure.secteurs.all()) == [secteur]


def test_a_logo_chosen_on_the_stale_page_is_asked_for_again(structure, pages):
    bruno, page_de_bruno, _ = pages

    with LOGO.open("rb") as logo:
        reponse = bruno.post(_url(structure), {**page_de_bruno, "logo": logo})

    assert reponse.status_code == 409
    assert reponse.context["conflit"].fichiers == ["Logo"]
    assert "Logo : le fichier choisi n'a pas été enregistré" in reponse.content.decode()
    structure.refresh_from_db()
    assert not structure.logo
