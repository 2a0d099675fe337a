"""Role matrices the URLconf walk (tests/test_matrice_urls.py) found missing: leaving a
commune, publishing a report."""

import pytest
from django.urls import reverse

from axes.models import Referentiel
from commune.enums import StatutRapport
from commune.models import MembreCommune, Rapport
from tests.roles import ATTENDU_ADMINISTRATION, ROLES, verifier_reponse

pytestmark = pytest.mark.django_db

# Any member may leave; staff are no member, so there is nothing for them to leave.
ATTENDU_QUITTER = {
    "anonyme": "connexion",
    "exterieur": 404,
    "membre_autre_commune": 404,
    "lecteur": "ok",
    "editeur": "ok",
    "admin": 200,  # the only admin: the page says to name another admin first
    "staff": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_leaving_the_commune_role_matrix(client, matrice, role):
    membres_avant = set(MembreCommune.objects.values_list("pk", flat=True))
    reponse = matrice.connecter(client, role).post(
        reverse("espace:membres:quitter", args=[matrice.commune.code_insee])
    )
    verifier_reponse(reponse, ATTENDU_QUITTER[role])
    partis = membres_avant - set(MembreCommune.objects.values_list("pk", flat=True))
    if role in ("lecteur", "editeur"):
        assert reponse.status_code == 302
        assert not MembreCommune.objects.filter(
            commune=matrice.commune, user=matrice.users[role]
        ).exists()
        assert len(partis) == 1
    else:
        assert partis == set()


@pytest.mark.parametrize("role", ROLES)
def test_publishing_a_report_role_matrix(client, matrice, role, guide):
    rapport = Rapport.objects.create(
        commune=matrice.commune,
        referentiel=Referentiel.objects.guide(),
        statut=StatutRapport.PRET,
    )
    reponse = matrice.connecter(client, role).post(
        reverse("espace:rapports:publier", args=[matrice.commune.code_insee, rapport.pk]),
        {"publie": "oui"},
    )
    verifier_reponse(reponse, ATTENDU_ADMINISTRATION[role])
    rapport.refresh_from_db()
    assert rapport.publie == (ATTENDU_ADMINISTRATION[role] == "ok")
