"""The SIAE staff's journey, in a real browser (issue 4's acceptance test)."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from commune.models import Commune, Departement
from structures.models import MembreStructure, Secteur, Structure

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]

LOGO = Path(__file__).resolve().parent.parent / "data" / "logo.png"
MOT_DE_PASSE = "demo-commune-engagee"
JARDINS = "93500001800017"  # Jardins solidaires de la Vilaine, administered by siae@demo.test
AUTRE_STRUCTURE = "93500002600010"  # Vilaine Emploi Services


def se_connecter(page, base, email):
    page.goto(base + "/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")


def test_siae_staff_edit_their_profile_and_the_public_page_shows_it(page, live_server, capture):
    call_command("seed_demo", "--force", verbosity=0)
    # A commune outside Rennes Métropole, which the structure does not serve yet.
    guichen = Commune.objects.create(
        code_insee="35126", nom="Guichen", departement=Departement.objects.get(code="35")
    )
    base = live_server.url

    se_connecter(page, base, "siae@demo.test")
    page.get_by_role("link", name="Modifier la fiche de Jardins solidaires de la Vilaine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Modifier la fiche de Jardins solidaires de la Vilaine"
    )
    completion_avant = int(
        page.get_by_role("progressbar", name="Fiche complétée").get_attribute("aria-valuenow")
    )
    capture("editeur")

    description = (
        "Chantier d'insertion en maraîchage biologique et entretien des espaces verts "
        "des communes du sud de Rennes."
    )
    page.get_by_label("Description (facultatif)").fill(description)
    page.get_by_label("Entretien des espaces verts", exact=True).check()
    page.get_by_label("Communes d'intervention (codes INSEE)").fill("35126")
    page.get_by_label("Logo (facultatif)").set_input_files(LOGO)
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("status")).to_contain_text("Fiche enregistrée.")
    completion_apres = int(
        page.get_by_role("progressbar", name="Fiche complétée").get_attribute("aria-valuenow")
    )
    capture("enregistree")
    # The logo was missing from the profile.
    assert completion_apres > completion_avant

    structure = Structure.objects.get(siret=JARDINS)
    assert structure.description == description
    assert Secteur.objects.get(slug="entretien-espaces-verts") in structure.secteurs.all()
    assert list(structure.zones_communes.all()) == [guichen]
    assert structure.logo.name.startswith("logos/")
    derniere = structure.history.latest()
    assert derniere.history_user.email == "siae@demo.test"

    # The public page, for anyone.
    page.goto(f"{base}/structures/{JARDINS}/")
    expect(page.get_by_text(description)).to_be_visible()
    expect(page.get_by_text("Entretien des espaces verts", exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="Guichen", exact=True)).to_be_visible()
    logo = page.get_by_role("img", name="Logo de Jardins solidaires de la Vilaine")
    expect(logo).to_be_visible()
    largeur = logo.evaluate("image => image.complete ? image.naturalWidth : 0")
    assert largeur == 400
    capture("page-publique")

    # The directory finds it among the structures serving Guichen.
    page.goto(f"{base}/structures/")
    page.get_by_label("Commune desservie (code INSEE ou nom)").fill("Guichen (35)")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"\d+ structures? trouvées?"))
    expect(
        page.get_by_role("link", name="Jardins solidaires de la Vilaine", exact=True)
    ).to_be_visible()
    capture("annuaire")


def test_a_member_of_another_structure_gets_404_on_the_editor(page, live_server):
    call_command("seed_demo", "--force", verbosity=0)
    autre = get_user_model().objects.create_user(
        email="autre-siae@demo.test", password=MOT_DE_PASSE, first_name="Alan", last_name="Le Du"
    )
    MembreStructure.objects.create(
        user=autre, structure=Structure.objects.get(siret=AUTRE_STRUCTURE), est_admin=True
    )
    base = live_server.url
    se_connecter(page, base, "autre-siae@demo.test")
    expect(page.get_by_role("link", name="Vilaine Emploi Services", exact=True)).to_be_visible()

    # Through the browser's own session, without rendering an error page in the tab.
    editeur = page.request.get(f"{base}/espace/structures/{JARDINS}/profil/")
    assert editeur.status == 404
    propre = page.request.get(f"{base}/espace/structures/{AUTRE_STRUCTURE}/profil/")
    assert propre.status == 200
    envoi = page.request.post(
        f"{base}/espace/structures/{JARDINS}/profil/",
        form={"description": "Piratée"},
        headers={"Referer": base + "/"},
    )
    assert envoi.status in (403, 404)
    assert "Piratée" not in Structure.objects.get(siret=JARDINS).description
