"""Every error of the API as JSON, in French, naming the field at fault.

DRF already answers its own exceptions (translated, LANGUAGE_CODE is "fr"), Http404 and
PermissionDenied. This adds what the services of the apps raise, Django's
ValidationError, in DRF's shape ({"champ": ["message"]}, or {"detail": ...} for an
error about the whole request), and French words for the few messages DRF words itself
(an unreadable JSON body, a throttled client).
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler

from .throttling import message_ralenti

JSON_ILLISIBLE = (
    "Le corps de la requête n'est pas du JSON valide : envoyez un objet JSON, avec "
    "l'en-tête « Content-Type: application/json »."
)


def erreurs_de_validation(erreur):
    """A Django ValidationError as DRF's `detail`: {field: [messages]} or [messages]."""
    if hasattr(erreur, "error_dict"):
        detail = {}
        for champ, erreurs in erreur.message_dict.items():
            cle = "non_field_errors" if champ == NON_FIELD_ERRORS else champ
            detail[cle] = list(erreurs)
        return detail
    return {"non_field_errors": list(erreur.messages)}


def gestionnaire_exceptions(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(erreurs_de_validation(exc))
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(JSON_ILLISIBLE)
    elif isinstance(exc, exceptions.Throttled):
        # Built without `wait`, which would append DRF's own sentence; Retry-After stays.
        attente = exc.wait
        exc = exceptions.Throttled(detail=message_ralenti(attente))
        exc.wait = attente
    return exception_handler(exc, context)
