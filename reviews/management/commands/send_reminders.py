import datetime

from django.core.management.base import BaseCommand, CommandError

from reunification.clock import today
from reviews.reminders.digests import send_digests


class Command(BaseCommand):
    help = "Send the reminder digests for a day (default: today). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to send for, as YYYY-MM-DD")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else today()
        except ValueError:
            raise CommandError("Give the date as YYYY-MM-DD, for example 2026-11-23") from None
        report = send_digests(day)
        self.stdout.write(
            f"Reminders for {day:%Y-%m-%d}: {report.sent} sent, "
            f"{report.skipped} already sent or being sent, {report.failed} failed, "
            f"{report.nothing_to_send} with nothing left to send."
        )
        if report.failed:
            raise CommandError(f"{report.failed} digest(s) failed; run again to retry them.")
