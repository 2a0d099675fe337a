"""structures/perms.py: who may do what, said once, with each rule documented."""

import inspect

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from structures import perms
from tests.structures.conftest import SIRET
from tests.structures.factories import MembreStructureFactory

pytestmark = pytest.mark.django_db


def test_every_rule_says_who_may():
    regles = [
        f for nom, f in inspect.getmembers(perms, inspect.isfunction) if nom.startswith("can_")
    ]
    assert len(regles) == 4
    for regle in regles:
        assert regle.__doc__ and regle.__doc__.strip(), regle.__name__


@pytest.mark.parametrize(
    ("role", "voir", "modifier", "gerer"),
    [
        ("exterieur", False, False, False),
        ("membre_autre_structure", False, False, False),
        ("membre", True, True, False),
        ("admin", True, True, True),
        ("staff", True, False, False),
    ],
)
def test_the_rules_by_role(matrice_structure, role, voir, modifier, gerer):
    user, structure = matrice_structure.users[role], matrice_structure.structure
    assert perms.can_view_private_structure(user, structure) is voir
    assert perms.can_edit_profile(user, structure) is modifier
    assert perms.can_manage_members(user, structure) is gerer


def test_anonymous_may_do_nothing(matrice_structure):
    anonyme, structure = AnonymousUser(), matrice_structure.structure
    assert not perms.can_view_private_structure(anonyme, structure)
    with pytest.raises(Http404):
        perms.structure_pour(anonyme, SIRET)


def test_structure_pour_hides_from_outsiders_and_refuses_a_role_too_low(matrice_structure):
    with pytest.raises(Http404):
        perms.structure_pour(matrice_structure.users["exterieur"], SIRET)
    with pytest.raises(PermissionDenied):
        perms.structure_pour(matrice_structure.users["membre"], SIRET, perms.can_manage_members)
    with pytest.raises(PermissionDenied):
        perms.structure_pour(matrice_structure.users["staff"], SIRET, perms.can_edit_profile)
    assert perms.structure_pour(matrice_structure.users["staff"], SIRET) == (
        matrice_structure.structure
    )


def test_staff_decide_claims_only_while_a_structure_has_no_admin(matrice_structure):
    staff = matrice_structure.users["staff"]
    assert not perms.can_decide_claims(staff, matrice_structure.structure)
    assert perms.can_decide_claims(matrice_structure.users["admin"], matrice_structure.structure)
    sans_admin = MembreStructureFactory(est_admin=False).structure
    assert perms.can_decide_claims(staff, sans_admin)
    assert not perms.can_decide_claims(matrice_structure.users["membre"], sans_admin)
