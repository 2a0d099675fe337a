"""Who may do what on a commune. Every view asks these functions, never the models.

A non-member must not learn that a private page exists (404); a member whose
role is too low is told so (403). Platform staff may read every commune's
member pages, for support and moderation, but change nothing there.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .enums import Role
from .models import Commune, MembreCommune

RANG = {Role.LECTEUR: 1, Role.EDITEUR: 2, Role.ADMIN: 3}


def role_de(user, commune):
    """The user's role in the commune, or None. Cached on the user for the request."""
    if not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_roles_communes", {})
    if commune.pk not in cache:
        cache[commune.pk] = (
            MembreCommune.objects.filter(user=user, commune=commune)
            .values_list("role", flat=True)
            .first()
        )
    return cache[commune.pk]


def _au_moins(user, commune, role):
    actuel = role_de(user, commune)
    return actuel is not None and RANG[actuel] >= RANG[role]


def can_view_private_commune(user, commune):
    """Members of any role, and platform staff."""
    return user.is_authenticated and (user.is_staff or role_de(user, commune) is not None)


def can_edit_engagements(user, commune):
    """Éditeurs and admins: engagements, evidence, milestones, CSV import."""
    return _au_moins(user, commune, Role.EDITEUR)


def can_manage_members(user, commune):
    """Admins only: invitations, roles, removals."""
    return _au_moins(user, commune, Role.ADMIN)


def can_sign_referentiel(user, commune):
    """Admins only: the signature commits the commune."""
    return _au_moins(user, commune, Role.ADMIN)


def can_edit_referent(user, commune):
    """Admins only."""
    return _au_moins(user, commune, Role.ADMIN)


def can_request_report(user, commune):
    """Éditeurs and admins."""
    return _au_moins(user, commune, Role.EDITEUR)


def commune_pour(user, code_insee, permission=None):
    """The commune of a member page: 404 to whoever may not see it, 403 when the
    user may see it but `permission(user, commune)` refuses the change."""
    commune = get_object_or_404(
        Commune.objects.select_related("departement__region"), code_insee=code_insee
    )
    if not can_view_private_commune(user, commune):
        raise Http404("Commune introuvable.")
    if permission is not None and not permission(user, commune):
        raise PermissionDenied("Votre rôle dans cette commune ne permet pas cette action.")
    return commune


def can_publish_report(user, commune):
    """Admins only: publishing puts the report on the public scorecard."""
    return _au_moins(user, commune, Role.ADMIN)


def can_download_report(user, rapport):
    """Anyone once published; before that, members of the commune and staff."""
    return rapport.publie or can_view_private_commune(user, rapport.commune)
