"""Who may do what on a commune's contracts. Every view asks these functions.

The commune's rules apply (see commune.perms): members of any role and platform
staff read, éditeurs and admins change, a non-member gets 404 and a member
whose role is too low 403. One more group comes in on the follow-up of social
clauses: the staff of a structure that holds the contract (a `Titulaire`
linked to that `Structure`) read the contract and report the insertion hours
done under its clauses, without becoming members of the commune.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from commune import perms as perms_commune
from structures.models import MembreStructure

from .models import Marche


def can_view_marches(user, commune):
    """Members of the commune, of any role, and platform staff."""
    return perms_commune.can_view_private_commune(user, commune)


def can_edit_marches(user, commune):
    """Éditeurs and admins of the commune: contracts, their holders and publication."""
    return perms_commune.can_edit_engagements(user, commune)


def can_export_marches(user, commune):
    """Whoever reads the member pages; unpublished contracts are in the member export."""
    return can_view_marches(user, commune)


def is_staff_of_holder(user, marche):
    """Whether the user is a member (admin or not) of a structure holding the contract.

    Cached on the user for the request, like the commune roles.
    """
    if not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_titulaire_de", {})
    if marche.pk not in cache:
        cache[marche.pk] = MembreStructure.objects.filter(
            user=user, structure__marches_tenus__marche=marche
        ).exists()
    return cache[marche.pk]


def can_view_marche(user, marche):
    """Members of the buying commune and platform staff; the staff of a holder structure."""
    if marche.commune_id is not None and can_view_marches(user, marche.commune):
        return True
    return is_staff_of_holder(user, marche)


def can_edit_marche(user, marche):
    """Éditeurs and admins of the buying commune (a contract of an EPCI has no member page)."""
    return marche.commune_id is not None and can_edit_marches(user, marche.commune)


def can_edit_clauses(user, marche):
    """Éditeurs and admins of the buying commune: the clause is part of the contract the
    commune wrote (legal basis, planned hours, facilitator). Holders report on it."""
    return can_edit_marche(user, marche)


def can_edit_suivis(user, marche):
    """Éditeurs and admins of the buying commune, and the staff of a holder structure:
    the hours done, people hired and contracts signed, period by period."""
    return can_edit_clauses(user, marche) or is_staff_of_holder(user, marche)


def can_import_decp(user):
    """Platform staff only: a DECP file touches every commune's contracts."""
    return user.is_authenticated and user.is_active and user.is_staff


def marche_pour(user, code_insee, pk, permission=None):
    """The contract of a member page: 404 to whoever may not see it (whether it exists or
    not), 403 when the user may see it but `permission(user, marche)` refuses."""
    marche = get_object_or_404(
        Marche.objects.select_related("commune__departement__region", "epci"),
        pk=pk,
        commune__code_insee=code_insee,
    )
    if not can_view_marche(user, marche):
        raise Http404("Marché introuvable.")
    if permission is not None and not permission(user, marche):
        raise PermissionDenied("Votre rôle ne permet pas de modifier ce marché.")
    return marche
