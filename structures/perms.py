"""Who may do what on a structure. Every view asks these functions, never the models.

A structure has members, some of them administrators. As for communes, a non-member
must not learn that a private page exists (404) and a member without the right is
told so (403). Platform staff may read every structure's member pages, for support
and verification, but change nothing there.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import MembreStructure, Structure

# The membership cache on the user: {structure pk: est_admin, or None for a non-member}.
_CACHE = "_adhesions_structures"


def adhesion(user, structure):
    """None for a non-member, else whether the user is an admin of the structure.
    Cached on the user for the request."""
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault(_CACHE, {})
    if structure.pk not in cache:
        cache[structure.pk] = (
            MembreStructure.objects.filter(user=user, structure=structure)
            .values_list("est_admin", flat=True)
            .first()
        )
    return cache[structure.pk]


def oublier_adhesions(user):
    """Forgets the cached memberships, after a change of the user's own rights."""
    user.__dict__.pop(_CACHE, None)


def est_membre(user, structure):
    return adhesion(user, structure) is not None


def est_admin(user, structure):
    return adhesion(user, structure) is True


def can_view_private_structure(user, structure):
    """Members, admins or not, and platform staff: the member dashboard and the
    members page; also the preview of a public page not yet visible to the public."""
    return user.is_authenticated and (user.is_staff or est_membre(user, structure))


def can_edit_profile(user, structure):
    """Every member of the structure, admin or not: the profile and its logo."""
    return est_membre(user, structure)


def can_manage_members(user, structure):
    """Admins of the structure only: invitations, admin rights, removals."""
    return est_admin(user, structure)


def can_decide_claims(user, structure):
    """Admins of the structure decide on claims to join it. Platform staff decide
    instead, from their own page, only while the structure has no admin."""
    if est_admin(user, structure):
        return True
    return (
        user.is_authenticated
        and user.is_staff
        and not MembreStructure.objects.filter(structure=structure, est_admin=True).exists()
    )


def structure_pour(user, siret, permission=None):
    """The structure of a member page: 404 to whoever may not see it, 403 when the
    user may see it but `permission(user, structure)` refuses the change."""
    structure = get_object_or_404(
        Structure.objects.select_related("type", "commune__departement"), siret=siret
    )
    if not can_view_private_structure(user, structure):
        raise Http404("Structure introuvable.")
    if permission is not None and not permission(user, structure):
        raise PermissionDenied("Votre rôle dans cette structure ne permet pas cette action.")
    return structure
