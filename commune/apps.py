from django.apps import AppConfig


class CommuneConfig(AppConfig):
    name = "commune"
    verbose_name = "Communes"

    def ready(self):
        from . import signals

        signals.connecter()
