from django.contrib import admin
from django.db import models
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .enums import TypeReferentiel
from .models import (
    Action,
    Avis,
    Axe,
    Engagement,
    Jalon,
    Preuve,
    Referentiel,
    ScoreSnapshot,
    Signature,
    StatutAvis,
)

# Django 6 will assume https for a link typed without a scheme; do it already.
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def libelle_action(action):
    # Both referentials number their actions 1.1, 1.2…: a select must tell them apart.
    return f"{action.referentiel.get_type_display()} — {action}"


class AxeInline(admin.TabularInline):
    model = Axe
    extra = 0
    fields = ["numero", "titre", "resume"]
    show_change_link = True


@admin.register(Referentiel)
class ReferentielAdmin(admin.ModelAdmin):
    list_display = ["titre", "code", "version", "type", "actif"]
    list_filter = ["type", "actif"]
    search_fields = ["titre", "code"]
    inlines = [AxeInline]


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["code", "titre", "poids", "ordre"]
    show_change_link = True


@admin.register(Axe)
class AxeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "referentiel"]
    list_filter = ["referentiel"]
    list_select_related = ["referentiel"]
    search_fields = ["titre"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["code", "titre", "axe", "referentiel", "poids", "ordre"]
    list_filter = ["referentiel", "axe"]
    list_select_related = ["axe", "referentiel"]
    search_fields = ["code", "titre"]
    # The referential follows the axis (Action.save); shown, never typed.
    readonly_fields = ["referentiel"]
    filter_horizontal = ["correspondances"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "axe":
            field.queryset = field.queryset.select_related("referentiel")
            field.label_from_instance = lambda axe: f"{axe.referentiel.code} — {axe}"
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "correspondances":
            kwargs["queryset"] = Action.objects.filter(referentiel__type=TypeReferentiel.GUIDE)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Signature)
class SignatureAdmin(SimpleHistoryAdmin):
    list_display = ["commune", "referentiel", "date_signature", "deliberation_numero"]
    list_filter = ["referentiel", "commune__departement"]
    list_select_related = ["commune", "referentiel"]
    search_fields = ["commune__nom", "commune__code_insee", "deliberation_numero"]
    autocomplete_fields = ["commune"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "date_signature"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class PreuveInline(admin.TabularInline):
    model = Preuve
    extra = 0
    fields = ["titre", "nature", "url", "fichier", "date", "publique"]
    formfield_overrides = URL_HTTPS


class JalonInline(admin.TabularInline):
    model = Jalon
    extra = 0
    fields = ["date", "titre", "description", "atteint"]


@admin.register(Engagement)
class EngagementAdmin(SimpleHistoryAdmin):
    list_display = ["commune", "action", "statut", "avancement", "date_cible", "updated_at"]
    list_filter = ["statut", "action__referentiel", "commune__departement"]
    search_fields = ["commune__nom", "commune__code_insee", "action__code", "action__titre"]
    autocomplete_fields = ["commune", "pilote"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "updated_at"
    inlines = [PreuveInline, JalonInline]

    def get_queryset(self, request):
        # __str__ reads both, and other admins autocomplete on engagements.
        return super().get_queryset(request).select_related("commune", "action")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "action":
            field.queryset = field.queryset.select_related("referentiel")
            field.label_from_instance = libelle_action
        return field

    def save_formset(self, request, form, formset, change):
        if formset.model is Preuve:
            for preuve_form in formset.forms:
                if preuve_form.instance.pk is None:
                    preuve_form.instance.created_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(Preuve)
class PreuveAdmin(SimpleHistoryAdmin):
    list_display = ["titre", "engagement", "nature", "date", "publique"]
    list_filter = ["nature", "publique"]
    list_select_related = ["engagement__commune", "engagement__action"]
    search_fields = ["titre", "engagement__commune__nom", "engagement__commune__code_insee"]
    autocomplete_fields = ["engagement"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "date"
    formfield_overrides = URL_HTTPS

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Jalon)
class JalonAdmin(SimpleHistoryAdmin):
    list_display = ["titre", "engagement", "date", "atteint"]
    list_filter = ["atteint"]
    list_select_related = ["engagement__commune", "engagement__action"]
    search_fields = ["titre", "engagement__commune__nom", "engagement__commune__code_insee"]
    autocomplete_fields = ["engagement"]
    date_hierarchy = "date"


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(admin.ModelAdmin):
    list_display = ["commune", "referentiel", "date", "avancement", "taux_engagement", "courant"]
    list_filter = ["referentiel", "courant"]
    list_select_related = ["commune", "referentiel"]
    search_fields = ["commune__nom", "commune__code_insee"]
    autocomplete_fields = ["commune"]
    date_hierarchy = "date"
    # Moved by the app only, which keeps exactly one current snapshot a commune.
    readonly_fields = ["courant"]


@admin.register(Avis)
class AvisAdmin(admin.ModelAdmin):
    """Platform staff moderate every commune's opinions here (the admins of a commune do
    it in its member area), and may record one received another way, with its author's
    consent."""

    list_display = ["created_at", "commune", "code_action", "auteur", "statut", "moderated_by"]
    list_filter = ["statut", "commune__departement"]
    list_select_related = ["commune", "action", "moderated_by"]
    search_fields = ["message", "nom", "commune__nom", "commune__code_insee"]
    date_hierarchy = "created_at"
    fields = [
        "commune",
        "action",
        "nom",
        "message",
        "consentement",
        "statut",
        "created_at",
        "moderated_by",
        "moderated_at",
    ]
    autocomplete_fields = ["commune"]
    actions = ["approuver", "refuser"]

    @admin.display(description="action", ordering="action__code")
    def code_action(self, avis):
        return avis.action.code

    def get_readonly_fields(self, request, obj=None):
        moderation = ["created_at", "moderated_by", "moderated_at"]
        if obj is None:
            return moderation
        # What the citizen wrote is theirs: staff publish it or not, never rewrite it.
        return ["commune", "action", "nom", "message", "consentement", *moderation]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "consentement" in form.base_fields:
            form.base_fields["consentement"].required = True
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "action":
            field.queryset = field.queryset.filter(
                referentiel__type=TypeReferentiel.GUIDE
            ).select_related("referentiel")
            field.label_from_instance = libelle_action
        return field

    def save_model(self, request, obj, form, change):
        if "statut" in form.changed_data and obj.statut != StatutAvis.EN_ATTENTE:
            obj.moderated_by, obj.moderated_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)

    def _moderer(self, request, queryset, statut):
        # One save per opinion, not queryset.update(): the cache of the public pages
        # is dropped by the signals a save sends.
        nombre = 0
        for avis in queryset.exclude(statut=statut):
            avis.moderer(statut=statut, par=request.user)
            nombre += 1
        self.message_user(request, f"{nombre} avis {StatutAvis(statut).label.lower()}(s).")

    @admin.action(description="Approuver les avis sélectionnés", permissions=["change"])
    def approuver(self, request, queryset):
        self._moderer(request, queryset, StatutAvis.APPROUVE)

    @admin.action(description="Refuser les avis sélectionnés", permissions=["change"])
    def refuser(self, request, queryset):
        self._moderer(request, queryset, StatutAvis.REFUSE)
