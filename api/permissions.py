"""How the API says no. The rules themselves are the apps' perms functions, the same the
web pages ask (commune.perms, structures.perms, marches.perms).

A resource the public may read (a commune, a published structure or contract) exists
for everyone: a write on it without the right gets 401 when anonymous, 403 otherwise.
A private resource (an unpublished contract or structure, a members-only piece of
evidence, a report not yet published) is not found (404) by whoever may not read it,
whether it exists or not, as on the web.
"""

from rest_framework import exceptions, permissions

from comptes.models import JetonAcces

REFUS_COMMUNE = "Votre rôle dans cette commune ne permet pas cette action."
REFUS_STRUCTURE = "Seuls les membres de cette structure peuvent modifier sa fiche."
REFUS_MARCHE = "Votre rôle ne permet pas de modifier ce marché."
REFUS_PORTEE = (
    "Ce jeton d'accès ne permet que la lecture : créez un jeton « Lecture et écriture » "
    "pour modifier."
)
REFUS_SUIVI = "Seuls la commune acheteuse et les titulaires du marché saisissent le suivi."


def exiger(request, autorise, message):
    """Refuses the request unless `autorise`: 401 to an anonymous client, 403 to others."""
    if autorise:
        return
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    raise exceptions.PermissionDenied(message)


def introuvable(quoi="Ressource"):
    return exceptions.NotFound(f"{quoi} introuvable.")


class PorteeDuJeton(permissions.BasePermission):
    """A read-only token reads, whatever its holder's rights: every write through it gets
    403. (Sessions and write tokens go on to the views' own rules.)"""

    message = REFUS_PORTEE

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return not (isinstance(request.auth, JetonAcces) and not request.auth.ecriture)
