"""Every deadline is a row: `deadlines.refresh(case)` derives a case's deadlines
from its records (reviews, visits, recommendations, risk assessments, the return
home) and brings the Deadline rows into line; the signals run it once, after the
transaction commits.

Kayla Brightwater became looked after on Monday 5 January 2026 and lives with
foster carers (U6) under section 20 (V2). Sarah Wood is her social worker, Tina
Marsh the team manager, Ian Rowe her IRO. Today is Tuesday 10 March 2026.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from cases.models import Role, Stage, User
from reunification.clock import today
from reviews.aftercare import return_home, statutory
from reviews.deadlines import refresh as deadlines
from reviews.models import Deadline, DeadlineKind, Recommendation, ReviewType
from tests.factories import (
    ChildFactory,
    FamilyMemberFactory,
    LegalStatusFactory,
    PlacementFactory,
    open_case,
    put_on_care_order,
    signed_off_risk_assessment,
    submitted_risk_assessment,
)

D = datetime.date
LONDON = ZoneInfo("Europe/London")
TODAY = D(2026, 3, 10)
LOOKED_AFTER = D(2026, 1, 5)


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(noon(TODAY)) as traveller:
        yield traveller


@pytest.fixture
def kayla(everyone, team_manager, social_worker, iro):
    child = ChildFactory(first_name="Kayla", last_name="Brightwater")
    case = open_case(
        team_manager=team_manager,
        social_worker=social_worker,
        iro=iro,
        child=child,
        became_looked_after_on=LOOKED_AFTER,
    )
    LegalStatusFactory(child=child, code="V2", start_date=LOOKED_AFTER)
    PlacementFactory(child=child, placement_type="U6", start_date=LOOKED_AFTER)
    FamilyMemberFactory(case=case, name="Dawn Brightwater", relationship="Mother")
    return case


def rows(case) -> dict:
    """The case's deadlines: (kind, key) -> (due, who, done)."""
    return {
        (d.kind, d.key): (d.due_on, d.responsible, d.done_on)
        for d in Deadline.objects.filter(case=case).select_related("responsible")
    }


def open_rows(case) -> dict:
    return {identity: row for identity, row in rows(case).items() if row[2] is None}


def foster_placement(case):
    return case.child.placements.get(placement_type="U6")


def review(case, by, held_on, chair=None, **kwargs):
    if kwargs.get("review_type", ReviewType.CHILD_IN_CARE) == ReviewType.CHILD_IN_CARE:
        kwargs.setdefault("reunification_considered", True)
        kwargs.setdefault("reunification_outcome", "The plan for a return home continues.")
    return statutory.record_review(
        case=case,
        by=by,
        held_on=held_on,
        review_type=kwargs.pop("review_type", ReviewType.CHILD_IN_CARE),
        chair=chair or case.iro,
        attended="Kayla, her mother, her foster carer, Sarah Wood.",
        outcome="The plan continues.",
        **kwargs,
    )


def visit(case, by, visited_on):
    return statutory.record_visit(
        case=case, by=by, visited_on=visited_on, seen_alone=True, notes="Kayla settled."
    )


def commit_so_far() -> None:
    """What a commit does to the callbacks the setup queued: run each once, then
    forget them. (The test's own transaction never commits.)"""
    connection = transaction.get_connection()
    pending = list(connection.run_on_commit)
    connection.run_on_commit[:] = []
    for _, callback, _ in pending:
        callback()


# What refresh derives --------------------------------------------------------------


