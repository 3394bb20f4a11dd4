from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Decisions, reviews and deadlines"

    def ready(self):
        from reviews.signals import connect

        connect()
