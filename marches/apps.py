from django.apps import AppConfig


class MarchesConfig(AppConfig):
    name = "marches"
    verbose_name = "Marchés publics et clauses sociales"

    def ready(self):
        from . import signals

        signals.connecter()
