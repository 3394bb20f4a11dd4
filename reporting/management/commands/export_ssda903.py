import datetime
import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format

from cases.services import log_download
from reporting.ssda903 import extract, write_csv


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD") from None


def _account() -> str:
    """The operating-system account running the command, as far as it is known."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "an unknown account"


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
        # Logged like a download from the reports pages, before the file is written.
        log_download(
            user=None,
            report="SSDA903 extract",
            file_name=Path(output).name,
            scope=f"{date_format(start, 'j F Y')} to {date_format(end, 'j F Y')}; "
            "the whole council",
            row_count=len(rows),
            source=f"manage.py export_ssda903 --start {start} --end {end} --output {output}"
            f" (run by {_account()})",
        )
        with open(output, "w", newline="", encoding="utf-8") as stream:
            write_csv(rows, stream)
        self.stdout.write(f"Wrote {len(rows)} episodes to {output}.")
