from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = "Risk classification"

    def ready(self):
        from . import overview_panel
        from .records import register

        # The assessment-stage records use the generic record pages of cases.
        register()
        # The risk panel of the case overview; cases does not import risk.
        overview_panel.register()
