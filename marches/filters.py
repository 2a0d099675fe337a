import django_filters
from django.db.models import Q

from .models import AVEC_CONSIDERATION_SOCIALE, Marche

FILTRES_CONSIDERATION = {
    "avec": AVEC_CONSIDERATION_SOCIALE,
    # Unknown is not "no": "sans" keeps the contracts known to have none.
    "sans": Q(sociales_connues=True) & ~AVEC_CONSIDERATION_SOCIALE,
    "inconnues": {"sociales_connues": False},
    "clause": {"clause_sociale": True},
    "critere": {"critere_social": True},
    "reserve": {"marche_reserve": True},
}


class MarcheFilter(django_filters.FilterSet):
    annee = django_filters.ChoiceFilter(
        label="Année de notification",
        field_name="date_notification",
        lookup_expr="year",
        empty_label="Toutes les années",
    )
    consideration = django_filters.ChoiceFilter(
        label="Considération sociale",
        choices=[
            ("avec", "Avec au moins une"),
            ("sans", "Sans considération sociale"),
            ("inconnues", "Considérations non renseignées"),
            ("clause", "Clause sociale"),
            ("critere", "Critère social"),
            ("reserve", "Marché réservé"),
        ],
        method="filtrer_consideration",
        empty_label="Tous les marchés",
    )

    class Meta:
        model = Marche
        fields = ["annee", "consideration"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The years that have contracts, newest first: one query, whatever their number.
        annees = self.queryset.order_by().dates("date_notification", "year", order="DESC")
        self.filters["annee"].extra["choices"] = [(str(d.year), str(d.year)) for d in annees]

    def filtrer_consideration(self, queryset, name, value):
        condition = FILTRES_CONSIDERATION[value]
        if isinstance(condition, dict):
            return queryset.filter(**condition)
        return queryset.filter(condition)

    @property
    def annee_choisie(self):
        """The year chosen in the form, or None."""
        if not self.is_bound or not self.form.is_valid():
            return None
        annee = self.form.cleaned_data.get("annee")
        return int(annee) if annee else None
