"""Personal access tokens: `Authorization: Bearer <jeton>` (or `Token <jeton>`).

The token is looked up by its SHA-256 digest, the only thing stored. A revoked or expired
token, a token of a deactivated account or an unknown one are refused alike (401). What a
valid token may do (its scope) is api.permissions.PorteeDuJeton's business. The date of
last use is written at most once a minute, so a busy script does not write on every
request.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from comptes.models import JetonAcces

MOTS_CLES = ("bearer", "token")
INTERVALLE_DERNIERE_UTILISATION = datetime.timedelta(minutes=1)

JETON_MAL_FORME = (
    "En-tête Authorization mal formé : envoyez « Authorization: Bearer <jeton> », le jeton "
    "d'un seul tenant, sans espace."
)
JETON_REFUSE = (
    "Jeton d'accès inconnu, révoqué ou expiré. Créez-en un nouveau sur la page « Mon compte », "
    "rubrique « Jetons d'accès »."
)


class JetonAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        morceaux = authentication.get_authorization_header(request).split()
        if not morceaux or morceaux[0].lower().decode("latin-1") not in MOTS_CLES:
            return None
        if len(morceaux) != 2:
            raise exceptions.AuthenticationFailed(JETON_MAL_FORME)
        try:
            jeton = morceaux[1].decode("ascii")
        except UnicodeDecodeError as erreur:
            raise exceptions.AuthenticationFailed(JETON_MAL_FORME) from erreur
        ligne = (
            JetonAcces.objects.actifs()
            .select_related("user")
            .filter(empreinte=JetonAcces.empreinte_de(jeton), user__is_active=True)
            .first()
        )
        if ligne is None:
            raise exceptions.AuthenticationFailed(JETON_REFUSE)
        self._noter_utilisation(ligne)
        return ligne.user, ligne

    def _noter_utilisation(self, ligne):
        maintenant = timezone.now()
        seuil = maintenant - INTERVALLE_DERNIERE_UTILISATION
        if ligne.last_used_at is not None and ligne.last_used_at > seuil:
            return
        # Conditional: of two requests at the same moment, one writes.
        JetonAcces.objects.filter(pk=ligne.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=seuil)
        ).update(last_used_at=maintenant)
        ligne.last_used_at = maintenant

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class JetonAuthenticationSchema(OpenApiAuthenticationExtension):
    target_class = JetonAuthentication
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Jeton d'accès personnel, créé sur la page « Mon compte » → « Jetons d'accès ». "
                "Envoyez « Authorization: Bearer <jeton> » (« Token <jeton> » est aussi "
                "accepté). Le jeton agit avec les droits de son titulaire."
            ),
        }
