"""The database refuses overlapping placements and overlapping legal statuses for
one child, whatever writes them.

PostgreSQL: exclusion constraints over half-open date ranges (btree_gist lets the
child's id join the range in one GiST index). SQLite, the demo database, has no
exclusion constraints, so triggers do the same check there.
"""

from django.db import migrations

TABLES = {
    "cases_placement": "placement_no_overlap",
    "cases_legalstatus": "legal_status_no_overlap",
}

OPEN_END = "'9999-12-31'"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, name in TABLES.items():
        if vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist "
                "(child_id WITH =, daterange(start_date, end_date, '[)') WITH &&)"
            )
        elif vendor == "sqlite":
            clash = (
                f"EXISTS (SELECT 1 FROM {table} AS other WHERE other.child_id = NEW.child_id"
                " AND other.id IS NOT NEW.id"
                f" AND other.start_date < COALESCE(NEW.end_date, {OPEN_END})"
                f" AND NEW.start_date < COALESCE(other.end_date, {OPEN_END})"
                " AND NEW.start_date < COALESCE(NEW.end_date, " + OPEN_END + ")"
                " AND other.start_date < COALESCE(other.end_date, " + OPEN_END + "))"
            )
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                    f"WHEN {clash} BEGIN SELECT RAISE(ABORT, '{name}'); END"
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, name in TABLES.items():
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        elif vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
