import datetime

from django.core.management.base import BaseCommand, CommandError

from reporting.ssda903 import extract, write_csv


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Write an SSDA903-style episodes extract of the reunification cohort as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="First day of the period, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="Last day of the period, YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="The CSV file to write")

    def handle(self, *args, start, end, output, **options):
        start, end = _date(start), _date(end)
        if end < start:
            raise CommandError("The end of the period is before its start")
        rows = extract(start, end)
        with open(output, "w", newline="", encoding="utf-8") as stream:
            write_csv(rows, stream)
        self.stdout.write(f"Wrote {len(rows)} episodes to {output}.")
