"""Put back the SQLite triggers that refuse overlapping placements and overlapping
legal statuses for one child.

0002 created them, but on SQLite 0006 rebuilt cases_placement and
cases_legalstatus (adding a NOT NULL column with a default copies each table into
a new one) and a rebuilt table loses its triggers. PostgreSQL kept its exclusion
constraints, so this does nothing there.

The check is the same as 0002's and as PostgreSQL's exclusion constraint over
daterange(start_date, end_date, '[)'): periods are half-open, an open end runs on
for ever, a period ending on the day another starts does not overlap it, and an
empty period (ending the day it starts) overlaps nothing. Idempotent: each trigger
is dropped if it exists, then created.

Any later migration that makes SQLite rebuild either table drops these triggers
again and must restore them the same way; tests/test_database_constraints.py fails
if it does not.
"""

from django.db import migrations

TABLES = {
    "cases_placement": "placement_no_overlap",
    "cases_legalstatus": "legal_status_no_overlap",
}

OPEN_END = "'9999-12-31'"


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, name in TABLES.items():
        clash = (
            f"EXISTS (SELECT 1 FROM {table} AS other WHERE other.child_id = NEW.child_id"
            " AND other.id IS NOT NEW.id"
            f" AND other.start_date < COALESCE(NEW.end_date, {OPEN_END})"
            f" AND NEW.start_date < COALESCE(other.end_date, {OPEN_END})"
            f" AND NEW.start_date < COALESCE(NEW.end_date, {OPEN_END})"
            f" AND other.start_date < COALESCE(other.end_date, {OPEN_END}))"
        )
        for event in ("INSERT", "UPDATE"):
            trigger = f"{name}_{event.lower()}"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE {event} ON {table} "
                f"WHEN {clash} BEGIN SELECT RAISE(ABORT, '{name}'); END"
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_record_version")]

    # Unapplying leaves the triggers in place: the data rule still holds, and
    # 0002's reverse drops them if the migrations are unwound that far.
    operations = [migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop)]
