import django_filters
from django import forms
from django.db.models import Q

from commune.models import Departement

from .forms import ChampCommune
from .models import GroupeSecteur, Reseau, Secteur, Structure, TypePrestation, TypeStructure
from .siret import siret_normalise

# tri → order_by: a unique key last, so that pages never overlap.
TRIS = {
    "nom": ("nom", "pk"),
    "maj": ("-updated_at", "pk"),
    "type": ("type__nom", "nom", "pk"),
}


def secteurs_par_groupe():
    """The sectors as <optgroup>s of their group, in one query."""
    groupes = []
    for secteur in Secteur.objects.select_related("groupe").order_by(
        "groupe__ordre", "groupe__nom", "nom"
    ):
        if not groupes or groupes[-1][0] != secteur.groupe.nom:
            groupes.append((secteur.groupe.nom, []))
        groupes[-1][1].append((secteur.slug, secteur.nom))
    return groupes


class CommuneServieFilter(django_filters.Filter):
    field_class = ChampCommune


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
        method="filtrer_type",
    )
    groupe = django_filters.ModelChoiceFilter(
        label="Secteur d'activité",
        field_name="secteurs__groupe",
        queryset=GroupeSecteur.objects.all(),
        to_field_name="slug",
        empty_label="Tous les secteurs",
        distinct=True,
    )
    secteur = django_filters.ChoiceFilter(
        label="Activité précise",
        field_name="secteurs__slug",
        choices=secteurs_par_groupe,
        empty_label="Toutes les activités",
        distinct=True,
    )
    departement = django_filters.ModelChoiceFilter(
        label="Département d'implantation",
        field_name="commune__departement",
        queryset=Departement.objects.all(),
        to_field_name="code",
        empty_label="Tous les départements",
    )
    commune = CommuneServieFilter(
        label="Commune desservie (code INSEE ou nom)",
        method="filtrer_commune",
        help_text="Les structures implantées dans la commune ou qui y interviennent, "
        "directement ou par son EPCI ou son département.",
    )
    reseau = django_filters.ModelChoiceFilter(
        label="Réseau",
        field_name="reseaux",
        queryset=Reseau.objects.all(),
        to_field_name="slug",
        empty_label="Tous les réseaux",
        distinct=True,
    )
    prestation = django_filters.ModelChoiceFilter(
        label="Type de prestation",
        field_name="types_prestation",
        queryset=TypePrestation.objects.all(),
        to_field_name="code",
        empty_label="Toutes les prestations",
        distinct=True,
    )
    tri = django_filters.ChoiceFilter(
        label="Trier par",
        choices=[
            ("nom", "Nom (de A à Z)"),
            ("maj", "Dernière mise à jour"),
            ("type", "Type de structure"),
        ],
        method="trier",
        empty_label=None,
    )

    class Meta:
        model = Structure
        fields = [
            "q",
            "type",
            "groupe",
            "secteur",
            "departement",
            "commune",
            "reseau",
            "prestation",
            "tri",
        ]

    def filtrer_texte(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(nom__icontains=value) | Q(enseigne__icontains=value) | Q(siret=siret_normalise(value))
        )

    def filtrer_type(self, queryset, name, type_):
        """Its main kind or one of its other kinds (an ACI that is also an AI)."""
        if type_ is None:
            return queryset
        return queryset.filter(Q(type=type_) | Q(autres_types=type_)).distinct()

    def filtrer_commune(self, queryset, name, commune):
        return queryset.serving(commune) if commune else queryset

    def trier(self, queryset, name, value):
        return queryset.order_by(*TRIS.get(value, TRIS["nom"]))