def test_refresh_creates_a_row_for_each_review_visit_recommendation_risk_date_and_sign_off(
    kayla, social_worker, team_manager, iro
):
    review(
        kayla,
        iro,
        D(2026, 1, 29),
        recommendations=[
            {"text": "Life story work to start", "owner": social_worker, "due_on": D(2026, 3, 20)}
        ],
    )
    visit(kayla, social_worker, D(2026, 1, 9))
    signed_off_risk_assessment(
        kayla, author=social_worker, manager=team_manager, level="high", assessed_on=D(2026, 3, 2)
    )
    awaiting = submitted_risk_assessment(
        kayla,
        author=social_worker,
        level="medium",
        assessed_on=TODAY,
        # Medium a week after High departs from the step rules.
        departure_rationale="New evidence from the substance misuse service.",
    )
    recommendation = Recommendation.objects.get(review__case=kayla)
    placement = foster_placement(kayla)

    deadlines.refresh(kayla)

    assert rows(kayla) == {
        # The first within 20 working days (2 February), held 29 January; the
        # second within three months of it.
        ("cic_review", "cic-1"): (D(2026, 2, 2), iro, D(2026, 1, 29)),
        ("cic_review", "cic-2"): (D(2026, 4, 29), iro, None),
        # Within a week of the placement, then at most six weeks apart.
        ("visit", f"visit-{placement.pk}-1"): (D(2026, 1, 12), social_worker, D(2026, 1, 9)),
        ("visit", f"visit-{placement.pk}-2"): (D(2026, 2, 20), social_worker, None),
        ("recommendation", f"rec-{recommendation.pk}"): (D(2026, 3, 20), social_worker, None),
        # High since 2 March without the risks being addressed.
        ("risk_reassess", "reassess-2026-09-02"): (D(2026, 9, 2), social_worker, None),
        ("risk_severe", "severe-2026-09-02"): (D(2026, 9, 2), social_worker, None),
        ("risk_severe", "severe-2026-09-02-tm"): (D(2026, 9, 2), team_manager, None),
        # Five working days to sign off the assessment sent today.
        ("sign_off", f"signoff-{awaiting.pk}"): (D(2026, 3, 17), team_manager, None),
    }
    assert Deadline.objects.get(kind="recommendation").what == (
        "IRO recommendation: Life story work to start"
    )


def test_a_new_case_is_due_its_first_review_and_first_visit(kayla, social_worker, iro):
    deadlines.refresh(kayla)

    placement = foster_placement(kayla)
    assert rows(kayla) == {
        ("cic_review", "cic-1"): (D(2026, 2, 2), iro, None),
        ("visit", f"visit-{placement.pk}-1"): (D(2026, 1, 12), social_worker, None),
    }
    assert Deadline.objects.get(kind="cic_review").what == "First Child in Care review"


def test_holding_a_review_marks_its_row_done_and_adds_the_next(kayla, iro):
    deadlines.refresh(kayla)
    assert open_rows(kayla)[("cic_review", "cic-1")] == (D(2026, 2, 2), iro, None)

    review(kayla, iro, D(2026, 1, 29))
    deadlines.refresh(kayla)

    assert rows(kayla)[("cic_review", "cic-1")] == (D(2026, 2, 2), iro, D(2026, 1, 29))
    assert rows(kayla)[("cic_review", "cic-2")] == (D(2026, 4, 29), iro, None)


def test_the_iro_asking_for_the_next_review_sooner_brings_its_row_forward(kayla, iro):
    review(kayla, iro, D(2026, 1, 29))
    review(kayla, iro, D(2026, 3, 9), next_review_requested_by=D(2026, 6, 1))

    deadlines.refresh(kayla)

    assert rows(kayla)[("cic_review", "cic-2")] == (D(2026, 4, 29), iro, D(2026, 3, 9))
    # Six months after 9 March would be 9 September; the IRO asked for 1 June.
    assert rows(kayla)[("cic_review", "cic-3")] == (D(2026, 6, 1), iro, None)


def test_a_visit_marks_its_row_done_and_the_next_falls_six_weeks_later(kayla, social_worker):
    deadlines.refresh(kayla)
    placement = foster_placement(kayla)

    visit(kayla, social_worker, D(2026, 1, 9))
    visit(kayla, social_worker, D(2026, 2, 19))
    deadlines.refresh(kayla)

    assert rows(kayla)[("visit", f"visit-{placement.pk}-2")] == (
        D(2026, 2, 20),
        social_worker,
        D(2026, 2, 19),
    )
    assert open_rows(kayla)[("visit", f"visit-{placement.pk}-3")] == (
        D(2026, 4, 2),
        social_worker,
        None,
    )


