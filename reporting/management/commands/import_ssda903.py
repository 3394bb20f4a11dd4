from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reporting.ssda903.loading import load


class Command(BaseCommand):
    help = (
        "Load a council's existing SSDA903 return (the Header and Episodes CSV files, and the "
        "Reviews and Missing files if given): children created or matched by CHILD, their legal "
        "statuses and placements from the episodes, their Child in Care reviews and missing "
        "episodes. Nothing is loaded if any row is refused; --dry-run only reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--header", required=True, help="The Header table (CSV)")
        parser.add_argument("--episodes", required=True, help="The Episodes table (CSV)")
        parser.add_argument("--reviews", help="The Reviews table (CSV), if loading reviews")
        parser.add_argument("--missing", help="The Missing table (CSV), if loading missing spells")
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing")

    def handle(self, *args, header, episodes, reviews, missing, dry_run, **options):
        try:
            texts = [
                Path(name).read_text(encoding="utf-8-sig") if name else ""
                for name in (header, episodes, reviews, missing)
            ]
        except OSError as error:
            raise CommandError(f"Cannot read {error.filename}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError("The files must be CSV text in UTF-8") from None
        try:
            plan = load(*texts, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for refused in plan.refused:
            self.stdout.write(
                f"Refused: {refused.table} line {refused.row} ({refused.child}): {refused.reason}"
            )
        if plan.refused:
            raise CommandError(f"Nothing was loaded: {plan.summary()}.")
        verb = "Would load" if dry_run else "Loaded"
        self.stdout.write(f"{verb}: {plan.summary()}.")
