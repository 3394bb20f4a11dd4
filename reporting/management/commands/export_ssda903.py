import datetime
import getpass
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format

from cases.services import log_download
from reporting.ssda903 import Year, extract, write_csv, write_zip


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD") from None


def _year(value: str) -> Year:
    if not (value.isdigit() and len(value) == 4 and 2020 <= int(value) <= 2100):
        raise CommandError(f"{value!r} is not a collection year; give the year it ends, like 2026")
    return Year(int(value))


def _account() -> str:
    """The operating-system account running the command, as far as it is known."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "an unknown account"


class Command(BaseCommand):
    help = (
        "Write the SSDA903 return for a collection year (--year 2026 is 2025/26) as a zip "
        "of its tables; or, with --start and --end, the one-file episodes extract of the "
        "reunification cohort."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", help="The collection year, by the year it ends (2026)")
        parser.add_argument("--start", help="First day of the period, YYYY-MM-DD")
        parser.add_argument("--end", help="Last day of the period, YYYY-MM-DD")
        parser.add_argument("--output", required=True, help="The file to write")

    def handle(self, *args, year, start, end, output, **options):
        if year:
            if start or end:
                raise CommandError("Give either --year or --start and --end, not both")
            return self._return(_year(year), output)
        if not (start and end):
            raise CommandError("Give --year, or both --start and --end")
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

    def _return(self, year: Year, output: str) -> None:
        spool, counts = write_zip(year)
        log_download(
            user=None,
            report="SSDA903 return",
            file_name=Path(output).name,
            scope=f"{year.label}; the whole council",
            row_count=counts["Episodes"],
            source=f"manage.py export_ssda903 --year {year.ending} --output {output}"
            f" (run by {_account()})",
        )
        with spool, open(output, "wb") as stream:
            shutil.copyfileobj(spool, stream)
        written = ", ".join(f"{count} {table}" for table, count in counts.items())
        self.stdout.write(f"Wrote the {year.label} return to {output}: {written}.")
