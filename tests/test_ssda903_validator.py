"""The SSDA903 return passes the Department for Education's own checks (the
`csc-validator-be-903` rules for the collection year) on the demo and on a
generated population: no rule fails because of what the product wrote. The
rules the validator cannot run, or that need data beside the return, are named
in reporting.ssda903.validation and the README."""

import datetime
import io

import pytest
from django.core.management import call_command

from cases.models import Role
from reporting.ssda903 import Year, validation
from tests.factories import TeamFactory, UserFactory
from tests.ssda903_population import generate

pytest.importorskip("lac_validator")

# Rules that raise on the data; the two that always do (231, 233) are excluded.
CRASHING: set[str] = set()  # none once the excluded rules are left out


def failures(year: Year) -> list:
    result = validation.check(validation.tables_as_csv(year), year)
    assert set(result.crashed) <= CRASHING, result.crashed
    found = [(f.rule, f.message[:200], f.children[:3]) for f in result.failures]
    for failure in found:
        print("FAILING", *failure)
    return found


@pytest.mark.django_db
def test_the_demo_passes_the_departments_checks(settings):
    """Seeded up to today (December 2026): the year in progress, 2026/27, and
    the year before, 2025/26, with episodes still open on 31 March 2026."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    for year in (Year(2026), Year(2027)):
        assert failures(year) == [], year.label


@pytest.mark.django_db
def test_a_generated_population_passes_the_departments_checks():
    """120 children over three years: moves, changes of legal status, every kind
    of ending, missing and away spells, reviews and changes of social worker."""
    team = TeamFactory(name="Generated")
    iro = UserFactory(username="iro.generated")
    manager = UserFactory(username="tm.generated")
    for user, role in ((iro, Role.IRO), (manager, Role.TEAM_MANAGER)):
        user.role_grants.create(role=role)
    generate(120, team=team, iro=iro, recorded_by=manager, year_end=datetime.date(2026, 3, 31))
    year = Year(2026)
    files = validation.tables_as_csv(year)
    assert files["Episodes"].count(b"\n") > 120  # more than one episode a child
    assert b",X1," in files["Episodes"] and b",E4A," in files["Episodes"]
    assert failures(year) == []
