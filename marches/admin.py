from django.contrib import admin
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from .models import ClauseSociale, Marche, SuiviHeures, Titulaire


class TitulaireInline(admin.TabularInline):
    model = Titulaire
    extra = 0
    autocomplete_fields = ["structure"]


class ClauseSocialeInline(admin.TabularInline):
    model = ClauseSociale
    extra = 0
    fields = ["base_legale", "heures_prevues", "facilitateur_nom", "facilitateur_organisation"]
    # The hours done are entered on the clause's own page.
    show_change_link = True


@admin.register(Marche)
class MarcheAdmin(SimpleHistoryAdmin):
    list_display = [
        "id_decp",
        "objet_court",
        "commune",
        "epci",
        "montant",
        "date_notification",
        "a_consideration_sociale",
    ]
    list_filter = [
        "publie",
        "incomplet",
        "sociales_connues",
        "clause_sociale",
        "critere_social",
        "marche_reserve",
        "clause_environnementale",
        "critere_environnemental",
        "procedure",
        "nature",
        "commune__departement",
    ]
    list_select_related = ["commune", "epci"]
    search_fields = ["id_decp", "acheteur_siret", "code_cpv", "objet", "commune__nom"]
    autocomplete_fields = ["commune", "epci"]
    readonly_fields = [
        "montant_initial",
        "duree_mois_initiale",
        "incomplet",
        "manques",
        "cle_lot",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "date_notification"
    # Counting 200,000 rows on every page is wasted time.
    show_full_result_count = False
    inlines = [TitulaireInline, ClauseSocialeInline]

    @admin.display(description="objet", ordering="objet")
    def objet_court(self, marche):
        return Truncator(marche.objet).chars(80)

    @admin.display(description="considération sociale", boolean=True)
    def a_consideration_sociale(self, marche):
        return marche.a_consideration_sociale


@admin.register(Titulaire)
class TitulaireAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "type_identifiant", "identifiant", "marche", "structure"]
    list_filter = ["type_identifiant", ("structure", admin.EmptyFieldListFilter)]
    list_select_related = ["marche", "structure"]
    search_fields = ["identifiant", "denomination", "marche__id_decp"]
    autocomplete_fields = ["marche", "structure"]
    show_full_result_count = False


class SuiviHeuresInline(admin.TabularInline):
    model = SuiviHeures
    extra = 0
    fields = [
        "periode_debut",
        "periode_fin",
        "heures_realisees",
        "personnes_embauchees",
        "contrats_signes",
    ]


@admin.register(ClauseSociale)
class ClauseSocialeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "marche", "base_legale", "heures_prevues", "facilitateur_nom"]
    list_filter = ["base_legale"]
    search_fields = ["marche__id_decp", "marche__objet", "facilitateur_nom"]
    autocomplete_fields = ["marche"]
    inlines = [SuiviHeuresInline]

    def get_queryset(self, request):
        # __str__ reads the contract, and SuiviHeures autocompletes on clauses.
        return super().get_queryset(request).select_related("marche")

    def save_formset(self, request, form, formset, change):
        if formset.model is SuiviHeures:
            for suivi_form in formset.forms:
                if suivi_form.instance.pk is None:
                    suivi_form.instance.saisi_par = request.user
        super().save_formset(request, form, formset, change)


@admin.register(SuiviHeures)
class SuiviHeuresAdmin(SimpleHistoryAdmin):
    list_display = [
        "clause",
        "periode_debut",
        "periode_fin",
        "heures_realisees",
        "personnes_embauchees",
        "contrats_signes",
    ]
    list_select_related = ["clause__marche"]
    search_fields = ["clause__marche__id_decp", "clause__marche__objet"]
    autocomplete_fields = ["clause"]
    readonly_fields = ["saisi_par", "created_at"]
    date_hierarchy = "periode_debut"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.saisi_par = request.user
        super().save_model(request, obj, form, change)
