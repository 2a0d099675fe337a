"""The elected official's journey, in a real browser (issue 3's acceptance test)."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from axes.enums import Statut
from axes.models import Engagement, Referentiel
from axes.scoring import arrondi
from axes.selectors import scores_des_communes
from commune.models import Commune

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("donnees_de_reference")]

PDF = Path(__file__).resolve().parent.parent / "data" / "preuve.pdf"


def se_connecter(page, base, email):
    page.goto(base + "/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("demo-commune-engagee")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")


def score_affiche(commune):
    score = scores_des_communes([commune.pk], Referentiel.objects.guide())[commune.pk]
    return f"{arrondi(score.avancement):.1f}".replace(".", ",") + "\u00a0%"


def test_elected_official_invites_sets_progress_proves_an_action_and_sees_the_score(
    page, live_server, capture
):
    call_command("seed_demo", "--force", verbosity=0)
    rennes = Commune.objects.get(code_insee="35238")
    sans_preuve = (
        Engagement.objects.filter(commune=rennes, preuves__isnull=True)
        .exclude(statut__in=[Statut.REALISE, Statut.NON_CONCERNE])
        .select_related("action")
        .order_by("action__code")
    )
    en_cours, a_prouver = (e.action.code for e in sans_preuve[:2])
    base = live_server.url
    espace = f"{base}/espace/communes/35238"

    se_connecter(page, base, "elu@demo.test")

    # Invite a colleague.
    page.goto(espace + "/membres/")
    invitation = page.locator("form", has=page.get_by_role("button", name="Envoyer l'invitation"))
    invitation.get_by_label("Adresse e-mail").fill("nouvelle.collegue@rennes.test")
    invitation.get_by_label("Rôle").select_option(label="Éditeur")
    invitation.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text("nouvelle.collegue@rennes.test")
    assert [m.to for m in mail.outbox] == [["nouvelle.collegue@rennes.test"]]
    capture("invitation")

    # One action « en cours » at 40 %.
    page.goto(f"{espace}/actions/{en_cours}/")
    page.get_by_label("En cours", exact=True).check()
    page.get_by_label("Avancement (en %)").fill("40")
    page.get_by_role("button", name=f"Enregistrer l'action {en_cours}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Action {en_cours} enregistrée.")
    assert (
        Engagement.objects.get(
            commune=rennes, action__code=en_cours, action__referentiel__type="guide"
        ).avancement
        == 40
    )

    # Another one « réalisé » without evidence: refused, nothing saved.
    page.goto(f"{espace}/actions/{a_prouver}/")
    page.get_by_label("Réalisé", exact=True).check()
    page.get_by_role("button", name=f"Enregistrer l'action {a_prouver}").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Ajoutez au moins une preuve avant de déclarer l'action réalisée."
    )
    capture("refus-sans-preuve")
    engagement = Engagement.objects.get(
        commune=rennes, action__code=a_prouver, action__referentiel__type="guide"
    )
    assert engagement.statut != Statut.REALISE

    # Add a PDF as evidence, then « réalisé » goes through.
    page.goto(f"{espace}/actions/{a_prouver}/")
    page.get_by_label("Titre de la preuve (obligatoire)").fill("Délibération du conseil")
    page.get_by_label("Date du document (obligatoire)").fill("2026-10-15")
    page.get_by_label("Ou fichier").set_input_files(PDF)
    page.get_by_role("button", name="Ajouter la preuve").click()
    expect(page.get_by_role("status")).to_contain_text(f"Preuve ajoutée à l'action {a_prouver}.")
    page.get_by_label("Réalisé", exact=True).check()
    page.get_by_role("button", name=f"Enregistrer l'action {a_prouver}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Action {a_prouver} enregistrée.")
    engagement.refresh_from_db()
    assert engagement.statut == Statut.REALISE

    # The public scorecard shows the new score and the evidence.
    page.goto(f"{base}/communes/35238/")
    attendu = score_affiche(rennes)
    expect(page.get_by_role("progressbar", name="Avancement", exact=True)).to_have_attribute(
        "aria-valuetext", attendu
    )
    expect(page.get_by_role("link", name="Délibération du conseil")).to_be_visible()
    capture("scorecard")
    lien = page.get_by_role("link", name="Délibération du conseil").get_attribute("href")
    reponse = page.request.get(base + lien)
    assert reponse.status == 200
    assert reponse.headers["content-type"] == "application/pdf"
    assert re.match(rb"%PDF-", reponse.body())
