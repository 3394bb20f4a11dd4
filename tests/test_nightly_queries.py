"""The nightly reminder run's queries, pinned: a batch of digests costs the same
few queries whatever its size (the claim, the people's roles, their items), and
each email one more (its result, written the moment it is sent)."""

from django.core import mail

from tests.test_reminders import (  # noqa: F401 - the clock and settings fixtures
    DAY,
    clock,
    many_people,
    queries_of_a_run,
    reminder_settings,
)

# Finding the people and creating their digests (2); the first claim in its
# savepoint (5: the savepoint, the candidates, the claim, its release, reading
# the batch back); the roles of the batch's people, their own items, the team
# managers among them (3; with no manager among them, no team's late items); the
# second claim, which finds none (3).
RUN = 13


def test_a_run_costs_a_fixed_number_of_queries_and_one_per_email(north, team_manager):
    many_people(north, team_manager, 6, deadlines_each=2)

    queries, report = queries_of_a_run(DAY, batch_size=10)

    assert report.sent == 6 and len(mail.outbox) == 6
    assert queries == RUN + report.sent
