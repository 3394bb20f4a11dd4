"""The database itself refuses a child's overlapping placements and overlapping
legal statuses, on whichever backend the tests run (SQLite triggers, PostgreSQL
exclusion constraints), however the rows are written: raw SQL, bulk_create and
queryset.update all bypass forms, services and model validation.

Periods are half-open, as cases.rules.periods_overlap says: one ending on the day
the next starts does not overlap it, and an open end runs on for ever.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from cases.models import LegalStatus, LegalStatusCode, Placement, PlacementType
from cases.rules import periods_overlap
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

D = datetime.date

# The rule's name in the database: SQLite's trigger raises it as its message,
# PostgreSQL names the exclusion constraint in its error. Both are IntegrityError.
RULE = {"placement": "placement_no_overlap", "legal status": "legal_status_no_overlap"}


def new_placement(child, start, end=None):
    return Placement(
        child=child,
        placement_type=PlacementType.U6,
        carer="Foster carer",
        start_date=start,
        end_date=end,
    )


def new_legal_status(child, start, end=None):
    return LegalStatus(child=child, code=LegalStatusCode.C2, start_date=start, end_date=end)


KINDS = {"placement": (Placement, new_placement), "legal status": (LegalStatus, new_legal_status)}


def raw_insert(record):
    """INSERT the row with plain SQL, as another program writing to the database would."""
    model = type(record)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    values = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
            f"VALUES ({placeholders})",
            values,
        )


def write_with_bulk_create(record):
    type(record).objects.bulk_create([record])


WRITERS = {"raw SQL": raw_insert, "bulk_create": write_with_bulk_create}

# (existing period, new period) pairs that overlap under half-open rules.
OVERLAPPING = [
    pytest.param((D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 5, 31), D(2025, 9, 1)), id="one-day"),
    pytest.param((D(2025, 1, 1), None), (D(2025, 8, 1), None), id="both-open"),
    pytest.param((D(2025, 1, 1), None), (D(2024, 6, 1), D(2025, 1, 2)), id="into-an-open-one"),
    pytest.param((D(2025, 3, 1), D(2025, 4, 1)), (D(2025, 1, 1), None), id="around"),
    pytest.param((D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 1, 1), D(2025, 6, 1)), id="same"),
]

# Pairs that do not: adjacent periods share a boundary day and nothing more.
NOT_OVERLAPPING = [
    pytest.param(
        (D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 6, 1), None), id="next-starts-as-it-ends"
    ),
    pytest.param(
        (D(2025, 6, 1), None), (D(2025, 1, 1), D(2025, 6, 1)), id="earlier-ends-as-it-starts"
    ),
    pytest.param((D(2025, 1, 1), D(2025, 6, 1)), (D(2025, 7, 1), D(2025, 8, 1)), id="apart"),
]


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("existing", "new"), OVERLAPPING)
def test_the_database_refuses_an_overlapping_period(kind, writer, existing, new):
    assert periods_overlap(*existing, *new)
    model, build = KINDS[kind]
    child = ChildFactory()
    build(child, *existing).save()

    with pytest.raises(IntegrityError, match=RULE[kind]), transaction.atomic():
        WRITERS[writer](build(child, *new))

    assert model.objects.filter(child=child).count() == 1


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("existing", "new"), NOT_OVERLAPPING)
def test_the_database_accepts_periods_that_do_not_overlap(kind, writer, existing, new):
    assert not periods_overlap(*existing, *new)
    model, build = KINDS[kind]
    child = ChildFactory()
    build(child, *existing).save()

    WRITERS[writer](build(child, *new))

    assert model.objects.filter(child=child).count() == 2


@pytest.mark.parametrize("kind", KINDS)
def test_the_database_refuses_an_update_that_makes_periods_overlap(kind):
    model, build = KINDS[kind]
    child = ChildFactory()
    build(child, D(2025, 1, 1), D(2025, 6, 1)).save()
    later = build(child, D(2025, 6, 1))
    later.save()

    with pytest.raises(IntegrityError, match=RULE[kind]), transaction.atomic():
        model.objects.filter(pk=later.pk).update(start_date=D(2025, 5, 1))

    later.refresh_from_db()
    assert later.start_date == D(2025, 6, 1)


@pytest.mark.parametrize("kind", KINDS)
def test_the_database_refuses_reopening_a_period_that_another_follows(kind):
    model, build = KINDS[kind]
    child = ChildFactory()
    earlier = build(child, D(2025, 1, 1), D(2025, 6, 1))
    earlier.save()
    build(child, D(2025, 6, 1)).save()

    with pytest.raises(IntegrityError, match=RULE[kind]), transaction.atomic():
        model.objects.filter(pk=earlier.pk).update(end_date=None)


@pytest.mark.parametrize("kind", KINDS)
def test_the_database_accepts_moving_a_period_up_to_the_next(kind):
    model, build = KINDS[kind]
    child = ChildFactory()
    earlier = build(child, D(2025, 1, 1), D(2025, 5, 1))
    earlier.save()
    build(child, D(2025, 6, 1)).save()

    # An update of a row is not refused for overlapping the row itself.
    assert model.objects.filter(pk=earlier.pk).update(end_date=D(2025, 6, 1)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_periods_of_different_children_may_overlap(kind):
    model, build = KINDS[kind]
    build(ChildFactory(), D(2025, 1, 1)).save()

    raw_insert(build(ChildFactory(), D(2025, 1, 1)))

    assert model.objects.count() == 2


def test_the_overlap_rule_is_installed_in_the_database():
    """Names what is missing if a migration rebuilt a table and lost its guard."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'x'")
        else:
            pytest.fail(f"No overlap rule is known for the {connection.vendor} backend")
        installed = {name for (name,) in cursor.fetchall()}

    if connection.vendor == "sqlite":
        expected = {
            f"{name}_{event}"
            for name in ("placement_no_overlap", "legal_status_no_overlap")
            for event in ("insert", "update")
        }
    else:
        expected = {"placement_no_overlap", "legal_status_no_overlap"}
    assert expected <= installed, f"missing: {sorted(expected - installed)}"
