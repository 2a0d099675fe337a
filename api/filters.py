"""Filters of the API lists. The communes and structures lists use the web directories'
own FilterSets (commune.filters, structures.filters), so a filter means the same thing
on both; the contracts and supports lists, which have no directory, have theirs here."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from commune import filters as filtres_communes
from commune.models import Departement
from marches.filters import FILTRES_CONSIDERATION
from marches.models import Marche
from structures import filters as filtres_structures
from structures.enums import TypeSoutien
from structures.models import Soutien

__all__ = [
    "ANNEE_INVALIDE",
    "AnneeFilter",
    "CommuneFilter",
    "Filtres",
    "MarcheCommuneFilter",
    "MarcheFilter",
    "SoutienFilter",
    "StructureFilter",
]


ANNEE_INVALIDE = "Donnez une année sur quatre chiffres, par exemple 2026."
ANNEE_MIN, ANNEE_MAX = 1900, 2100
VALEUR_REPETEE = "Donnez une seule valeur pour ce paramètre."


def parametres_repetes(parametres, noms):
    """{name: [message]} for the parameters of `noms` given more than once: the last one
    would be used without a word, so the request is refused instead."""
    return {nom: [VALEUR_REPETEE] for nom in noms if len(parametres.getlist(nom)) > 1}


class Filtres(DjangoFilterBackend):
    """django-filter's backend, with the errors read as Django renders them. Its own
    translation formats every message with `%` even without parameters, so a message that
    quotes the visitor's text (« Aucune commune ne s'appelle « % » ») raised a TypeError.
    A filter given twice is refused rather than silently reduced to its last value."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        erreurs = parametres_repetes(request.query_params, filterset.filters)
        if not filterset.is_valid():
            for champ, messages in filterset.errors.items():
                erreurs.setdefault(champ, list(messages))
        if erreurs:
            raise exceptions.ValidationError(erreurs)
        return filterset.filter_queryset(queryset)


class ChampAnnee(forms.IntegerField):
    """A year of four digits: 0, -1 or 10**20 would reach the database's date functions,
    which refuse them with a ValueError (a 500)."""

    default_error_messages = {
        "invalid": ANNEE_INVALIDE,
        "min_value": ANNEE_INVALIDE,
        "max_value": ANNEE_INVALIDE,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", ANNEE_MIN)
        kwargs.setdefault("max_value", ANNEE_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        # Given but empty (« ?annee= ») is not « every year »: absent is.
        if value == "":
            raise forms.ValidationError(ANNEE_INVALIDE, code="invalid")
        return super().to_python(value)


SCHEMA_ANNEE = {"type": "integer", "minimum": ANNEE_MIN, "maximum": ANNEE_MAX, "example": 2026}


def annee_demandee(parametres, nom="annee"):
    """The year asked for in the query string, or None; a 400 naming `nom` otherwise."""
    erreurs = parametres_repetes(parametres, [nom])
    if not erreurs and parametres.get(nom) is not None:
        try:
            return ChampAnnee(required=False).clean(parametres[nom])
        except forms.ValidationError as erreur:
            erreurs[nom] = erreur.messages
    if erreurs:
        raise exceptions.ValidationError(erreurs)
    return None


@extend_schema_field(SCHEMA_ANNEE)
class AnneeFilter(django_filters.NumberFilter):
    field_class = ChampAnnee


class CommuneFilter(filtres_communes.CommuneFilter):
    """The directory's filters as they are. The bands of avancement and of population are
    texts ("0-25", "2000-9999"), not the model fields' numbers: the document lists them
    (see choix_documentes)."""


class MarcheCommuneFilter(django_filters.FilterSet):
    """The contracts of one commune."""

    annee = AnneeFilter(
        label="Année de notification (AAAA)", field_name="date_notification", lookup_expr="year"
    )
    consideration = django_filters.ChoiceFilter(
        label="Considération sociale : avec au moins une, sans, clause sociale, critère "
        "social ou marché réservé",
        choices=[
            ("avec", "Avec au moins une considération sociale"),
            ("sans", "Sans considération sociale"),
            ("clause", "Clause sociale"),
            ("critere", "Critère social"),
            ("reserve", "Marché réservé"),
        ],
        method="filtrer_consideration",
    )

    class Meta:
        model = Marche
        fields = ["annee", "consideration"]

    def filtrer_consideration(self, queryset, name, value):
        condition = FILTRES_CONSIDERATION[value]
        if isinstance(condition, dict):
            return queryset.filter(**condition)
        return queryset.filter(condition)


class MarcheFilter(MarcheCommuneFilter):
    """Every published contract, by buyer."""

    commune = django_filters.CharFilter(
        label="Code INSEE de la commune acheteuse", field_name="commune__code_insee"
    )
    departement = django_filters.ModelChoiceFilter(
        label="Code du département de la commune acheteuse",
        field_name="commune__departement",
        queryset=Departement.objects.all(),
        to_field_name="code",
    )

    class Meta:
        model = Marche
        fields = ["commune", "departement", "annee", "consideration"]


class SoutienFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(
        label="Code INSEE de la commune qui soutient", field_name="commune__code_insee"
    )
    structure = django_filters.CharFilter(
        label="SIRET de la structure soutenue", field_name="structure__siret"
    )
    annee = AnneeFilter(label="Année du soutien (AAAA)")
    type = django_filters.ChoiceFilter(label="Type de soutien", choices=TypeSoutien.choices)

    class Meta:
        model = Soutien
        fields = ["commune", "structure", "annee", "type"]


class StructureFilter(filtres_structures.StructureFilter):
    """The structures directory's filters as they are; the served commune is typed as
    text (a code INSEE, or a name with its département), which the schema is told."""


extend_schema_field(serializers.CharField(allow_blank=True, max_length=200))(
    StructureFilter.base_filters["commune"]
)


def choix_documentes(*filtersets):
    """Each choice filter as a list of its values in the document, "" among them: an empty
    value (« ?type= ») means no filter, as in the site's forms, and the API says so
    rather than accept what its document calls invalid. Choices read from the database
    (a structure's sectors) stay plain text."""
    for filterset in filtersets:
        for filtre in filterset.base_filters.values():
            choix = filtre.extra.get("choices")
            if not isinstance(filtre, django_filters.ChoiceFilter) or not isinstance(choix, list):
                continue
            champ = serializers.ChoiceField(
                choices=[(valeur, libelle) for valeur, libelle in choix if valeur != ""],
                allow_blank=True,
                help_text=f"{filtre.label} ; vide : comme absent.",
            )
            extend_schema_field(champ)(filtre)


choix_documentes(CommuneFilter, MarcheFilter, SoutienFilter, StructureFilter)