def test_completing_a_recommendation_marks_its_row_done(kayla, social_worker, iro):
    held = review(
        kayla,
        iro,
        D(2026, 1, 29),
        recommendations=[
            {"text": "Refer to CAMHS", "owner": social_worker, "due_on": D(2026, 2, 27)}
        ],
    )
    deadlines.refresh(kayla)
    recommendation = held.recommendations.get()

    statutory.complete_recommendation(
        recommendation=recommendation, by=social_worker, done_on=D(2026, 2, 20)
    )
    deadlines.refresh(kayla)

    assert rows(kayla)[("recommendation", f"rec-{recommendation.pk}")] == (
        D(2026, 2, 27),
        social_worker,
        D(2026, 2, 20),
    )


def test_refreshing_twice_creates_no_duplicates_and_changes_nothing(
    kayla, social_worker, team_manager, iro
):
    review(
        kayla,
        iro,
        D(2026, 1, 29),
        recommendations=[{"text": "Refer", "owner": social_worker, "due_on": D(2026, 3, 20)}],
    )
    visit(kayla, social_worker, D(2026, 1, 9))
    submitted_risk_assessment(kayla, author=social_worker, level="medium", assessed_on=TODAY)
    deadlines.refresh(kayla)
    first = {d.pk: (d.kind, d.key, d.due_on, d.done_on) for d in Deadline.objects.all()}

    deadlines.refresh(kayla)
    deadlines.refresh(kayla)

    assert {d.pk: (d.kind, d.key, d.due_on, d.done_on) for d in Deadline.objects.all()} == first
    assert len(first) == 6


def test_a_risk_date_that_moves_replaces_its_open_row(kayla, social_worker, team_manager):
    signed_off_risk_assessment(
        kayla, author=social_worker, manager=team_manager, level="high", assessed_on=D(2026, 3, 2)
    )
    deadlines.refresh(kayla)
    assert ("risk_reassess", "reassess-2026-09-02") in rows(kayla)

    signed_off_risk_assessment(
        kayla, author=social_worker, manager=team_manager, level="high", assessed_on=TODAY
    )
    deadlines.refresh(kayla)

    reassess = {key for kind, key in rows(kayla) if kind == DeadlineKind.RISK_REASSESS}
    assert reassess == {"reassess-2026-09-10"}


def test_a_signed_off_assessment_is_no_longer_waiting_for_sign_off(
    kayla, social_worker, team_manager
):
    from risk import services as risk_services

    awaiting = submitted_risk_assessment(kayla, author=social_worker, assessed_on=TODAY)
    deadlines.refresh(kayla)
    assert ("sign_off", f"signoff-{awaiting.pk}") in open_rows(kayla)

    risk_services.sign_off(assessment=awaiting, by=team_manager)
    deadlines.refresh(kayla)

    assert not Deadline.objects.filter(kind="sign_off").exists()


def test_sign_off_is_counted_from_the_london_day_the_assessment_was_sent(
    kayla, social_worker, team_manager, clock
):
    """Sent at 00:30 on Tuesday 2 June (British Summer Time, so 23:30 on the
    Monday in UTC): five working days from Tuesday is Tuesday 9 June."""
    clock.move_to(datetime.datetime(2026, 6, 2, 0, 30, tzinfo=LONDON))
    awaiting = submitted_risk_assessment(
        kayla, author=social_worker, level="medium", assessed_on=D(2026, 6, 1)
    )

    deadlines.refresh(kayla)

    assert rows(kayla)[("sign_off", f"signoff-{awaiting.pk}")] == (
        D(2026, 6, 9),
        team_manager,
        None,
    )


# After the return home -------------------------------------------------------------


def approve_ending_care(case, by, on):
    """Regulation 39: asked for by `by` and approved by the service director."""
    return_home.ask_to_cease_care(case=case, by=by, proposed_on=on, plan_after="Child in Need")
    return_home.decide_ceasing_care(
        case=case,
        by=User.objects.get(role_grants__role=Role.SERVICE_DIRECTOR),
        approved=True,
        decided_on=min(on, today()),
        rationale="Support after care is in place.",
    )


