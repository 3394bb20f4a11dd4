from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = "Risk classification"

    def ready(self):
        # The assessment-stage records use the generic record pages of cases.
        from .records import register

        register()
