import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef

from axes.enums import TypeReferentiel
from axes.models import Signature

from .enums import TranchePopulation
from .models import Commune, Departement, Region

# Bands of avancement (in %), for the directory filter and the national chart:
# (value, label, lower bound included, upper bound excluded — None: up to 100 included).
TRANCHES_SCORE = (
    ("0-25", "Moins de 25 %", 0, 25),
    ("25-50", "De 25 à moins de 50 %", 25, 50),
    ("50-75", "De 50 à moins de 75 %", 50, 75),
    ("75-100", "75 % et plus", 75, None),
)
TRIS = {
    "nom": ("Nom (de A à Z)", [F("nom").asc(), F("code_insee").asc()]),
    "-score": ("Avancement (du plus élevé au plus faible)", [F("score").desc()]),
    "score": ("Avancement (du plus faible au plus élevé)", [F("score").asc()]),
    "-population": (
        "Population (de la plus grande à la plus petite)",
        [F("population").desc(nulls_last=True)],
    ),
    "population": (
        "Population (de la plus petite à la plus grande)",
        [F("population").asc(nulls_last=True)],
    ),
    "-maj": ("Dernière mise à jour (la plus récente d'abord)", [F("maj").desc(nulls_last=True)]),
}


def demande_le_score(parametres):
    """Whether these parameters sort or filter on the `score` annotation, a join on the
    current snapshot of every commune that the other lists do without."""
    return bool(parametres.get("score")) or parametres.get("tri", "").lstrip("-") == "score"


class CommuneFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Nom, code INSEE ou code postal",
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

    score = django_filters.ChoiceFilter(
        label="Avancement",
        choices=[(valeur, libelle) for valeur, libelle, _, _ in TRANCHES_SCORE],
        method="filtrer_score",
        empty_label="Tous les avancements",
    )
    tri = django_filters.ChoiceFilter(
        label="Trier par",
        choices=[(valeur, libelle) for valeur, (libelle, _) in TRIS.items()],
        method="trier",
        empty_label=None,
    )

    class Meta:
        model = Commune
        fields = ["q", "departement", "region", "population", "signe", "score", "tri"]

    def filtrer_texte(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.recherche(value)

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

    def filtrer_score(self, queryset, name, value):
        """On the `score` annotation: the avancement of the commune's current snapshot."""
        _, _, bas, haut = next(t for t in TRANCHES_SCORE if t[0] == value)
        queryset = queryset.filter(score__gte=bas)
        return queryset.filter(score__lt=haut) if haut is not None else queryset

    def trier(self, queryset, name, value):
        # Ties keep the alphabetical order, so that pages never overlap.
        return queryset.order_by(*TRIS[value][1], "nom", "code_insee")