def go_home(case, by, *, on=TODAY, care_order=False):
    if not care_order:
        approve_ending_care(case, by, on)
    return return_home.record_return_home(
        case=case,
        by=by,
        returned_on=on,
        planned=False,
        unplanned_reason="Kayla left her foster home and went to her mother's.",
        returned_to="Dawn Brightwater (mother)",
        legal_status_after="care_order" if care_order else "child_in_need",
        episode_end_reason="" if care_order else "E4B",
    )


def test_after_a_return_under_a_child_in_need_plan_the_first_review_is_due_within_a_month(
    kayla, social_worker, iro
):
    review(kayla, iro, D(2026, 1, 29))
    visit(kayla, social_worker, D(2026, 1, 9))
    deadlines.refresh(kayla)
    placement = foster_placement(kayla)

    go_home(kayla, social_worker)
    deadlines.refresh(kayla)

    assert open_rows(kayla) == {
        ("review_after_return", "after-1"): (D(2026, 4, 10), social_worker, None),
        # No longer looked after: Child in Need visits, 20 working days apart
        # (Good Friday and Easter Monday skipped), not the placement's.
        ("cin_visit", "cin-visit-1"): (D(2026, 4, 9), social_worker, None),
        # The return was unplanned: the home is assessed, the household checked.
        ("home_assessment", "unplanned-home"): (D(2026, 3, 24), social_worker, None),
        ("police_after_return", "unplanned-police"): (D(2026, 3, 24), social_worker, None),
    }
    assert Deadline.objects.get(key="after-1").what == (
        "First review after the return (Child in Need, IRO invited)"
    )
    # What was done before the return stays on the record.
    assert rows(kayla)[("cic_review", "cic-1")][2] == D(2026, 1, 29)
    assert rows(kayla)[("visit", f"visit-{placement.pk}-1")][2] == D(2026, 1, 9)


def test_then_child_in_need_reviews_follow_at_the_councils_interval(kayla, social_worker, settings):
    settings.CIN_REVIEW_INTERVAL_MONTHS = 3
    go_home(kayla, social_worker)
    review(kayla, social_worker, D(2026, 4, 8), review_type=ReviewType.CHILD_IN_NEED)

    deadlines.refresh(kayla)

    assert open_rows(kayla) == {
        ("review_after_return", "after-2"): (D(2026, 7, 8), social_worker, None),
        ("cin_visit", "cin-visit-1"): (D(2026, 4, 9), social_worker, None),
        ("home_assessment", "unplanned-home"): (D(2026, 3, 24), social_worker, None),
        ("police_after_return", "unplanned-police"): (D(2026, 3, 24), social_worker, None),
    }
    assert Deadline.objects.get(key="after-2").what == "Child in Need review"


def test_placed_with_mother_on_an_interim_order_visits_are_weekly_and_the_iro_reviews(
    kayla, social_worker, iro, clock
):
    put_on_care_order(kayla, code="C1", on=D(2026, 2, 2))
    go_home(kayla, social_worker, care_order=True)
    visit(kayla, social_worker, D(2026, 3, 10))
    at_home = kayla.child.placements.get(placement_type="P1")

    deadlines.refresh(kayla)

    assert open_rows(kayla) == {
        # Still looked after: her first Child in Care review was due 20 working
        # days after 5 January (2 February), earlier than a month after the return.
        ("review_after_return", "after-1"): (D(2026, 2, 2), iro, None),
        ("visit", f"visit-{at_home.pk}-2"): (D(2026, 3, 17), social_worker, None),
        # Unplanned: the home and the household; no Child in Need visits on a care order.
        ("home_assessment", "unplanned-home"): (D(2026, 3, 24), social_worker, None),
        ("police_after_return", "unplanned-police"): (D(2026, 3, 24), social_worker, None),
    }
    assert Deadline.objects.get(key="after-1").what == (
        "First review after the return (Child in Care, chaired by the IRO)"
    )

    # After the first review the visits may be four weeks apart.
    clock.move_to(noon(D(2026, 3, 20)))
    visit(kayla, social_worker, D(2026, 3, 16))
    review(kayla, iro, D(2026, 3, 18))
    visit(kayla, social_worker, D(2026, 3, 20))
    deadlines.refresh(kayla)

    assert open_rows(kayla)[("visit", f"visit-{at_home.pk}-4")] == (
        D(2026, 4, 17),
        social_worker,
        None,
    )
    # The review on 18 March was her first: the second within three months.
    assert open_rows(kayla)[("review_after_return", "after-2")] == (D(2026, 6, 18), iro, None)


