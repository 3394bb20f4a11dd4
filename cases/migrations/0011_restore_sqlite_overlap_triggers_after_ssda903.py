"""Put back the SQLite overlap triggers once more: on SQLite, 0010 rebuilt
cases_placement and cases_legalstatus (new columns for the SSDA903 return), and a
rebuilt table loses its triggers. The same idempotent function as 0007; nothing
happens on PostgreSQL, whose exclusion constraints survive."""

import importlib

from django.db import migrations

restore_sqlite_triggers = importlib.import_module(
    "cases.migrations.0007_restore_sqlite_overlap_triggers"
).restore_sqlite_triggers


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_ssda903_return")]

    operations = [migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop)]
