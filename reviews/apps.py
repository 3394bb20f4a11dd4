from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Decisions, reviews and deadlines"

    def ready(self):
        from cases.changes import on_case_changed
        from reviews.deadlines.refresh import refresh_case

        # Deadlines follow the records: the services that write them say so.
        on_case_changed(refresh_case)

        from reviews import overview_panel

        # The stage's task list on the case overview; cases does not import reviews.
        overview_panel.register()
