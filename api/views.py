"""The REST API, /api/v1/. Thin: reads with a fixed number of queries whatever the data,
writes through the apps' services behind the apps' permission functions.

Every list is paginated and ordered on a unique key last, so pages never overlap.
"""

from types import SimpleNamespace

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Sum
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, generics, renderers, serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse as api_reverse
from rest_framework.views import APIView

from axes import services as services_axes
from axes.enums import Statut
from axes.models import Action, Axe, Engagement, Jalon, Preuve, Referentiel
from axes.scoring import calculer_score, statut_effectif
from axes.selectors import actions_du_referentiel, engagements_par_commune, entrees
from commune import cache, opendata
from commune import filters as filtres_communes
from commune import perms as perms_commune
from commune import rapports as rapports_commune
from commune.concurrence import ConflitDeVersion, etag, version_attendue
from commune.enums import StatutRapport
from commune.models import Commune, Rapport
from commune.views import avec_score_courant, derniere_modification
from marches import perms as perms_marches
from marches import services as services_marches
from marches.forms import MarcheForm, TitulaireForm
from marches.indicateurs import indicateurs_commune, indicateurs_par_annee
from marches.models import (
    ENVIRONNEMENTALES,
    SOCIALES,
    ClauseSociale,
    Marche,
    SuiviHeures,
    Titulaire,
)
from structures import perms as perms_structures
from structures import services as services_structures
from structures.forms import SoutienForm
from structures.models import Secteur, Soutien, Structure

from . import filters, schema
from . import serializers as s
from .permissions import (
    REFUS_COMMUNE,
    REFUS_MARCHE,
    REFUS_STRUCTURE,
    REFUS_SUIVI,
    exiger,
    introuvable,
)


def _ou_404(queryset, quoi, **filtres):
    objet = queryset.filter(**filtres).first()
    if objet is None:
        raise introuvable(quoi)
    return objet


def _guide():
    guide = Referentiel.objects.guide()
    if guide is None:
        raise exceptions.NotFound("Aucun référentiel actif.")
    return guide


def _commune(code_insee):
    # A merged commune's code is not found here; a GET on it is redirected to the commune
    # it merged into (commune.middleware.RedirectionCommuneMiddleware).
    return _ou_404(
        Commune.objects.actuelles().select_related("departement__region", "epci"),
        "Commune",
        code_insee=code_insee,
    )


def _absolue(request, nom, *args):
    return request.build_absolute_uri(reverse(nom, args=args))


class Liste(generics.GenericAPIView):
    """A paginated list whose rows are built from the page's objects in a few queries."""

    filter_backends = [filters.Filtres]

    def lignes(self, objets):
        return objets

    def donnees(self, objets):
        return self.get_serializer(self.lignes(objets), many=True).data

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.donnees(page))


# Root ------------------------------------------------------------------------------------


class Racine(APIView):
    @extend_schema(
        summary="Point d'entrée de l'API",
        description="Les adresses des listes de l'API et de sa documentation.",
        responses=schema.reponses(
            {200: OpenApiResponse(OpenApiTypes.OBJECT, description="Nom → adresse.")}
        ),
        tags=["API"],
    )
    def get(self, request):
        return Response(
            {
                "communes": api_reverse("api:communes", request=request),
                "referentiels": api_reverse("api:referentiels", request=request),
                "structures": api_reverse("api:structures", request=request),
                "marches": api_reverse("api:marches", request=request),
                "soutiens": api_reverse("api:soutiens", request=request),
                "schema": api_reverse("api:schema", request=request),
                "documentation": api_reverse("api:docs", request=request),
            }
        )


# Communes ----------------------------------------------------------------------------------


def _ligne_commune(request, commune, ligne, actions, numeros):
    """The open-data row of the commune (same names, same values), with axes and actions
    as lists rather than one column each, and links."""
    resultat = {
        nom: ligne[nom]
        for nom in (
            "code_insee",
            "commune",
            "siren",
            "code_departement",
            "departement",
            "code_region",
            "region",
            "population",
            "siren_epci",
            "signataire",
            "date_signature",
            "avancement",
            "taux_engagement",
            "derniere_mise_a_jour",
        )
    }
    resultat["axes"] = [
        {
            "numero": numero,
            "avancement": ligne[f"avancement_axe_{numero}"],
            "taux_engagement": ligne[f"taux_engagement_axe_{numero}"],
        }
        for numero in numeros
    ]
    resultat["actions"] = [
        {
            "code": action.code,
            "statut": ligne[f"statut_{action.code}"],
            "avancement": ligne[f"avancement_{action.code}"],
        }
        for action in actions
    ]
    resultat["url"] = _absolue(request, "api:commune", commune.code_insee)
    resultat["page"] = request.build_absolute_uri(commune.get_absolute_url())
    return resultat


def _communes(guide, *, score=False):
    """Communes with what the open-data row needs, and what the filters sort on
    (the score only when asked: it is a join on every commune)."""
    communes = opendata.communes_du_fichier(guide).annotate(maj=derniere_modification(guide))
    return avec_score_courant(communes, guide) if score else communes


@extend_schema_view(
    get=extend_schema(
        summary="Communes, avec leurs scores",
        description="Toutes les communes, par code INSEE, avec l'avancement et le taux "
        "d'engagement calculés comme sur le site et dans les données ouvertes (/donnees/) : "
        "mêmes champs, mêmes valeurs. Filtres de l'annuaire des communes.",
        responses=schema.reponses({200: s.CommuneSerializer(many=True)}, *schema.LECTURE),
        tags=["Communes"],
    )
)
class CommuneListe(Liste):
    serializer_class = s.CommuneSerializer
    filterset_class = filters.CommuneFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's visit
            return Commune.objects.none()
        self.guide = _guide()
        return _communes(
            self.guide, score=filtres_communes.demande_le_score(self.request.query_params)
        )

    def donnees(self, communes):
        """Each commune's row, serialised, is kept until the commune changes: a page of
        kept rows reads no engagement and serialises nothing."""
        par_pk = {commune.pk: commune for commune in communes}

        def calcul(ids):
            actions = actions_du_referentiel(self.guide)
            numeros = sorted({a.axe.numero for a in actions})
            engagements = engagements_par_commune(ids, self.guide)
            lignes = {}
            for pk in ids:
                ligne = opendata.ligne_commune(par_pk[pk], actions, numeros, engagements[pk])
                donnees = _ligne_commune(self.request, par_pk[pk], ligne, actions, numeros)
                lignes[pk] = self.get_serializer(donnees).data
            return lignes

        # The rows hold absolute links: they are kept per address of the site.
        site = f"{self.request.scheme}://{self.request.get_host()}"
        lignes = cache.memoiser_par_commune(f"api:{self.guide.pk}:{site}", par_pk, calcul)
        return [lignes[commune.pk] for commune in communes]