def test_a_closed_case_keeps_only_the_rows_already_done(kayla, social_worker, team_manager, iro):
    review(
        kayla,
        iro,
        D(2026, 1, 29),
        recommendations=[{"text": "Refer", "owner": social_worker, "due_on": D(2026, 3, 20)}],
    )
    visit(kayla, social_worker, D(2026, 1, 9))
    deadlines.refresh(kayla)
    done_before = {k: v for k, v in rows(kayla).items() if v[2] is not None}
    assert open_rows(kayla)

    go_home(kayla, social_worker)
    return_home.close_case(
        case=kayla,
        by=team_manager,
        closed_on=TODAY,
        reason="other",
        override_reason="The family moved to another authority, which has taken the case on.",
        warning_acknowledged=True,
    )
    kayla.refresh_from_db()
    assert kayla.stage == Stage.CLOSED
    deadlines.refresh(kayla)

    assert open_rows(kayla) == {}
    assert rows(kayla) == done_before


def test_refresh_deadlines_command_refreshes_every_open_case(kayla, capsys):
    call_command("refresh_deadlines")

    assert "Deadlines refreshed for 1 open cases." in capsys.readouterr().out
    assert ("cic_review", "cic-1") in rows(kayla)


# The services' case_changed: refresh once, after the commit ----------------------------


def test_a_visit_refreshes_the_deadlines_after_the_transaction_commits(
    kayla, social_worker, django_capture_on_commit_callbacks
):
    commit_so_far()
    placement = foster_placement(kayla)
    first_visit = ("visit", f"visit-{placement.pk}-1")
    assert open_rows(kayla)[first_visit] == (D(2026, 1, 12), social_worker, None)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        visit(kayla, social_worker, D(2026, 1, 9))
        # Not before the commit: a rolled-back visit must not mark anything done.
        assert open_rows(kayla)[first_visit] == (D(2026, 1, 12), social_worker, None)

    assert len(callbacks) == 1
    assert rows(kayla)[first_visit] == (D(2026, 1, 12), social_worker, D(2026, 1, 9))


def test_a_review_with_recommendations_queues_one_refresh_for_the_case(
    kayla, social_worker, iro, django_capture_on_commit_callbacks
):
    commit_so_far()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        review(
            kayla,
            iro,
            D(2026, 1, 29),
            recommendations=[
                {"text": "Refer", "owner": social_worker, "due_on": D(2026, 3, 20)},
                {"text": "Advocate", "owner": social_worker, "due_on": D(2026, 3, 27)},
            ],
        )

    assert len(callbacks) == 1
    assert rows(kayla)[("cic_review", "cic-1")][2] == D(2026, 1, 29)
    assert Deadline.objects.filter(kind="recommendation", done_on__isnull=True).count() == 2


def test_nothing_is_refreshed_when_the_transaction_rolls_back(
    kayla, social_worker, django_capture_on_commit_callbacks
):
    commit_so_far()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                visit(kayla, social_worker, D(2026, 1, 9))
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass

    assert callbacks == []
    assert not kayla.visits.exists()


def test_changing_a_placement_refreshes_the_childs_open_case(
    kayla, social_worker, django_capture_on_commit_callbacks
):
    commit_so_far()
    placement = foster_placement(kayla)

    from cases.services import save_record

    placement.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        save_record(
            case=kayla,
            by=social_worker,
            kind="placement",
            values={"start_date": D(2026, 1, 12)},
            record_pk=placement.pk,
            version=placement.version,
        )

    assert open_rows(kayla)[("visit", f"visit-{placement.pk}-1")] == (
        D(2026, 1, 19),
        social_worker,
        None,
    )
