import django_filters
from django import forms
from django.db.models import Q

from commune.models import Departement

from .models import GroupeSecteur, Structure, TypeStructure


class StructureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Nom, enseigne ou SIRET",
        method="filtrer_texte",
        widget=forms.TextInput({"type": "search"}),
    )
    type = django_filters.ModelChoiceFilter(
        label="Type de structure",
        queryset=TypeStructure.objects.all(),
        to_field_name="code",
        empty_label="Tous les types",
    )
    groupe = django_filters.ModelChoiceFilter(
        label="Secteur d'activité",
        field_name="secteurs__groupe",
        queryset=GroupeSecteur.objects.all(),
        to_field_name="slug",
        empty_label="Tous les secteurs",
        distinct=True,
    )
    departement = django_filters.ModelChoiceFilter(
        label="Département",
        field_name="commune__departement",
        queryset=Departement.objects.all(),
        to_field_name="code",
        empty_label="Tous les départements",
    )

    class Meta:
        model = Structure
        fields = ["q", "type", "groupe", "departement"]

    def filtrer_texte(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(nom__icontains=value) | Q(enseigne__icontains=value) | Q(siret=value.replace(" ", ""))
        )
