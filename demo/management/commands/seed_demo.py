"""Load demo users and cases. Development only: the users share a known password."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import seed as seeding
from demo import stories


class Command(BaseCommand):
    help = (
        f"Create demo users (one per role, password {stories.DEMO_PASSWORD}) and about 30 "
        "demo cases, played through the product's services; with --cases N, create N more "
        "cases in bulk for scale tests instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cases",
            type=int,
            metavar="N",
            help="Create N more cases in bulk (for 1,000 to 100,000 cases), instead of the "
            "default demo cases.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=stories.DEFAULT_SEED,
            help="Seed for the random choices, so a run can be repeated (default %(default)s).",
        )

    def handle(self, *args, cases=None, seed=stories.DEFAULT_SEED, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with a published password, so it runs only with "
                "DEBUG on (DEBUG=1). Never run it against a live database."
            )
        if cases is not None and cases < 1:
            raise CommandError("--cases must be at least 1")
        try:
            report = seeding.seed(cases=cases, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
