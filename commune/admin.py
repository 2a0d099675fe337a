from django.contrib import admin, messages
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from .enums import TranchePopulation
from .fusion import donnees_restantes, filtre_donnees_restantes
from .models import (
    EPCI,
    CodePostal,
    Commune,
    CommuneRattachee,
    DemandeAdhesion,
    Departement,
    EluReferent,
    InvitationCommune,
    MembreCommune,
    Rapport,
    Region,
)
from .services import demandes_adhesion_accepter, demandes_adhesion_refuser, demandes_refuser


class DemandeAdminBase(admin.ModelAdmin):
    """Staff decide on requests to join through two actions, never by editing the status."""

    list_filter = ["statut"]
    readonly_fields = ["statut", "decided_by", "decided_at", "created_at"]
    date_hierarchy = "created_at"
    actions = ["accepter", "refuser"]
    # Keyword-only functions (demandes, decided_by) -> number of requests decided.
    accepter_demandes = None
    refuser_demandes = staticmethod(demandes_refuser)

    @admin.action(description="Accepter les demandes sélectionnées", permissions=["change"])
    def accepter(self, request, queryset):
        acceptees = type(self).accepter_demandes(demandes=queryset, decided_by=request.user)
        self.signaler(request, acceptees, queryset.count(), "acceptée")

    @admin.action(description="Refuser les demandes sélectionnées", permissions=["change"])
    def refuser(self, request, queryset):
        refusees = type(self).refuser_demandes(demandes=queryset, decided_by=request.user)
        self.signaler(request, refusees, queryset.count(), "refusée")

    def signaler(self, request, traitees, selectionnees, participe):
        """'2 demandes acceptées, 1 ignorée (déjà traitée).'"""
        pluriel = "s" if traitees > 1 else ""
        texte = f"{traitees} demande{pluriel} {participe}{pluriel}"
        ignorees = selectionnees - traitees
        if ignorees:
            pluriel = "s" if ignorees > 1 else ""
            texte += f", {ignorees} ignorée{pluriel} (déjà traitée{pluriel})"
        self.message_user(request, texte + ".", messages.SUCCESS if traitees else messages.WARNING)


