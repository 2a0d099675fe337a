"""What the OpenAPI document says of errors, in French, for every endpoint."""

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes

from .serializers import ErreurSerializer, ErreurValidationSerializer

ERREURS = {
    400: OpenApiResponse(
        ErreurValidationSerializer,
        description="Données refusées : chaque champ en faute est nommé, avec ce qui ne va "
        "pas (« non_field_errors » pour une erreur d'ensemble, « detail » pour un corps "
        "JSON illisible).",
    ),
    401: OpenApiResponse(
        ErreurSerializer,
        description="Authentification requise, ou jeton inconnu ou révoqué : envoyez "
        "« Authorization: Bearer <jeton> ».",
    ),
    403: OpenApiResponse(
        ErreurSerializer,
        description="Votre compte n'a pas le droit de faire cette modification (rôle trop "
        "faible, ou pas membre).",
    ),
    404: OpenApiResponse(
        ErreurSerializer,
        description="Introuvable : la ressource n'existe pas, ou elle est privée et vous n'en "
        "êtes pas membre.",
    ),
    429: OpenApiResponse(
        ErreurSerializer,
        description="Trop de requêtes : attendez le nombre de secondes de l'en-tête "
        "Retry-After (60 requêtes par minute sans jeton, davantage avec).",
    ),
}


def reponses(succes, *codes):
    """{status: response} for a success and the errors `codes`; 401 and 429 always: a
    token that is malformed, unknown or revoked is refused even where none is needed."""
    resultat = dict(succes)
    for code in sorted({*codes, 401, 429}):
        resultat[code] = ERREURS[code]
    return resultat


LECTURE = (400, 404)
LECTURE_SEULE = (404,)
ECRITURE = (400, 401, 403, 404)
SUPPRESSION = (400, 401, 403, 404)


def chemin(nom, description, type_=OpenApiTypes.STR):
    return OpenApiParameter(nom, type_, OpenApiParameter.PATH, description=description)


INSEE = chemin("code_insee", "Code INSEE de la commune (5 caractères), par exemple 35238.")
CODE_ACTION = chemin("code", "Code de l'action du guide, par exemple 1.2.")
SIRET = chemin("siret", "SIRET de la structure (14 chiffres).")
PK_MARCHE = chemin("pk", "Identifiant du marché dans l'API.", OpenApiTypes.INT)
PK_CLAUSE = chemin("clause", "Identifiant de la clause sociale.", OpenApiTypes.INT)
PK_SUIVI = chemin("suivi", "Identifiant de la période de suivi.", OpenApiTypes.INT)
PK_PREUVE = chemin("pk", "Identifiant de la preuve.", OpenApiTypes.INT)
PK_JALON = chemin("pk", "Identifiant du jalon.", OpenApiTypes.INT)
PK_SOUTIEN = chemin("pk", "Identifiant du soutien.", OpenApiTypes.INT)
PK_RAPPORT = chemin("pk", "Identifiant du rapport.", OpenApiTypes.INT)
PK_REFERENTIEL = chemin("pk", "Identifiant du référentiel.", OpenApiTypes.INT)


# What the serializers refuse and the document should say, so that a client (and
# schemathesis) knows it before sending.


class TexteNonVide(OpenApiSerializerFieldExtension):
    """A text that may not be blank has a character other than spaces: DRF trims the
    spaces and then finds it empty."""

    target_class = "rest_framework.fields.CharField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request" and not self.target.allow_blank and "pattern" not in schema:
            schema["pattern"] = r"\S"
        return schema


class AuMoinsUnChamp(OpenApiSerializerExtension):
    """A change that names no field is refused (« Aucun champ à modifier »)."""

    target_class = "api.serializers.EngagementModificationSerializer"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["minProperties"] = 1
        return schema


class AuMoinsUnChampDeLaFiche(AuMoinsUnChamp):
    target_class = "api.serializers.StructureModificationSerializer"