class CommuneDetail(APIView):
    @extend_schema(
        summary="Une commune : scores par axe et nombre d'actions par statut",
        parameters=[schema.INSEE],
        responses=schema.reponses({200: s.CommuneDetailSerializer}, *schema.LECTURE_SEULE),
        tags=["Communes"],
    )
    def get(self, request, code_insee):
        guide = _guide()
        commune = _ou_404(
            _communes(guide).select_related("elu_referent"), "Commune", code_insee=code_insee
        )
        actions = actions_du_referentiel(guide)
        numeros = sorted({a.axe.numero for a in actions})
        engagements = engagements_par_commune([commune.pk], guide)[commune.pk]
        ligne = opendata.ligne_commune(commune, actions, numeros, engagements)
        donnees = _ligne_commune(request, commune, ligne, actions, numeros)
        score = calculer_score(entrees(actions, engagements))
        titres = {a.axe.numero: a.axe.titre for a in actions}
        for axe in donnees["axes"]:
            score_axe = score.axe(axe["numero"])
            axe.update(
                titre=titres[axe["numero"]], exclu=score_axe.exclu, comptes=score_axe.comptes
            )
        referent = getattr(commune, "elu_referent", None)
        donnees.update(
            comptes=score.comptes,
            epci={
                "siren": commune.epci.siren,
                "nom": commune.epci.nom,
                "nature": commune.epci.nature,
            }
            if commune.epci
            else None,
            elu_referent={"nom": referent.nom, "mandat": referent.mandat, "depuis": referent.depuis}
            if referent
            else None,
            liens={
                nom: _absolue(request, f"api:{vue}", commune.code_insee)
                for nom, vue in (
                    ("engagements", "engagements"),
                    ("marches", "marches_commune"),
                    ("indicateurs_marches", "indicateurs_marches"),
                    ("soutiens", "soutiens_commune"),
                    ("rapports", "rapports"),
                )
            },
        )
        return Response(s.CommuneDetailSerializer(donnees).data)


# Referentials -------------------------------------------------------------------------------


def _referentiels():
    actions = Action.objects.select_related("axe").prefetch_related(
        Prefetch("correspondances", queryset=Action.objects.order_by("code", "pk"))
    )
    axes = Axe.objects.order_by("numero", "pk").prefetch_related(
        Prefetch("actions", queryset=actions.order_by("ordre", "code", "pk"))
    )
    return (
        Referentiel.objects.actifs()
        .prefetch_related(Prefetch("axes", queryset=axes))
        .order_by("type", "code", "-version", "pk")
    )


@extend_schema_view(
    get=extend_schema(
        summary="Référentiels, avec leurs axes et leurs actions",
        description="Le guide des engagements (5 axes, 15 actions) et les propositions de "
        "campagne, chacun avec ses axes et ses actions (code, poids, correspondances).",
        responses=schema.reponses({200: s.ReferentielSerializer(many=True)}, *schema.LECTURE),
        tags=["Référentiels"],
    )
)
class ReferentielListe(Liste):
    serializer_class = s.ReferentielSerializer
    filter_backends = []

    def get_queryset(self):
        return _referentiels()


@extend_schema_view(
    get=extend_schema(
        summary="Un référentiel",
        parameters=[schema.PK_REFERENTIEL],
        responses=schema.reponses({200: s.ReferentielSerializer}, *schema.LECTURE_SEULE),
        tags=["Référentiels"],
    )
)
class ReferentielDetail(generics.RetrieveAPIView):
    serializer_class = s.ReferentielSerializer

    def get_object(self):
        return _ou_404(_referentiels(), "Référentiel", pk=self.kwargs["pk"])


# Engagements ------------------------------------------------------------------------------


# Optimistic concurrency: a GET gives the version as an ETag; a PATCH that sends it back in
# If-Match is refused (412) when someone saved in between. Without If-Match, last one wins.

ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description='La version de la ressource, par exemple "v3" : à renvoyer dans If-Match '
    "pour la modifier sans écraser une modification faite entre-temps.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Facultatif : l'ETag lu par GET. Si la ressource a été modifiée depuis, rien "
    "n'est enregistré et la réponse est 412. Sans cet en-tête, la modification s'applique "
    "à la version courante.",
)
VERSION_PERIMEE = OpenApiResponse(
    s.ErreurSerializer,
    description="Version périmée : la ressource a été modifiée depuis la lecture dont l'ETag "
    "est dans If-Match ; rien n'a été enregistré. Relisez-la, reportez vos changements et "
    "renvoyez-les avec le nouvel ETag.",
)


