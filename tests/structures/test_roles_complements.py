"""Role matrices the URLconf walk (tests/test_matrice_urls.py) found missing: refusing,
from the staff page, a claim on a structure without an administrator."""

import pytest
from django.urls import reverse

from commune.enums import StatutDemande
from structures.models import DemandeRattachement
from tests.comptes.factories import UserFactory
from tests.roles import verifier_reponse
from tests.structures.conftest import ROLES, photographie
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_refuse_from_the_staff_page(
    client, matrice_structure, role, django_capture_on_commit_callbacks
):
    orpheline = DemandeRattachement.objects.create(
        user=UserFactory(), structure=StructureFactory(verifiee=False)
    )
    avant = photographie()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = matrice_structure.connecter(client, role).post(
            reverse("espace:structures_espace:staff_refuser", args=[orpheline.pk])
        )
    attendu = {"anonyme": "connexion", "staff": "ok"}.get(role, 404)
    verifier_reponse(reponse, attendu)
    orpheline.refresh_from_db()
    if attendu == "ok":
        assert orpheline.statut == StatutDemande.REFUSEE
    else:
        assert orpheline.statut == StatutDemande.EN_ATTENTE
        assert photographie() == avant
