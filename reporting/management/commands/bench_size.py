import json

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from cases.models import ReunificationCase
from reporting.benchmark import ensure_deadlines, measure


class Command(BaseCommand):
    help = "Seed this database up to N cases (if needed) and measure it; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, cases, repeat, **options):
        call_command("migrate", verbosity=0)
        have = ReunificationCase.objects.count()
        seeded = have < cases
        if have == 0:
            call_command("seed_demo", stdout=self.stderr)
            have = ReunificationCase.objects.count()
        if have < cases:
            call_command("seed_demo", cases=cases - have, stdout=self.stderr)
        if ensure_deadlines() or seeded:
            # Bulk loading leaves the planner's statistics behind; autovacuum would
            # catch up within minutes in production, so measure as it would then.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(json.dumps(measure(repeat)))
