"""A contract stored incomplete (a DECP record without an amount, a duration, a
procedure or a CPV code) shows everywhere as such: no page, file or API answer breaks."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from commune.enums import Role
from marches.models import Marche
from tests.commune.factories import MembreCommuneFactory
from tests.marches.factories import MarcheFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incomplet(guide):
    marche = MarcheFactory(objet="Marché sans montant")
    Marche.objects.filter(pk=marche.pk).update(
        montant=None,
        duree_mois=None,
        procedure="",
        code_cpv="",
        incomplet=True,
        manques="montant, durée, procédure, code CPV",
    )
    marche.refresh_from_db()
    return marche


def test_public_pages_and_files_show_an_incomplete_contract(client, incomplet):
    commune = incomplet.commune
    for url in (
        commune.get_absolute_url(),
        f"/communes/{commune.code_insee}/marches/",
        reverse("commune:donnees_marches_csv"),
        reverse("commune:donnees_marches_json"),
    ):
        reponse = client.get(url)
        assert reponse.status_code == 200, url
        contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
        if url.endswith("/marches/"):
            assert "Marché sans montant" in contenu.decode(), url


def test_the_api_gives_its_unknown_amount_and_duration_as_null(incomplet):
    reponse = APIClient().get("/api/v1/marches/")
    assert reponse.status_code == 200
    (marche,) = reponse.json()["results"]
    assert (marche["montant"], marche["duree_mois"], marche["incomplet"]) == (None, None, True)
    assert marche["manques"] == "montant, durée, procédure, code CPV"


def test_members_pages_show_an_incomplete_contract_and_what_it_lacks(client, incomplet):
    membre = MembreCommuneFactory(commune=incomplet.commune, role=Role.EDITEUR)
    client.force_login(membre.user)
    code = incomplet.commune.code_insee
    for url in (
        reverse("espace:marches:liste", args=[code]),
        reverse("espace:marches:detail", args=[code, incomplet.pk]),
        reverse("espace:marches:modifier", args=[code, incomplet.pk]),
    ):
        reponse = client.get(url)
        assert reponse.status_code == 200, url
        assert "Marché sans montant" in reponse.content.decode(), url