class VersionPerimee(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "version_perimee"

    def __init__(self, version_actuelle):
        super().__init__(
            f"Rien n'a été enregistré : la ressource a été modifiée depuis votre lecture. "
            f"Sa version est désormais {etag(version_actuelle)} : relisez-la, reportez vos "
            "changements et renvoyez-les avec cet ETag dans l'en-tête If-Match."
        )


def _version_demandee(request, version_actuelle):
    """The version a PATCH is based on, from its If-Match (None without one); the service
    compares it again under lock. `version_actuelle` reads it, only when there is one."""
    entete = request.headers.get("If-Match")
    return None if entete is None else version_attendue(entete, version_actuelle())


def _avec_etag(reponse, version):
    reponse["ETag"] = etag(version)
    return reponse


def _action(guide, code):
    return _ou_404(
        Action.objects.select_related("axe", "referentiel"),
        "Action",
        referentiel=guide,
        code=code,
    )


def _engagements(commune, actions, *, membre):
    """{action pk: engagement} of the commune, with its evidence (public ones only unless
    `membre`) and milestones: three queries."""
    preuves = Preuve.objects.order_by("-date", "-created_at", "pk")
    if not membre:
        preuves = preuves.filter(publique=True)
    engagements = (
        Engagement.objects.filter(commune=commune, action__in=[a.pk for a in actions])
        .annotate(a_preuve=Exists(Preuve.objects.filter(engagement=OuterRef("pk"))))
        .select_related("pilote")
        .prefetch_related(
            Prefetch("preuves", queryset=preuves),
            Prefetch("jalons", queryset=Jalon.objects.order_by("date", "pk")),
        )
        .order_by()
    )
    resultat = {}
    for engagement in engagements:
        resultat[engagement.action_id] = engagement
    return resultat


def _ligne_engagement(request, commune, action, engagement, *, membre):
    if engagement is not None:
        # The evidence serializer builds file addresses from these, without a query.
        engagement.commune, engagement.action = commune, action
    statut = engagement.statut if engagement else Statut.NON_RENSEIGNE
    ligne = SimpleNamespace(
        action=action,
        statut=statut,
        statut_retenu=statut_effectif(statut, engagement.a_preuve) if engagement else statut,
        avancement=engagement.avancement if engagement else None,
        date_cible=engagement.date_cible if engagement else None,
        pilote=engagement.nom_pilote if engagement else "",
        description=engagement.description if engagement else "",
        justification=engagement.justification if engagement else "",
        updated_at=engagement.updated_at if engagement else None,
        preuves=list(engagement.preuves.all()) if engagement else [],
        jalons=list(engagement.jalons.all()) if engagement else [],
        url=_absolue(request, "api:engagement", commune.code_insee, action.code),
        page=_absolue(request, "commune:action", commune.code_insee, action.code),
    )
    if membre:
        ligne.note_interne = engagement.note_interne if engagement else ""
    return ligne


@extend_schema_view(
    get=extend_schema(
        summary="Les engagements d'une commune, action par action",
        description="Une ligne par action du guide, « non renseigné » pour une action jamais "
        "remplie, avec ses preuves et ses jalons. Les membres de la commune (et l'équipe de "
        "la plateforme) voient aussi la note interne et les preuves réservées aux membres.",
        parameters=[schema.INSEE],
        responses=schema.reponses({200: s.EngagementSerializer(many=True)}, *schema.LECTURE),
        tags=["Engagements"],
    )
)
class EngagementListe(Liste):
    serializer_class = s.EngagementSerializer
    filter_backends = []

    def get_queryset(self):
        self.commune = _commune(self.kwargs["code_insee"])
        return (
            Action.objects.filter(referentiel=_guide())
            .select_related("axe")
            .order_by("axe__numero", "ordre", "code", "pk")
        )

    def lignes(self, actions):
        membre = perms_commune.can_view_private_commune(self.request.user, self.commune)
        engagements = _engagements(self.commune, actions, membre=membre)
        return [
            _ligne_engagement(
                self.request, self.commune, action, engagements.get(action.pk), membre=membre
            )
            for action in actions
        ]


class EngagementDetail(APIView):
    def _reponse(self, request, commune, action, status_code=200):
        membre = perms_commune.can_view_private_commune(request.user, commune)
        engagement = _engagements(commune, [action], membre=membre).get(action.pk)
        ligne = _ligne_engagement(request, commune, action, engagement, membre=membre)
        reponse = Response(
            s.EngagementSerializer(ligne, context={"request": request}).data, status=status_code
        )
        # 0: no engagement yet, as the web form counts it.
        return _avec_etag(reponse, engagement.version if engagement else 0)

    @extend_schema(
        summary="Un engagement de la commune",
        parameters=[schema.INSEE, schema.CODE_ACTION, ETAG],
        responses=schema.reponses({200: s.EngagementSerializer}, *schema.LECTURE_SEULE),
        tags=["Engagements"],
    )
    def get(self, request, code_insee, code):
        commune = _commune(code_insee)
        return self._reponse(request, commune, _action(_guide(), code))

    @extend_schema(
        summary="Modifier un engagement (éditeurs et administrateurs de la commune)",
        description="Statut, avancement, date cible, pilote, description, note interne, "
        "justification : les champs absents ne changent pas. Les règles du site "
        "s'appliquent : « réalisé » demande au moins une preuve déjà ajoutée, « engagé » une "
        "date cible, « en cours » un avancement de 0 à 100, « non concerné » une "
        "justification. Le score et son historique sont mis à jour.",
        parameters=[schema.INSEE, schema.CODE_ACTION, IF_MATCH, ETAG],
        request=s.EngagementModificationSerializer,
        responses={
            **schema.reponses({200: s.EngagementSerializer}, *schema.ECRITURE),
            412: VERSION_PERIMEE,
        },
        tags=["Engagements"],
    )
    def patch(self, request, code_insee, code):
        with transaction.atomic():
            commune = _commune(code_insee)
            exiger(
                request, perms_commune.can_edit_engagements(request.user, commune), REFUS_COMMUNE
            )
            action = _action(_guide(), code)
            entree = s.EngagementModificationSerializer(data=request.data)
            entree.is_valid(raise_exception=True)
            valeurs = dict(entree.validated_data)
            if valeurs.get("pilote_nom"):
                valeurs["pilote"] = None
            # 0: no engagement yet.
            versions = Engagement.objects.filter(commune=commune, action=action)
            version = _version_demandee(
                request, lambda: versions.values_list("version", flat=True).first() or 0
            )
            try:
                services_axes.engagement_enregistrer(
                    commune=commune, action=action, valeurs=valeurs, version=version
                )
            except ConflitDeVersion as conflit:
                raise VersionPerimee(conflit.objet.version) from conflit
        return self._reponse(request, commune, action)


def _preuves_visibles(request, commune, action):
    preuves = Preuve.objects.filter(engagement__commune=commune, engagement__action=action)
    if not perms_commune.can_view_private_commune(request.user, commune):
        preuves = preuves.filter(publique=True)
    return preuves.select_related("engagement").order_by("-date", "-created_at", "pk")


def _avec_parents(preuves, commune, action):
    for preuve in preuves:
        preuve.engagement.commune, preuve.engagement.action = commune, action
    return preuves


@extend_schema_view(
    get=extend_schema(
        summary="Les preuves d'un engagement",
        description="Les preuves publiques ; les membres voient aussi les autres.",
        parameters=[schema.INSEE, schema.CODE_ACTION],
        responses=schema.reponses({200: s.PreuveSerializer(many=True)}, *schema.LECTURE),
        tags=["Engagements"],
    ),
    post=extend_schema(
        summary="Ajouter une preuve, sous forme de lien (éditeurs et administrateurs)",
        description="Un lien vers un document en ligne. Les fichiers s'ajoutent depuis le "
        "site, où ils sont vérifiés. L'engagement est créé s'il n'existait pas.",
        parameters=[schema.INSEE, schema.CODE_ACTION],
        request=s.PreuveLienSerializer,
        responses=schema.reponses({201: s.PreuveSerializer}, *schema.ECRITURE),
        tags=["Engagements"],
    ),
)
class PreuveListe(Liste):
    serializer_class = s.PreuveSerializer
    filter_backends = []

    def get_queryset(self):
        self.commune = _commune(self.kwargs["code_insee"])
        self.action = _action(_guide(), self.kwargs["code"])
        return _preuves_visibles(self.request, self.commune, self.action)

    def lignes(self, preuves):
        return _avec_parents(preuves, self.commune, self.action)

    def post(self, request, code_insee, code):
        with transaction.atomic():
            commune = _commune(code_insee)
            exiger(
                request, perms_commune.can_edit_engagements(request.user, commune), REFUS_COMMUNE
            )
            action = _action(_guide(), code)
            entree = s.PreuveLienSerializer(data=request.data)
            entree.is_valid(raise_exception=True)
            preuve = services_axes.preuve_ajouter(
                commune=commune, action=action, user=request.user, **entree.validated_data
            )
        _avec_parents([preuve], commune, action)
        return Response(
            s.PreuveSerializer(preuve, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class PreuveDetail(APIView):
    @extend_schema(
        summary="Une preuve",
        parameters=[schema.INSEE, schema.CODE_ACTION, schema.PK_PREUVE],
        responses=schema.reponses({200: s.PreuveSerializer}, *schema.LECTURE_SEULE),
        tags=["Engagements"],
    )
    def get(self, request, code_insee, code, pk):
        commune = _commune(code_insee)
        action = _action(_guide(), code)
        preuve = _ou_404(_preuves_visibles(request, commune, action), "Preuve", pk=pk)
        _avec_parents([preuve], commune, action)
        return Response(s.PreuveSerializer(preuve, context={"request": request}).data)

    @extend_schema(
        summary="Supprimer une preuve (éditeurs et administrateurs)",
        description="La dernière preuve d'une action réalisée reste : changez d'abord son "
        "statut (400 sinon).",
        parameters=[schema.INSEE, schema.CODE_ACTION, schema.PK_PREUVE],
        responses=schema.reponses({204: None}, *schema.SUPPRESSION),
        tags=["Engagements"],
    )
    def delete(self, request, code_insee, code, pk):
        with transaction.atomic():
            commune = _commune(code_insee)
            exiger(
                request, perms_commune.can_edit_engagements(request.user, commune), REFUS_COMMUNE
            )
            action = _action(_guide(), code)
            preuve = _ou_404(_preuves_visibles(request, commune, action), "Preuve", pk=pk)
            services_axes.preuve_supprimer(preuve=preuve)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _jalons(commune, action):
    return Jalon.objects.filter(engagement__commune=commune, engagement__action=action).order_by(
        "date", "pk"
    )


@extend_schema_view(
    get=extend_schema(
        summary="Les jalons d'un engagement",
        parameters=[schema.INSEE, schema.CODE_ACTION],
        responses=schema.reponses({200: s.JalonSerializer(many=True)}, *schema.LECTURE),
        tags=["Engagements"],
    ),
    post=extend_schema(
        summary="Ajouter un jalon (éditeurs et administrateurs)",
        parameters=[schema.INSEE, schema.CODE_ACTION],
        request=s.JalonSerializer,
        responses=schema.reponses({201: s.JalonSerializer}, *schema.ECRITURE),
        tags=["Engagements"],
    ),
)
class JalonListe(Liste):
    serializer_class = s.JalonSerializer
    filter_backends = []

    def get_queryset(self):
        commune = _commune(self.kwargs["code_insee"])
        return _jalons(commune, _action(_guide(), self.kwargs["code"]))

    def post(self, request, code_insee, code):
        with transaction.atomic():
            commune = _commune(code_insee)
            exiger(
                request, perms_commune.can_edit_engagements(request.user, commune), REFUS_COMMUNE
            )
            action = _action(_guide(), code)
            entree = s.JalonSerializer(data=request.data)
            entree.is_valid(raise_exception=True)
            jalon = services_axes.jalon_ajouter(
                commune=commune, action=action, **entree.validated_data
            )
        return Response(s.JalonSerializer(jalon).data, status=status.HTTP_201_CREATED)


class JalonDetail(APIView):
    def _jalon(self, code_insee, code, pk, *, ecriture=False):
        commune = _commune(code_insee)
        if ecriture:
            exiger(
                self.request,
                perms_commune.can_edit_engagements(self.request.user, commune),
                REFUS_COMMUNE,
            )
        return _ou_404(_jalons(commune, _action(_guide(), code)), "Jalon", pk=pk)

    @extend_schema(
        summary="Un jalon",
        parameters=[schema.INSEE, schema.CODE_ACTION, schema.PK_JALON],
        responses=schema.reponses({200: s.JalonSerializer}, *schema.LECTURE_SEULE),
        tags=["Engagements"],
    )
    def get(self, request, code_insee, code, pk):
        return Response(s.JalonSerializer(self._jalon(code_insee, code, pk)).data)

    @extend_schema(
        summary="Modifier un jalon (éditeurs et administrateurs)",
        parameters=[schema.INSEE, schema.CODE_ACTION, schema.PK_JALON],
        request=s.JalonSerializer(partial=True),
        responses=schema.reponses({200: s.JalonSerializer}, *schema.ECRITURE),
        tags=["Engagements"],
    )
    def patch(self, request, code_insee, code, pk):
        with transaction.atomic():
            jalon = self._jalon(code_insee, code, pk, ecriture=True)
            entree = s.JalonSerializer(jalon, data=request.data, partial=True)
            entree.is_valid(raise_exception=True)
            entree.save()
        return Response(entree.data)

    @extend_schema(
        summary="Supprimer un jalon (éditeurs et administrateurs)",
        parameters=[schema.INSEE, schema.CODE_ACTION, schema.PK_JALON],
        responses=schema.reponses({204: None}, *schema.SUPPRESSION),
        tags=["Engagements"],
    )
    def delete(self, request, code_insee, code, pk):
        with transaction.atomic():
            self._jalon(code_insee, code, pk, ecriture=True).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# Structures ---------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="Structures de l'IAE et de l'ESS",
        description="L'annuaire : les structures vérifiées par la plateforme et publiées, "
        "avec les filtres de l'annuaire du site.",
        responses=schema.reponses({200: s.StructureSerializer(many=True)}, *schema.LECTURE),
        tags=["Structures"],
    )
)
class StructureListe(Liste):
    serializer_class = s.StructureSerializer
    filterset_class = filters.StructureFilter

    def get_queryset(self):
        return (
            Structure.objects.published()
            .select_related("type", "commune")
            .prefetch_related(
                Prefetch(
                    "secteurs",
                    queryset=Secteur.objects.select_related("groupe").order_by(
                        "groupe__ordre", "nom", "pk"
                    ),
                )
            )
            .order_by("nom", "pk")
        )


class StructureDetail(APIView):
    def _structure(self, request, siret):
        structure = _ou_404(Structure.objects.avec_profil(), "Structure", siret=siret)
        publique = structure.verifiee and structure.publiee
        if not publique and not perms_structures.can_view_private_structure(
            request.user, structure
        ):
            raise introuvable("Structure")
        return structure

    def _reponse(self, request, structure):
        contexte = {
            "request": request,
            "membre": perms_structures.can_view_private_structure(request.user, structure),
        }
        reponse = Response(s.StructureDetailSerializer(structure, context=contexte).data)
        return _avec_etag(reponse, structure.version)

    @extend_schema(
        summary="Une structure",
        description="Sa fiche publique : contacts publiés, secteurs, zones d'intervention, "
        "chiffres et leur date. Ses membres voient aussi une fiche non publiée et les "
        "contacts non publiés.",
        parameters=[schema.SIRET, ETAG],
        responses=schema.reponses({200: s.StructureDetailSerializer}, *schema.LECTURE_SEULE),
        tags=["Structures"],
    )
    def get(self, request, siret):
        return self._reponse(request, self._structure(request, siret))

    @extend_schema(
        summary="Modifier la fiche de sa structure (membres de la structure)",
        description="Les champs absents ne changent pas ; une liste (secteurs par slug, "
        "types de prestation par code, réseaux par slug, zones par codes) remplace la "
        "précédente. Un chiffre modifié prend la date du jour. Toute la modification entre "
        "dans l'historique de la fiche comme un seul changement.",
        parameters=[schema.SIRET, IF_MATCH, ETAG],
        request=s.StructureModificationSerializer,
        responses={
            **schema.reponses({200: s.StructureDetailSerializer}, *schema.ECRITURE),
            412: VERSION_PERIMEE,
        },
        tags=["Structures"],
    )
    def patch(self, request, siret):
        with transaction.atomic():
            structure = self._structure(request, siret)
            exiger(
                request,
                perms_structures.can_edit_profile(request.user, structure),
                REFUS_STRUCTURE,
            )
            entree = s.StructureModificationSerializer(data=request.data)
            entree.is_valid(raise_exception=True)
            donnees = entree.validated_data
            try:
                services_structures.profil_enregistrer(
                    structure=structure,
                    valeurs={
                        nom: donnees[nom]
                        for nom in services_structures.CHAMPS_PROFIL
                        if nom in donnees
                    },
                    relations={
                        nom: donnees[nom]
                        for nom in services_structures.RELATIONS_PROFIL
                        if nom in donnees
                    },
                    by=request.user,
                    version=_version_demandee(request, lambda: structure.version),
                )
            except ConflitDeVersion as conflit:
                raise VersionPerimee(conflit.objet.version) from conflit
        return self._reponse(request, self._structure(request, siret))


# Contracts ----------------------------------------------------------------------------------


def _clauses():
    return ClauseSociale.objects.annotate(
        total_heures=Sum("suivis__heures_realisees"),
        total_personnes=Sum("suivis__personnes_embauchees"),
        total_contrats=Sum("suivis__contrats_signes"),
        nombre_periodes=Count("suivis"),
    ).order_by("pk")


def _marches():
    return (
        Marche.objects.select_related("commune", "epci")
        .prefetch_related(
            Prefetch(
                "titulaires", queryset=Titulaire.objects.select_related("structure").order_by("pk")
            ),
            Prefetch("clauses", queryset=_clauses()),
        )
        .recents_d_abord()
    )


def _marche_visible(request, pk):
    marche = _ou_404(_marches(), "Marché", pk=pk)
    if not marche.publie and not perms_marches.can_view_marche(request.user, marche):
        raise introuvable("Marché")
    return marche


def _reponse_marche(request, marche, status_code=200):
    contexte = {
        "request": request,
        "voit_prive": {marche.pk} if perms_marches.can_view_marche(request.user, marche) else (),
    }
    reponse = Response(s.MarcheSerializer(marche, context=contexte).data, status=status_code)
    return _avec_etag(reponse, marche.version)


def _donnees_du_marche(marche):
    """The contract as the web form would post it, to apply the form's rules to a change."""
    return {
        "id_decp": marche.id_decp,
        "acheteur_siret": marche.acheteur_siret,
        "objet": marche.objet,
        "code_cpv": marche.code_cpv,
        "nature": marche.nature,
        "procedure": marche.procedure,
        "montant": "" if marche.montant is None else str(marche.montant),
        "date_notification": marche.date_notification.isoformat()
        if marche.date_notification
        else "",
        "duree_mois": marche.duree_mois,
        "lieu_type_code": marche.lieu_type_code,
        "lieu_code": marche.lieu_code,
        "considerations_sociales": [v for v, champ in SOCIALES.items() if getattr(marche, champ)],
        "sociales_connues": marche.sociales_connues,
        "considerations_environnementales": [
            v for v, champ in ENVIRONNEMENTALES.items() if getattr(marche, champ)
        ],
        "environnementales_connues": marche.environnementales_connues,
        "forme_prix": marche.forme_prix,
        "date_publication": marche.date_publication.isoformat() if marche.date_publication else "",
        "publie": marche.publie,
    }


def _en_texte(valeur):
    if valeur is None:
        return ""
    if hasattr(valeur, "isoformat"):
        return valeur.isoformat()
    if isinstance(valeur, bool | list):
        return valeur
    return str(valeur)


def _formulaire_valide(formulaire, prefixe=None):
    if not formulaire.is_valid():
        erreurs = erreurs_de_validation_formulaire(formulaire)
        raise exceptions.ValidationError({prefixe: erreurs} if prefixe else erreurs)
    return formulaire


def erreurs_de_validation_formulaire(formulaire):
    return {
        ("non_field_errors" if champ == "__all__" else champ): list(messages)
        for champ, messages in formulaire.errors.items()
    }


def _titulaires(donnees):
    """Holders checked by the web form's rules; {"titulaires": [errors…]} when refused."""
    objets, erreurs, vus = [], [], set()
    for donnee in donnees:
        formulaire = TitulaireForm(data={k: _en_texte(v) for k, v in donnee.items()})
        if formulaire.is_valid():
            titulaire = formulaire.save(commit=False)
            cle = (titulaire.type_identifiant, titulaire.identifiant)
            if cle in vus:
                erreurs.append({"identifiant": ["Ce titulaire figure déjà dans la liste."]})
                continue
            vus.add(cle)
            objets.append(titulaire)
            erreurs.append({})
        else:
            erreurs.append(erreurs_de_validation_formulaire(formulaire))
    if any(erreurs):
        raise exceptions.ValidationError({"titulaires": erreurs})
    return objets


def _enregistrer_marche(request, commune, marche, version=None):
    entree = s.MarcheEcritureSerializer(data=request.data, partial=marche.pk is not None)
    entree.is_valid(raise_exception=True)
    donnees = dict(entree.validated_data)
    titulaires = donnees.pop("titulaires", None)
    if marche.pk is None and not titulaires:
        raise exceptions.ValidationError(
            {"titulaires": ["Indiquez au moins un titulaire du marché."]}
        )
    formulaire = _donnees_du_marche(marche) if marche.pk else {}
    if marche.pk is None:
        formulaire["acheteur_siret"] = commune.siret_mairie
        # A contract entered by a member: its considerations are known unless it says not.
        formulaire["sociales_connues"] = formulaire["environnementales_connues"] = True
    formulaire.update({nom: _en_texte(valeur) for nom, valeur in donnees.items()})
    marche = _formulaire_valide(MarcheForm(data=formulaire, instance=marche, commune=commune)).save(
        commit=False
    )
    retires = []
    if titulaires is not None:
        nouveaux = _titulaires(titulaires)
        if marche.pk is not None:
            retires = list(marche.titulaires.all())
        titulaires = nouveaux
    try:
        services_marches.marche_enregistrer(
            commune=commune,
            marche=marche,
            titulaires=titulaires or [],
            retires=retires,
            by=request.user,
            version=version,
        )
    except ConflitDeVersion as conflit:
        raise VersionPerimee(conflit.objet.version) from conflit
    return marche


@extend_schema_view(
    get=extend_schema(
        summary="Marchés publics publiés",
        description="Les marchés publiés des communes et intercommunalités (données "
        "essentielles de la commande publique et saisies des communes), avec leurs "
        "titulaires et leurs clauses sociales.",
        responses=schema.reponses({200: s.MarcheSerializer(many=True)}, *schema.LECTURE),
        tags=["Marchés"],
    )
)
class MarcheListe(Liste):
    serializer_class = s.MarcheSerializer
    filterset_class = filters.MarcheFilter

    def get_queryset(self):
        return _marches().publies()


@extend_schema_view(
    get=extend_schema(
        summary="Les marchés d'une commune",
        description="Les marchés publiés de la commune ; ses membres voient aussi ceux "
        "qu'elle a retirés de sa page publique.",
        parameters=[schema.INSEE],
        responses=schema.reponses({200: s.MarcheSerializer(many=True)}, *schema.LECTURE),
        tags=["Marchés"],
    ),
    post=extend_schema(
        summary="Ajouter un marché (éditeurs et administrateurs de la commune)",
        description="Les règles du formulaire du site s'appliquent (SIRET, CPV, lieu "
        "d'exécution, dates, identifiant unique pour l'acheteur). Un titulaire dont le SIRET "
        "est celui d'une structure de l'annuaire lui est rattaché.",
        parameters=[schema.INSEE],
        request=s.MarcheEcritureSerializer,
        responses=schema.reponses({201: s.MarcheSerializer}, *schema.ECRITURE),
        tags=["Marchés"],
    ),
)
class MarcheCommuneListe(Liste):
    serializer_class = s.MarcheSerializer
    filterset_class = filters.MarcheCommuneFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's visit
            return Marche.objects.none()
        self.commune = _commune(self.kwargs["code_insee"])
        self.membre = perms_marches.can_view_marches(self.request.user, self.commune)
        marches = _marches().filter(commune=self.commune)
        return marches if self.membre else marches.publies()

    def get_serializer_context(self):
        contexte = super().get_serializer_context()
        # Members of the buying commune see the facilitators of all its contracts.
        if getattr(self, "membre", False):
            contexte["voit_prive"] = True
        return contexte

    def post(self, request, code_insee):
        with transaction.atomic():
            commune = _commune(code_insee)
            exiger(request, perms_marches.can_edit_marches(request.user, commune), REFUS_COMMUNE)
            marche = _enregistrer_marche(request, commune, Marche(commune=commune))
        return _reponse_marche(request, _ou_404(_marches(), "Marché", pk=marche.pk), 201)


class MarcheDetail(APIView):
    @extend_schema(
        summary="Un marché",
        description="Un marché publié ; un marché retiré de la page publique n'est visible "
        "que des membres de la commune et des titulaires.",
        parameters=[schema.PK_MARCHE, ETAG],
        responses=schema.reponses({200: s.MarcheSerializer}, *schema.LECTURE_SEULE),
        tags=["Marchés"],
    )
    def get(self, request, pk):
        return _reponse_marche(request, _marche_visible(request, pk))

    @extend_schema(
        summary="Modifier un marché (éditeurs et administrateurs de la commune acheteuse)",
        description="Les champs absents ne changent pas ; « titulaires », s'il est donné, "
        "remplace la liste. Les règles du formulaire du site s'appliquent.",
        parameters=[schema.PK_MARCHE, IF_MATCH, ETAG],
        request=s.MarcheEcritureSerializer,
        responses={
            **schema.reponses({200: s.MarcheSerializer}, *schema.ECRITURE),
            412: VERSION_PERIMEE,
        },
        tags=["Marchés"],
    )
    def patch(self, request, pk):
        with transaction.atomic():
            marche = _marche_visible(request, pk)
            exiger(request, perms_marches.can_edit_marche(request.user, marche), REFUS_MARCHE)
            version = _version_demandee(request, lambda: marche.version)
            _enregistrer_marche(request, marche.commune, marche, version)
        return _reponse_marche(request, _ou_404(_marches(), "Marché", pk=pk))

    @extend_schema(
        summary="Supprimer un marché (éditeurs et administrateurs de la commune acheteuse)",
        description="Avec ses titulaires, ses clauses et leur suivi (gardés dans l'historique).",
        parameters=[schema.PK_MARCHE],
        responses=schema.reponses({204: None}, *schema.SUPPRESSION),
        tags=["Marchés"],
    )
    def delete(self, request, pk):
        with transaction.atomic():
            marche = _marche_visible(request, pk)
            exiger(request, perms_marches.can_edit_marche(request.user, marche), REFUS_MARCHE)
            services_marches.marche_supprimer(marche=marche, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


IndicateursSerializer = inline_serializer(
    "IndicateursMarches",
    {
        "annee": serializers.IntegerField(allow_null=True),
        "nombre": serializers.IntegerField(),
        "connues": serializers.IntegerField(
            help_text="Marchés dont les considérations sociales sont renseignées."
        ),
        "inconnues": serializers.IntegerField(
            help_text="Marchés dont les considérations sociales ne sont pas renseignées (DECP "
            "antérieures à 2024) : ni « avec », ni « sans », hors de la part."
        ),
        "avec_consideration": serializers.IntegerField(),
        "sans_consideration": serializers.IntegerField(
            help_text="Marchés renseignés sans aucune considération sociale."
        ),
        "part": serializers.FloatField(
            allow_null=True,
            help_text="Part des marchés renseignés avec une considération sociale ; "
            "null quand aucun ne l'est.",
        ),
        "cible": serializers.IntegerField(),
        "cible_atteinte": serializers.BooleanField(
            allow_null=True, help_text="null quand aucune part n'est calculable."
        ),
        "montant": serializers.FloatField(allow_null=True),
        "montant_avec_consideration": serializers.FloatField(allow_null=True),
        "reserves": serializers.IntegerField(),
        "nombre_siae": serializers.IntegerField(),
        "montant_siae": serializers.FloatField(),
        "clauses": serializers.IntegerField(),
        "heures_prevues": serializers.IntegerField(),
        "heures_realisees": serializers.FloatField(),
        "taux_heures": serializers.FloatField(allow_null=True),
        "personnes_embauchees": serializers.IntegerField(),
        "contrats_signes": serializers.IntegerField(),
        "par_consideration": serializers.ListField(child=serializers.DictField()),
        "par_base_legale": serializers.ListField(child=serializers.DictField()),
        "par_annee": serializers.ListField(child=serializers.DictField()),
    },
)


def _nombres(valeur):
    """Decimals as JSON numbers, recursively."""
    if isinstance(valeur, dict):
        return {cle: _nombres(v) for cle, v in valeur.items()}
    if isinstance(valeur, list):
        return [_nombres(v) for v in valeur]
    if hasattr(valeur, "as_tuple"):
        return float(valeur)
    return valeur


class IndicateursMarches(APIView):
    @extend_schema(
        summary="Les indicateurs des marchés d'une commune",
        description="Sur ses marchés publiés : part des marchés avec une considération "
        "sociale face à la cible nationale de 30 % (PNAD 2022-2025), calculée sur les seuls "
        "marchés dont les considérations sont renseignées (`inconnues` compte les autres), "
        "montants, marchés "
        "réservés, heures d'insertion prévues et réalisées par base légale, et les mêmes "
        "chiffres année par année. Les parts sont en %, non arrondies.",
        parameters=[
            schema.INSEE,
            OpenApiParameter(
                "annee",
                filters.SCHEMA_ANNEE,
                description="Année de notification (AAAA) ; toutes les années sinon.",
            ),
        ],
        responses=schema.reponses({200: IndicateursSerializer}, *schema.LECTURE),
        tags=["Marchés"],
    )
    def get(self, request, code_insee):
        commune = _commune(code_insee)
        annee = filters.annee_demandee(request.query_params)
        indicateurs = indicateurs_commune(commune, annee)
        indicateurs["par_annee"] = indicateurs_par_annee(
            Marche.objects.publies().filter(commune=commune)
        )
        return Response(_nombres(indicateurs))


def _clause(request, pk, clause_pk, *, ecriture=None):
    marche = _marche_visible(request, pk)
    if ecriture is not None:
        exiger(request, ecriture(request.user, marche), REFUS_MARCHE)
    clause = _ou_404(_clauses().filter(marche=marche), "Clause sociale", pk=clause_pk)
    return marche, clause


def _reponse_clause(request, marche, clause_pk, status_code=200):
    clause = _ou_404(_clauses(), "Clause sociale", pk=clause_pk)
    voit_prive = perms_marches.can_view_marche(request.user, marche)
    contexte = {"voit_prive": {marche.pk} if voit_prive else ()}
    return Response(s.ClauseSerializer(clause, context=contexte).data, status=status_code)


@extend_schema_view(
    get=extend_schema(
        summary="Les clauses sociales d'un marché",
        parameters=[schema.PK_MARCHE],
        responses=schema.reponses({200: s.ClauseSerializer(many=True)}, *schema.LECTURE),
        tags=["Marchés"],
    ),
    post=extend_schema(
        summary="Ajouter une clause sociale (éditeurs et administrateurs de la commune)",
        parameters=[schema.PK_MARCHE],
        request=s.ClauseSerializer,
        responses=schema.reponses({201: s.ClauseSerializer}, *schema.ECRITURE),
        tags=["Marchés"],
    ),
)
class ClauseListe(Liste):
    serializer_class = s.ClauseSerializer
    filter_backends = []

    def get_queryset(self):
        self.marche = _marche_visible(self.request, self.kwargs["pk"])
        return _clauses().filter(marche=self.marche)

    def get_serializer_context(self):
        contexte = super().get_serializer_context()
        marche = getattr(self, "marche", None)
        if marche is not None and perms_marches.can_view_marche(self.request.user, marche):
            contexte["voit_prive"] = {marche.pk}
        return contexte

    def post(self, request, pk):
        with transaction.atomic():
            marche = _marche_visible(request, pk)
            exiger(request, perms_marches.can_edit_clauses(request.user, marche), REFUS_MARCHE)
            entree = s.ClauseSerializer(data=request.data)
            entree.is_valid(raise_exception=True)
            clause = services_marches.clause_enregistrer(
                clause=ClauseSociale(marche=marche, **entree.validated_data), by=request.user
            )
        return _reponse_clause(request, marche, clause.pk, status.HTTP_201_CREATED)


class ClauseDetail(APIView):
    @extend_schema(
        summary="Une clause sociale",
        parameters=[schema.PK_MARCHE, schema.PK_CLAUSE],
        responses=schema.reponses({200: s.ClauseSerializer}, *schema.LECTURE_SEULE),
        tags=["Marchés"],
    )
    def get(self, request, pk, clause):
        marche, clause = _clause(request, pk, clause)
        return _reponse_clause(request, marche, clause.pk)

    @extend_schema(
        summary="Modifier une clause sociale (éditeurs et administrateurs de la commune)",
        parameters=[schema.PK_MARCHE, schema.PK_CLAUSE],
        request=s.ClauseSerializer(partial=True),
        responses=schema.reponses({200: s.ClauseSerializer}, *schema.ECRITURE),
        tags=["Marchés"],
    )
    def patch(self, request, pk, clause):
        with transaction.atomic():
            marche, clause = _clause(request, pk, clause, ecriture=perms_marches.can_edit_clauses)
            entree = s.ClauseSerializer(data=request.data, partial=True)
            entree.is_valid(raise_exception=True)
            for nom, valeur in entree.validated_data.items():
                setattr(clause, nom, valeur)
            services_marches.clause_enregistrer(clause=clause, by=request.user)
        return _reponse_clause(request, marche, clause.pk)

    @extend_schema(
        summary="Supprimer une clause sociale et son suivi (éditeurs et administrateurs)",
        parameters=[schema.PK_MARCHE, schema.PK_CLAUSE],
        responses=schema.reponses({204: None}, *schema.SUPPRESSION),
        tags=["Marchés"],
    )
    def delete(self, request, pk, clause):
        with transaction.atomic():
            _, clause = _clause(request, pk, clause, ecriture=perms_marches.can_edit_clauses)
            services_marches.clause_supprimer(clause=clause, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _suivis(clause):
    return SuiviHeures.objects.filter(clause=clause).order_by("periode_debut", "pk")


@extend_schema_view(
    get=extend_schema(
        summary="Le suivi des heures d'une clause",
        description="Période par période : heures d'insertion réalisées, personnes "
        "embauchées, contrats signés. Pour les membres de la commune acheteuse, les "
        "titulaires du marché et l'équipe de la plateforme.",
        parameters=[schema.PK_MARCHE, schema.PK_CLAUSE],
        responses=schema.reponses({200: s.SuiviSerializer(many=True)}, 400, 401, 403, 404),
        tags=["Marchés"],
    ),
    post=extend_schema(
        summary="Déclarer une période de suivi (commune acheteuse et titulaires)",
        description="Les règles du site s'appliquent : pas de chevauchement avec une autre "
        "période de la clause, une période plus courte que le marché plus 12 mois, des "
        "heures vraisemblables pour le nombre de personnes embauchées.",
        parameters=[schema.PK_MARCHE, schema.PK_CLAUSE],
        request=s.SuiviSerializer,
        responses=schema.reponses({201: s.SuiviSerializer}, *schema.ECRITURE),
        tags=["Marchés"],
    ),
)
class SuiviListe(Liste):
    serializer_class = s.SuiviSerializer
    filter_backends = []

    def get_queryset(self):
        marche, clause = _clause(self.request, self.kwargs["pk"], self.kwargs["clause"])
        exiger(self.request, perms_marches.can_view_marche(self.request.user, marche), REFUS_SUIVI)
        return _suivis(clause)

    def post(self, request, pk, clause):
        with transaction.atomic():
            _, clause = _clause(request, pk, clause, ecriture=perms_marches.can_edit_suivis)
            entree = s.SuiviSerializer(data=request.data)
            entree.is_valid(raise_exception=True)
            suivi = services_marches.suivi_enregistrer(
                suivi=SuiviHeures(clause=clause, **entree.validated_data), by=request.user
            )
        return Response(s.SuiviSerializer(suivi).data, status=status.HTTP_201_CREATED)


class SuiviDetail(APIView):
    def _suivi(self, request, pk, clause, suivi, ecriture):
        _, clause = _clause(request, pk, clause, ecriture=ecriture)
        return _ou_404(_suivis(clause), "Période de suivi", pk=suivi)

    @extend_schema(
        summary="Une période de suivi",
        parameters=[schema.PK_MARCHE, schema.PK_CLAUSE, schema.PK_SUIVI],
        responses=schema.reponses({200: s.SuiviSerializer}, 401, 403, 404),
        tags=["Marchés"],
    )
    def get(self, request, pk, clause, suivi):
        suivi = self._suivi(request, pk, clause, suivi, perms_marches.can_view_marche)
        return Response(s.SuiviSerializer(suivi).data)

    @extend_schema(
        summary="Corriger une période de suivi (commune acheteuse et titulaires)",
        parameters=[schema.PK_MARCHE, schema.PK_CLAUSE, schema.PK_SUIVI],
        request=s.SuiviSerializer(partial=True),
        responses=schema.reponses({200: s.SuiviSerializer}, *schema.ECRITURE),
        tags=["Marchés"],
    )
    def patch(self, request, pk, clause, suivi):
        with transaction.atomic():
            suivi = self._suivi(request, pk, clause, suivi, perms_marches.can_edit_suivis)
            entree = s.SuiviSerializer(data=request.data, partial=True)
            entree.is_valid(raise_exception=True)
            for nom, valeur in entree.validated_data.items():
                setattr(suivi, nom, valeur)
            services_marches.suivi_enregistrer(suivi=suivi, by=request.user)
        return Response(s.SuiviSerializer(suivi).data)

    @extend_schema(
        summary="Supprimer une période de suivi (commune acheteuse et titulaires)",
        parameters=[schema.PK_MARCHE, schema.PK_CLAUSE, schema.PK_SUIVI],
        responses=schema.reponses({204: None}, *schema.SUPPRESSION),
        tags=["Marchés"],
    )
    def delete(self, request, pk, clause, suivi):
        with transaction.atomic():
            suivi = self._suivi(request, pk, clause, suivi, perms_marches.can_edit_suivis)
            services_marches.suivi_supprimer(suivi=suivi, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Supports ----------------------------------------------------------------------------------


def _soutiens():
    return Soutien.objects.select_related("commune", "structure").order_by(
        "-annee", "commune__nom", "structure__nom", "pk"
    )


def _enregistrer_soutien(request, commune, soutien=None):
    entree = s.SoutienSerializer(data=request.data, partial=soutien is not None)
    entree.is_valid(raise_exception=True)
    donnees = dict(entree.validated_data)
    formulaire = {}
    if soutien is not None:
        formulaire = {
            "structure": soutien.structure_id,
            "type": soutien.type,
            "montant": "" if soutien.montant is None else str(soutien.montant),
            "annee": soutien.annee,
            "description": soutien.description,
        }
    if "structure" in donnees:
        structure = Structure.objects.filter(siret=donnees.pop("structure"), verifiee=True).first()
        if structure is None:
            raise exceptions.ValidationError(
                {
                    "structure": [
                        "Aucune structure vérifiée de l'annuaire n'a ce SIRET : donnez celui "
                        "d'une structure publiée dans /api/v1/structures/."
                    ]
                }
            )
        formulaire["structure"] = structure.pk
    formulaire.update({nom: _en_texte(valeur) for nom, valeur in donnees.items()})
    valide = _formulaire_valide(SoutienForm(data=formulaire, instance=soutien)).cleaned_data
    return services_structures.soutien_enregistrer(
        commune=commune,
        by=request.user,
        soutien=soutien,
        **{nom: valide[nom] for nom in ("structure", "type", "montant", "annee", "description")},
    )


@extend_schema_view(
    get=extend_schema(
        summary="Soutiens des communes aux structures",
        description="Subventions, locaux, achats et partenariats enregistrés par les "
        "communes (ils éclairent les actions 3.1 et 3.2 du guide).",
        responses=schema.reponses({200: s.SoutienLectureSerializer(many=True)}, *schema.LECTURE),
        tags=["Soutiens"],
    )
)
class SoutienListe(Liste):
    serializer_class = s.SoutienSerializer
    filterset_class = filters.SoutienFilter

    def get_queryset(self):
        return _soutiens()


@extend_schema_view(
    get=extend_schema(
        summary="Les soutiens d'une commune",
        parameters=[schema.INSEE],
        responses=schema.reponses({200: s.SoutienLectureSerializer(many=True)}, *schema.LECTURE),
        tags=["Soutiens"],
    ),
    post=extend_schema(
        summary="Enregistrer un soutien (éditeurs et administrateurs de la commune)",
        description="À une structure vérifiée, désignée par son SIRET ; année de 2000 à "
        "l'an prochain.",
        parameters=[schema.INSEE],
        request=s.SoutienSerializer,
        responses=schema.reponses({201: s.SoutienLectureSerializer}, *schema.ECRITURE),
        tags=["Soutiens"],
    ),
)
class SoutienCommuneListe(Liste):
    serializer_class = s.SoutienSerializer
    filter_backends = []

    def get_queryset(self):
        return _soutiens().filter(commune=_commune(self.kwargs["code_insee"]))

    def post(self, request, code_insee):
        with transaction.atomic():
            commune = _commune(code_insee)
            exiger(
                request, perms_commune.can_edit_engagements(request.user, commune), REFUS_COMMUNE
            )
            soutien = _enregistrer_soutien(request, commune)
        soutien = _soutiens().get(pk=soutien.pk)
        return Response(
            s.SoutienSerializer(soutien, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SoutienDetail(APIView):
    def _soutien(self, request, code_insee, pk, ecriture=False):
        commune = _commune(code_insee)
        if ecriture:
            exiger(
                request, perms_commune.can_edit_engagements(request.user, commune), REFUS_COMMUNE
            )
        return commune, _ou_404(_soutiens().filter(commune=commune), "Soutien", pk=pk)

    def _reponse(self, request, pk):
        soutien = _soutiens().get(pk=pk)
        return Response(s.SoutienSerializer(soutien, context={"request": request}).data)

    @extend_schema(
        summary="Un soutien",
        parameters=[schema.INSEE, schema.PK_SOUTIEN],
        responses=schema.reponses({200: s.SoutienLectureSerializer}, *schema.LECTURE_SEULE),
        tags=["Soutiens"],
    )
    def get(self, request, code_insee, pk):
        _, soutien = self._soutien(request, code_insee, pk)
        return Response(s.SoutienSerializer(soutien, context={"request": request}).data)

    @extend_schema(
        summary="Corriger un soutien (éditeurs et administrateurs de la commune)",
        parameters=[schema.INSEE, schema.PK_SOUTIEN],
        request=s.SoutienSerializer(partial=True),
        responses=schema.reponses({200: s.SoutienLectureSerializer}, *schema.ECRITURE),
        tags=["Soutiens"],
    )
    def patch(self, request, code_insee, pk):
        with transaction.atomic():
            commune, soutien = self._soutien(request, code_insee, pk, ecriture=True)
            _enregistrer_soutien(request, commune, soutien)
        return self._reponse(request, pk)

    @extend_schema(
        summary="Supprimer un soutien (éditeurs et administrateurs de la commune)",
        parameters=[schema.INSEE, schema.PK_SOUTIEN],
        responses=schema.reponses({204: None}, *schema.SUPPRESSION),
        tags=["Soutiens"],
    )
    def delete(self, request, code_insee, pk):
        with transaction.atomic():
            _, soutien = self._soutien(request, code_insee, pk, ecriture=True)
            services_structures.soutien_supprimer(soutien=soutien, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Reports -----------------------------------------------------------------------------------


def _rapports(commune, user):
    rapports = Rapport.objects.filter(commune=commune).order_by("-created_at", "-pk")
    if not perms_commune.can_view_private_commune(user, commune):
        rapports = rapports.filter(publie=True)
    return rapports


def _rapport(request, code_insee, pk):
    commune = _commune(code_insee)
    rapport = _ou_404(Rapport.objects.all(), "Rapport", commune=commune, pk=pk)
    rapport.commune = commune
    if not perms_commune.can_download_report(request.user, rapport):
        raise introuvable("Rapport")
    return rapport


@extend_schema_view(
    get=extend_schema(
        summary="Les rapports d'avancement d'une commune",
        description="Les rapports PDF publiés ; les membres voient aussi les autres.",
        parameters=[schema.INSEE],
        responses=schema.reponses({200: s.RapportSerializer(many=True)}, *schema.LECTURE),
        tags=["Rapports"],
    ),
    post=extend_schema(
        summary="Demander un rapport PDF (éditeurs et administrateurs de la commune)",
        description="Le rapport est construit en arrière-plan : la réponse 202 donne "
        "l'adresse de son état (en-tête Location et champ « url »), à consulter jusqu'à ce "
        "que son statut soit « prêt » (ou « échec »). Un seul rapport en préparation par "
        "commune, et un nombre limité par heure : au-delà, 429.",
        parameters=[schema.INSEE],
        request=None,
        responses=schema.reponses({202: s.RapportSerializer}, 401, 403, 404),
        tags=["Rapports"],
    ),
)
class RapportListe(Liste):
    serializer_class = s.RapportSerializer
    filter_backends = []

    def get_queryset(self):
        self.commune = _commune(self.kwargs["code_insee"])
        return _rapports(self.commune, self.request.user)

    def lignes(self, rapports):
        for rapport in rapports:
            rapport.commune = self.commune
        return rapports

    def post(self, request, code_insee):
        commune = _commune(code_insee)
        exiger(request, perms_commune.can_request_report(request.user, commune), REFUS_COMMUNE)
        try:
            rapport = rapports_commune.rapport_demander_dans_les_limites(
                commune=commune, referentiel=_guide(), by=request.user
            )
        except rapports_commune.DemandeRefusee as refus:
            return Response({"detail": str(refus)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        rapport.refresh_from_db()
        rapport.commune = commune
        donnees = s.RapportSerializer(rapport, context={"request": request}).data
        return Response(
            donnees, status=status.HTTP_202_ACCEPTED, headers={"Location": donnees["url"]}
        )


class RapportDetail(APIView):
    @extend_schema(
        summary="L'état d'un rapport",
        description="Un rapport publié est visible de tous ; les autres, des membres.",
        parameters=[schema.INSEE, schema.PK_RAPPORT],
        responses=schema.reponses({200: s.RapportSerializer}, *schema.LECTURE_SEULE),
        tags=["Rapports"],
    )
    def get(self, request, code_insee, pk):
        rapport = _rapport(request, code_insee, pk)
        return Response(s.RapportSerializer(rapport, context={"request": request}).data)


class RenduPdf(renderers.BaseRenderer):
    """Lets a client ask for application/pdf; errors still go out as JSON text."""

    media_type = "application/pdf"
    format = "pdf"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data)


class RapportPdf(APIView):
    renderer_classes = [renderers.JSONRenderer, RenduPdf]

    @extend_schema(
        summary="Télécharger le PDF d'un rapport",
        description="Un rapport publié, pour tous ; les autres, pour les membres. 404 tant "
        "que le rapport n'est pas prêt.",
        parameters=[schema.INSEE, schema.PK_RAPPORT],
        responses=schema.reponses(
            {200: OpenApiResponse(description="Le rapport, en PDF (application/pdf).")},
            *schema.LECTURE_SEULE,
        ),
        tags=["Rapports"],
    )
    def get(self, request, code_insee, pk):
        rapport = _rapport(request, code_insee, pk)
        if rapport.statut != StatutRapport.PRET or not rapport.fichier:
            raise exceptions.NotFound("Ce rapport n'est pas encore prêt.")
        try:
            contenu = rapport.fichier.open("rb")
        except FileNotFoundError as absent:
            raise exceptions.NotFound("Le fichier de ce rapport est introuvable.") from absent
        nom = f"rapport-{rapport.commune.slug}-{rapport.created_at:%Y-%m-%d}.pdf"
        reponse = FileResponse(
            contenu, as_attachment=True, filename=nom, content_type="application/pdf"
        )
        if not rapport.publie:
            reponse["Cache-Control"] = "private, no-store"
        return reponse
