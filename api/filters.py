"""Filters of the API lists. The communes and structures lists use the web directories'
own FilterSets (commune.filters, structures.filters), so a filter means the same thing
on both; the contracts and supports lists, which have no directory, have theirs here."""

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commune import filters as filtres_communes
from commune.models import Departement
from marches.filters import FILTRES_CONSIDERATION
from marches.models import Marche
from structures import filters as filtres_structures
from structures.enums import TypeSoutien
from structures.models import Soutien

__all__ = [
    "CommuneFilter",
    "MarcheCommuneFilter",
    "MarcheFilter",
    "SoutienFilter",
    "StructureFilter",
]


class CommuneFilter(filtres_communes.CommuneFilter):
    """The directory's filters as they are. The band of avancement filters on an
    annotation, whose type the schema cannot guess: it is said here."""


_score = CommuneFilter.base_filters["score"]
extend_schema_field(
    serializers.ChoiceField(choices=[(v, v) for v, *_ in filtres_communes.TRANCHES_SCORE])
)(_score)


class MarcheCommuneFilter(django_filters.FilterSet):
    """The contracts of one commune."""

    annee = django_filters.NumberFilter(
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
    annee = django_filters.NumberFilter(label="Année du soutien (AAAA)")
    type = django_filters.ChoiceFilter(label="Type de soutien", choices=TypeSoutien.choices)

    class Meta:
        model = Soutien
        fields = ["commune", "structure", "annee", "type"]


class StructureFilter(filtres_structures.StructureFilter):
    """The structures directory's filters as they are; the served commune is typed as
    text (a code INSEE, or a name with its département), which the schema is told."""


extend_schema_field(serializers.CharField())(StructureFilter.base_filters["commune"])
