from django.contrib import admin, messages
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from commune.admin import DemandeAdminBase

from .models import (
    DemandeRattachement,
    GroupeSecteur,
    InvitationStructure,
    MembreStructure,
    Reseau,
    Secteur,
    Soutien,
    Structure,
    TypePrestation,
    TypeStructure,
)
from .services import demandes_rattachement_accepter, structures_verifier


@admin.register(TypeStructure)
class TypeStructureAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "famille"]
    list_filter = ["famille"]
    search_fields = ["code", "nom"]


@admin.register(TypePrestation)
class TypePrestationAdmin(admin.ModelAdmin):
    list_display = ["nom", "code"]
    search_fields = ["nom", "code"]


class SecteurInline(admin.TabularInline):
    model = Secteur
    extra = 0
    prepopulated_fields = {"slug": ["nom"]}


@admin.register(GroupeSecteur)
class GroupeSecteurAdmin(admin.ModelAdmin):
    list_display = ["nom", "ordre", "slug"]
    search_fields = ["nom"]
    prepopulated_fields = {"slug": ["nom"]}
    inlines = [SecteurInline]


@admin.register(Secteur)
class SecteurAdmin(admin.ModelAdmin):
    list_display = ["nom", "groupe", "slug"]
    list_filter = ["groupe"]
    list_select_related = ["groupe"]
    search_fields = ["nom"]
    prepopulated_fields = {"slug": ["nom"]}


@admin.register(Reseau)
class ReseauAdmin(admin.ModelAdmin):
    list_display = ["nom", "slug"]
    search_fields = ["nom"]
    prepopulated_fields = {"slug": ["nom"]}


class MembreStructureInline(admin.TabularInline):
    model = MembreStructure
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


class SoutienInline(admin.TabularInline):
    model = Soutien
    extra = 0
    fields = ["commune", "type", "montant", "annee", "description"]
    autocomplete_fields = ["commune"]


@admin.register(Structure)
class StructureAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "enseigne", "siret", "type", "commune", "verifiee", "publiee"]
    list_filter = [
        "verifiee",
        "publiee",
        "type__famille",
        "type",
        "reseaux",
        "commune__departement",
    ]
    list_select_related = ["type", "commune"]
    search_fields = ["nom", "enseigne", "siret"]
    autocomplete_fields = ["commune", "zones_communes", "zones_epci", "zones_departements"]
    filter_horizontal = ["secteurs", "types_prestation", "reseaux"]
    readonly_fields = ["created_at", "updated_at"]
    # Django 6 will assume https for a link typed without a scheme; do it already.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            "Identité",
            {
                "fields": [
                    "siret",
                    "nom",
                    "enseigne",
                    "type",
                    "forme_juridique",
                    "description",
                    "logo",
                ]
            },
        ),
        ("Adresse", {"fields": ["adresse", "code_postal", "commune"]}),
        (
            "Contact",
            {
                "fields": [
                    ("email", "email_public"),
                    ("telephone", "telephone_public"),
                    ("site_web", "site_web_public"),
                ]
            },
        ),
        ("Activité", {"fields": ["secteurs", "types_prestation", "reseaux"]}),
        (
            "Zones d'intervention",
            {"fields": ["zones_communes", "zones_epci", "zones_departements"]},
        ),
        (
            "Chiffres",
            {
                "fields": [
                    ("etp_insertion", "etp_insertion_maj"),
                    ("personnes_accompagnees", "personnes_accompagnees_maj"),
                    ("taux_sorties_positives", "taux_sorties_positives_maj"),
                    "fin_conventionnement",
                ]
            },
        ),
        ("Publication", {"fields": ["verifiee", "publiee", "created_at", "updated_at"]}),
    ]
    inlines = [MembreStructureInline, SoutienInline]
    actions = ["marquer_verifiee"]

    @admin.action(description="Marquer comme vérifiée", permissions=["change"])
    def marquer_verifiee(self, request, queryset):
        verifiees = structures_verifier(structures=queryset)
        if verifiees:
            pluriel = "s" if verifiees > 1 else ""
            self.message_user(
                request, f"{verifiees} structure{pluriel} marquée{pluriel} comme vérifiée{pluriel}."
            )
        else:
            self.message_user(
                request,
                "Aucune structure à marquer : elles étaient déjà vérifiées.",
                messages.WARNING,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is Soutien:
            for soutien_form in formset.forms:
                if soutien_form.instance.pk is None:
                    soutien_form.instance.created_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(MembreStructure)
class MembreStructureAdmin(SimpleHistoryAdmin):
    list_display = ["user", "structure", "est_admin", "created_at"]
    list_filter = ["est_admin"]
    list_select_related = ["user", "structure"]
    search_fields = ["user__email", "user__last_name", "structure__nom", "structure__siret"]
    autocomplete_fields = ["user", "structure"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"


@admin.register(DemandeRattachement)
class DemandeRattachementAdmin(DemandeAdminBase):
    list_display = ["user", "structure", "statut", "created_at", "decided_by", "decided_at"]
    list_select_related = ["user", "structure", "decided_by"]
    search_fields = ["user__email", "user__last_name", "structure__nom", "structure__siret"]
    autocomplete_fields = ["user", "structure"]
    # Accepting emails the claimant (structures/emails.py). Refusing here stays the generic
    # refusal, without email; the staff page /espace/structures/demandes/ refuses with one.
    accepter_demandes = staticmethod(demandes_rattachement_accepter)


@admin.register(InvitationStructure)
class InvitationStructureAdmin(admin.ModelAdmin):
    list_display = ["email", "structure", "est_admin", "invited_by", "created_at", "accepted_at"]
    list_filter = ["est_admin", ("accepted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["structure", "invited_by"]
    search_fields = ["email", "structure__nom", "structure__siret"]
    autocomplete_fields = ["structure", "invited_by"]
    readonly_fields = ["created_at", "accepted_at", "cancelled_at", "cancelled_by"]
    date_hierarchy = "created_at"


@admin.register(Soutien)
class SoutienAdmin(SimpleHistoryAdmin):
    list_display = ["commune", "structure", "type", "montant", "annee"]
    list_filter = ["type", "annee", "commune__departement"]
    list_select_related = ["commune", "structure"]
    search_fields = ["commune__nom", "commune__code_insee", "structure__nom", "structure__siret"]
    autocomplete_fields = ["commune", "structure"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