class TranchePopulationFilter(admin.SimpleListFilter):
    title = "population"
    parameter_name = "population"

    def lookups(self, request, model_admin):
        return TranchePopulation.choices

    def queryset(self, request, queryset):
        if self.value() not in TranchePopulation.values:
            return queryset
        bas, haut = TranchePopulation(self.value()).bornes
        queryset = queryset.filter(population__gte=bas)
        return queryset.filter(population__lte=haut) if haut is not None else queryset


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["nom", "code"]
    search_fields = ["nom", "code"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["nom", "code"]


@admin.register(EPCI)
class EPCIAdmin(admin.ModelAdmin):
    list_display = ["nom", "siren", "nature", "population"]
    list_filter = ["nature"]
    search_fields = ["nom", "siren"]


class FusionFilter(admin.SimpleListFilter):
    """Merged communes, and among them those whose data staff still have to resolve:
    what could not move to the new commune because it already held the same."""

    title = "fusion"
    parameter_name = "fusion"

    def lookups(self, request, model_admin):
        return [
            ("actuelles", "Communes actuelles"),
            ("fusionnees", "Fusionnées"),
            ("a_reprendre", "Fusionnées, données à reprendre"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "actuelles":
            return queryset.filter(fusionnee_dans__isnull=True)
        if self.value() == "fusionnees":
            return queryset.filter(fusionnee_dans__isnull=False)
        if self.value() == "a_reprendre":
            return queryset.filter(fusionnee_dans__isnull=False).filter(filtre_donnees_restantes())
        return queryset


@admin.register(CommuneRattachee)
class CommuneRattacheeAdmin(admin.ModelAdmin):
    list_display = ["nom", "code", "type", "commune"]
    list_filter = ["type"]
    list_select_related = ["commune"]
    search_fields = ["nom", "code", "commune__nom", "commune__code_insee"]
    autocomplete_fields = ["commune"]


@admin.register(CodePostal)
class CodePostalAdmin(admin.ModelAdmin):
    list_display = ["code", "commune"]
    list_select_related = ["commune"]
    search_fields = ["code", "commune__nom", "commune__code_insee"]
    autocomplete_fields = ["commune"]


class CommuneRattacheeInline(admin.TabularInline):
    model = CommuneRattachee
    fk_name = "commune"
    extra = 0


class CodePostalInline(admin.TabularInline):
    model = CodePostal
    extra = 0


class MembreCommuneInline(admin.TabularInline):
    model = MembreCommune
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


class EluReferentInline(admin.StackedInline):
    model = EluReferent
    extra = 0
    readonly_fields = ["updated_at"]


@admin.register(Commune)
class CommuneAdmin(SimpleHistoryAdmin):
    list_display = [
        "nom",
        "code_insee",
        "departement",
        "epci",
        "population",
        "siren",
        "fusionnee_dans",
    ]
    list_filter = [FusionFilter, TranchePopulationFilter, "departement__region", "departement"]
    list_select_related = ["departement", "epci", "fusionnee_dans"]
    search_fields = ["nom", "code_insee", "siren", "siret_mairie"]
    autocomplete_fields = ["epci", "fusionnee_dans"]
    readonly_fields = ["donnees_a_reprendre", "created_at", "updated_at"]
    inlines = [EluReferentInline, MembreCommuneInline, CommuneRattacheeInline, CodePostalInline]

    @admin.display(description="données restées sur la commune fusionnée")
    def donnees_a_reprendre(self, commune):
        if commune.pk is None or commune.est_actuelle:
            return "—"
        restes = donnees_restantes(commune)
        if not restes:
            return "Aucune : tout a rejoint la commune actuelle."
        return ", ".join(f"{nombre} {quoi}" for quoi, nombre in restes.items()) + (
            f" : {commune.fusionnee_dans} en a déjà l'équivalent ; à fusionner ou supprimer "
            "à la main."
        )


@admin.register(MembreCommune)
class MembreCommuneAdmin(SimpleHistoryAdmin):
    list_display = ["user", "commune", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "commune"]
    search_fields = ["user__email", "user__last_name", "commune__nom", "commune__code_insee"]
    autocomplete_fields = ["user", "commune"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"


@admin.register(InvitationCommune)
class InvitationCommuneAdmin(admin.ModelAdmin):
    list_display = ["email", "commune", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["commune", "invited_by"]
    search_fields = ["email", "commune__nom", "commune__code_insee"]
    autocomplete_fields = ["commune", "invited_by"]
    readonly_fields = ["created_at", "accepted_at", "cancelled_at", "cancelled_by"]
    date_hierarchy = "created_at"


@admin.register(DemandeAdhesion)
class DemandeAdhesionAdmin(DemandeAdminBase):
    list_display = ["user", "commune", "statut", "created_at", "decided_by", "decided_at"]
    list_select_related = ["user", "commune", "decided_by"]
    search_fields = ["user__email", "user__last_name", "commune__nom", "commune__code_insee"]
    autocomplete_fields = ["user", "commune"]
    # Both decisions email the requester (commune/emails.py).
    accepter_demandes = staticmethod(demandes_adhesion_accepter)
    refuser_demandes = staticmethod(demandes_adhesion_refuser)


@admin.register(EluReferent)
class EluReferentAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "commune", "mandat", "depuis"]
    list_filter = ["commune__departement"]
    list_select_related = ["commune"]
    search_fields = ["nom", "commune__nom", "commune__code_insee"]
    autocomplete_fields = ["commune"]
    readonly_fields = ["updated_at"]


@admin.register(Rapport)
class RapportAdmin(admin.ModelAdmin):
    list_display = [
        "commune",
        "referentiel",
        "statut",
        "created_at",
        "finished_at",
        "pages",
        "tentatives",
        "publie",
    ]
    list_filter = ["statut", "publie", "referentiel"]
    list_select_related = ["commune", "referentiel"]
    search_fields = ["commune__nom", "commune__code_insee"]
    autocomplete_fields = ["commune", "requested_by"]
    # Written by the worker that builds the PDF.
    readonly_fields = [
        "sha256",
        "taille",
        "pages",
        "tentatives",
        "erreur",
        "created_at",
        "started_at",
        "finished_at",
        "published_at",
    ]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        if "publie" in form.changed_data:
            obj.published_at = timezone.now() if obj.publie else None
        super().save_model(request, obj, form, change)
