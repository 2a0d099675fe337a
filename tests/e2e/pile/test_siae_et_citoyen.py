"""The SIAE staff and the citizen on the real stack (gunicorn + Celery worker)."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from commune.enums import StatutRapport
from commune.models import Commune
from commune.services import rapport_publier, rapports_demander
from structures.models import MembreStructure

pytestmark = pytest.mark.slow

VILAINE_EMPLOI = "93500002600010"  # a demo structure that has no administrator yet


def se_connecter(page, base, email, mot_de_passe="demo-commune-engagee"):
    page.goto(base + "/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")


def test_siae_staff_claim_their_structure_then_edit_its_profile(page, pile, capture):
    get_user_model().objects.create_user(
        email="directrice@vilaine-emploi.test",
        password="mot-de-passe-solide-2026",
        first_name="Maëlle",
        last_name="Rouxel",
    )
    se_connecter(page, pile, "directrice@vilaine-emploi.test", "mot-de-passe-solide-2026")
    page.goto(pile + "/espace/structures/")
    page.get_by_label("SIRET ou nom de la structure").fill(VILAINE_EMPLOI)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=re.compile("Demander le rattachement")).click()
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("status").first).to_be_visible()
    capture("demande-envoyee")

    # The structure has no administrator: platform staff decide.
    equipe = page.context.browser.new_context(locale="fr-FR")
    staff = equipe.new_page()
    se_connecter(staff, pile, "staff@demo.test")
    staff.goto(pile + "/espace/structures/demandes/")
    staff.get_by_role("button", name=re.compile("Accepter la demande de Maëlle Rouxel")).click()
    expect(staff.get_by_role("status").first).to_be_visible()
    equipe.close()
    assert MembreStructure.objects.filter(
        user__email="directrice@vilaine-emploi.test", structure__siret=VILAINE_EMPLOI
    ).exists()

    page.goto(f"{pile}/espace/structures/{VILAINE_EMPLOI}/profil/")
    description = "Association intermédiaire : missions de ménage et de jardinage à Rennes."
    page.get_by_label("Description (facultatif)").fill(description)
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_role("status")).to_contain_text("Fiche enregistrée.")
    page.goto(f"{pile}/structures/{VILAINE_EMPLOI}/")
    expect(page.get_by_text(description)).to_be_visible()
    capture("fiche-publique")


def attendre_rapport_pret(commune, delai=120):
    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        rapport = commune.rapports.order_by("-created_at").first()
        if rapport.statut in (StatutRapport.PRET, StatutRapport.ECHEC):
            return rapport
        time.sleep(0.5)
    raise AssertionError("le worker n'a pas construit le rapport à temps")


def test_citizen_reads_the_scorecard_evidence_report_and_leaves_an_opinion(page, pile, capture):
    rennes = Commune.objects.get(code_insee="35238")
    rapports_demander(communes=[rennes], by=None)  # built by the worker process
    rapport = attendre_rapport_pret(rennes)
    assert rapport.statut == StatutRapport.PRET, rapport.erreur
    rapport_publier(rapport=rapport, publie=True)

    page.goto(pile + "/communes/")
    page.get_by_label("Département").select_option(label="Ille-et-Vilaine (35)")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status")).to_contain_text("communes trouvées")
    page.get_by_role("link", name="Rennes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rennes")
    expect(page.get_by_role("progressbar", name="Avancement de l'axe 1")).to_have_attribute(
        "aria-valuenow", re.compile(r"^\d+\.\d$")
    )
    capture("scorecard")

    # A piece of evidence (a public link of the demo data) is offered.
    preuve = page.get_by_role("link", name="Bilan 2025 des clauses sociales")
    expect(preuve).to_have_attribute("href", re.compile(r"^https://"))

    # The published report downloads as a PDF.
    with page.expect_download() as attente:
        page.get_by_role("link", name=re.compile("Dernier rapport d'avancement")).click()
    assert attente.value.suggested_filename.endswith(".pdf")

    # An opinion on action 1.1, held for moderation.
    page.get_by_role("link", name="Détail, historique et avis sur l'action 1.1").click()
    page.get_by_label("Votre avis (obligatoire)").fill(
        "Les clauses sociales se voient sur les chantiers."
    )
    page.get_by_label(re.compile("J'accepte que mon avis soit publié")).check()
    page.get_by_role("button", name="Envoyer mon avis").click()
    expect(page.get_by_role("status")).to_contain_text("sera publié après relecture")
    assert rennes.avis.filter(statut="en attente").count() == 1
