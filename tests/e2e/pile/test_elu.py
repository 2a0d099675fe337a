"""The elected official on the real stack: commitments with evidence, then a PDF report."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from axes.models import Engagement
from commune.models import Commune

pytestmark = pytest.mark.slow

PDF = Path(__file__).resolve().parents[2] / "data" / "preuve.pdf"


def se_connecter(page, base, email):
    page.goto(base + "/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("demo-commune-engagee")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")


def test_elected_official_proves_an_action_and_downloads_the_report(page, pile, capture):
    rennes = Commune.objects.get(code_insee="35238")
    code = (
        Engagement.objects.filter(commune=rennes, preuves__isnull=True, statut="engagé")
        .order_by("action__code")
        .values_list("action__code", flat=True)
        .first()
    )
    se_connecter(page, pile, "elu@demo.test")
    page.goto(f"{pile}/espace/communes/35238/actions/{code}/")
    page.get_by_label("Titre de la preuve (obligatoire)").fill("Compte rendu du conseil")
    page.get_by_label("Date du document (obligatoire)").fill("2026-11-02")
    page.get_by_label("Ou fichier").set_input_files(PDF)
    page.get_by_role("button", name="Ajouter la preuve").click()
    expect(page.get_by_role("status")).to_contain_text(f"Preuve ajoutée à l'action {code}.")
    page.get_by_label("Réalisé", exact=True).check()
    page.get_by_role("button", name=f"Enregistrer l'action {code}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Action {code} enregistrée.")

    page.goto(f"{pile}/espace/communes/35238/rapports/")
    page.get_by_role("button", name="Demander un nouveau rapport").click()
    lien = page.get_by_role("link", name="Télécharger le rapport (PDF)")
    expect(lien).to_be_visible(timeout=120_000)
    capture("rapport-pret")
    with page.expect_download() as attente:
        lien.click()
    texte = "\n".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(Path(attente.value.path()).read_bytes())).pages
    )
    assert "Rennes" in texte
    assert "Compte rendu du conseil" in texte
