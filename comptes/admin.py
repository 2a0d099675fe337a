from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone

from .models import EchecConnexion, JetonAcces, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name"]}),
        (
            "Droits",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


@admin.register(JetonAcces)
class JetonAccesAdmin(admin.ModelAdmin):
    """Staff see and revoke tokens; only their owner creates one, from the account page,
    where it is shown once."""

    list_display = ["nom", "user", "prefixe", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["nom", "prefixe", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "nom", "prefixe", "created_at", "last_used_at", "revoked_at"]
    fields = readonly_fields
    actions = ["revoquer"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoquer(self, request, queryset):
        nombre = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{nombre} jeton(s) révoqué(s).")


@admin.register(EchecConnexion)
class EchecConnexionAdmin(admin.ModelAdmin):
    """Wrong passwords, read-only: deleting a client's rows lifts its lock at once."""

    list_display = ["identifiant", "ip", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["identifiant", "ip"]
    readonly_fields = ["identifiant", "ip", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
