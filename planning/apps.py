from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Support and planning"

    def ready(self):
        # Planning depends on cases, never the reverse: it adds its simple records
        # to the generic record pages of cases here.
        from .records import register

        register()
