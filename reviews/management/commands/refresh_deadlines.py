from django.core.management.base import BaseCommand, CommandError

from reviews.deadlines.refresh import sweep


class Command(BaseCommand):
    help = "Recompute the deadlines of every open case from its records (the nightly sweep)."

    def handle(self, *args, **options):
        report = sweep()
        self.stdout.write(f"Deadlines refreshed for {report.cases} open cases.")
        self.stdout.write(f"{report.changed} deadline rows changed, {report.failed} cases failed.")
        if report.failed:
            raise CommandError(f"{report.failed} case(s) failed; see the log for their ids.")
