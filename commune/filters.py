import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from axes.enums import TypeReferentiel
from axes.models import Signature

from .enums import TranchePopulation
from .models import Commune, Departement, Region


class CommuneFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Nom ou code INSEE",
        method="filtrer_texte",
        widget=forms.TextInput({"type": "search"}),
    )
    departement = django_filters.ModelChoiceFilter(
        label="Département",
        queryset=Departement.objects.all(),
        to_field_name="code",
        empty_label="Tous les départements",
    )
    region = django_filters.ModelChoiceFilter(
        label="Région",
        field_name="departement__region",
        queryset=Region.objects.all(),
        to_field_name="code",
        empty_label="Toutes les régions",
    )
    population = django_filters.ChoiceFilter(
        label="Population",
        choices=TranchePopulation.choices,
        method="filtrer_population",
        empty_label="Toutes les tailles",
    )
    signe = django_filters.ChoiceFilter(
        label="Guide signé",
        choices=[("oui", "Oui"), ("non", "Non")],
        method="filtrer_signature",
        empty_label="Toutes les communes",
    )

    class Meta:
        model = Commune
        fields = ["q", "departement", "region", "population", "signe"]

    def filtrer_texte(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(nom__icontains=value) | Q(code_insee__iexact=value))

    def filtrer_population(self, queryset, name, value):
        bas, haut = TranchePopulation(value).bornes
        queryset = queryset.filter(population__gte=bas)
        return queryset.filter(population__lte=haut) if haut is not None else queryset

    def filtrer_signature(self, queryset, name, value):
        signe = Exists(
            Signature.objects.filter(
                commune=OuterRef("pk"), referentiel__type=TypeReferentiel.GUIDE
            )
        )
        return queryset.filter(signe) if value == "oui" else queryset.exclude(signe)
