from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ComptesConfig(AppConfig):
    name = "comptes"
    verbose_name = "Comptes"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the checks and receivers)


class AdministrationConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the site of comptes.admin_site as `admin.site`."""

    default = False
    default_site = "comptes.admin_site.SiteAdministration"
