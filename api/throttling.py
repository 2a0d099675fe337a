"""Request rates: anonymous clients are counted per address, signed-in ones per account.

The rates are read at each request from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
(settings API_DEBIT_ANONYME and API_DEBIT_UTILISATEUR), so they can be changed without
touching the classes.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _DebitLuAChaqueRequete:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymeThrottle(_DebitLuAChaqueRequete, AnonRateThrottle):
    pass


class UtilisateurThrottle(_DebitLuAChaqueRequete, UserRateThrottle):
    pass


def message_ralenti(attente):
    if attente is None:
        return "Trop de requêtes : réessayez dans quelques instants."
    secondes = max(1, round(attente))
    return (
        f"Trop de requêtes : réessayez dans {secondes} seconde{'s' if secondes > 1 else ''}. "
        "Un jeton d'accès donne un débit plus élevé que les requêtes anonymes."
    )
