from django.core.management.base import BaseCommand

from reviews.deadlines.refresh import refresh_all


class Command(BaseCommand):
    help = "Recompute the deadlines of every open case from its records."

    def handle(self, *args, **options):
        count = refresh_all()
        self.stdout.write(f"Deadlines refreshed for {count} open cases.")
