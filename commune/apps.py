from django.apps import AppConfig


class CommuneConfig(AppConfig):
    name = "commune"
    verbose_name = "Communes"
