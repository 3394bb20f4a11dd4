"""Stage 5: recording the return home, a breakdown, and closing the case. Each
function checks who may act and the rules, and writes in one transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import policy
from cases.changes import case_changed
from cases.dates import age_on
from cases.models import (
    ChronologyKind,
    LegalStatus,
    LegalStatusCode,
    Placement,
    PlacementType,
    PreviousReturn,
    ReunificationCase,
    Stage,
    User,
)
from cases.selectors import current_legal_status, is_on_care_order
from cases.services import add_chronology_entry, lock_case
from planning.selectors import pwp_approved
from reunification.clock import now, today
from reviews.aftercare import rules as ending
from reviews.deadlines import rules
from reviews.deadlines.refresh import looked_after_episode
from reviews.evidence import (
    acknowledgement,
    acknowledgement_words,
    decision_evidence,
    require_acknowledged,
)
from reviews.journey.selectors import RETURN_LEVELS
from reviews.journey.stage import move_stage
from reviews.models import (
    Breakdown,
    CeasingCareRequest,
    Closure,
    ClosureReason,
    LegalStatusAfterReturn,
    MeetingOutcome,
    ReturnHome,
)
from risk.selectors import latest_signed_off, risk_summary

BEFORE_RETURN = (
    Stage.IDENTIFICATION,
    Stage.ASSESSMENT,
    Stage.SUPPORT_PLANNING,
    Stage.CONFIRMATION,
    Stage.NOT_PURSUED,
)
# The stages from which a case may close (after a return, or not pursued).
CLOSABLE = (Stage.RETURN_HOME, Stage.NOT_PURSUED)


def confirmed_return_date(case: ReunificationCase) -> datetime.date | None:
    meeting = (
        case.viability_meetings.filter(held_on__gte=case.stage_entered_on)
        .order_by("-held_on", "-pk")
        .first()
    )
    if meeting and meeting.outcome == MeetingOutcome.RETURN_DATE_CONFIRMED:
        return meeting.return_date
    return None


def return_home_offer(case: ReunificationCase, day: datetime.date) -> dict:
    """What the return-home form starts from: the confirmed return date, the
    household's adults with parental responsibility as those the child returns
    to, and a care order continuing if the child is on one."""
    adults = [
        member.name
        for member in case.family_members.filter(
            has_parental_responsibility=True, lives_in_household=True
        ).order_by("pk")
        if member.date_of_birth is None or age_on(member.date_of_birth, day) >= 18
    ]
    offer = {"returned_on": confirmed_return_date(case)}
    if adults:
        offer["returned_to"] = " and ".join(adults)
    if is_on_care_order(case.child, day):
        offer["legal_status_after"] = LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS
    return offer


# Regulation 39: ceasing to look after ---------------------------------------------


def looked_after_since(case: ReunificationCase) -> datetime.date:
    """The start of the child's present looked-after episode (across her cases)."""
    return looked_after_episode(case)[0]


def ceasing_care_needs_approval(case: ReunificationCase, ceases_on: datetime.date) -> bool:
    """Whether care ending on `ceases_on` needs the service director's approval
    (regulation 39): the child is not on a care order and will by then have been
    looked after for 20 working days or more."""
    if is_on_care_order(case.child, ceases_on):
        return False
    return ending.nominated_officer_approval_needed(looked_after_since(case), ceases_on)


def open_ceasing_care_request(case: ReunificationCase) -> CeasingCareRequest | None:
    return case.ceasing_care_requests.filter(decided_at__isnull=True).first()


def ceasing_care_approval(
    case: ReunificationCase, ceases_on: datetime.date
) -> CeasingCareRequest | None:
    """The director's approval that covers care ending on `ceases_on`, if any."""
    for request in case.ceasing_care_requests.filter(approved=True).order_by("-decided_on"):
        if ending.approval_covers(request.decided_on, request.approved, ceases_on):
            return request
    return None


def _approval_missing_message(case: ReunificationCase) -> str:
    since = looked_after_since(case)
    return (
        f"{case.child.first_name} has been looked after since {since:%-d %B %Y}, 20 working "
        "days or more: the service director must approve ceasing to look after "
        f"{case.child.first_name} (regulation 39) before a return that ends the care. Ask for "
        "the approval from the aftercare page."
    )


@transaction.atomic
def ask_to_cease_care(
    *, case: ReunificationCase, by: User, proposed_on: datetime.date, plan_after: str
) -> CeasingCareRequest:
    """Ask the service director to approve ceasing to look after the child
    (regulation 39), before a return that ends her care under section 20."""
    case = lock_case(case)
    policy.require(policy.may_record_return_home(by, case))
    if case.stage not in BEFORE_RETURN:
        raise ValidationError("A return home is already recorded for this case")
    if is_on_care_order(case.child, proposed_on):
        raise ValidationError(
            {
                "proposed_on": "The child is on a care order, which only the court can "
                "discharge: she stays looked after at home, so no approval is asked"
            }
        )
    since = looked_after_since(case)
    if proposed_on < since:
        raise ValidationError(
            {
                "proposed_on": f"The date cannot be before the child became looked after "
                f"({since:%-d %B %Y})"
            }
        )
    if not ending.nominated_officer_approval_needed(since, proposed_on):
        needed_from = ending.nominated_officer_needed_from(since)
        raise ValidationError(
            {
                "proposed_on": "By then the child will have been looked after for fewer than "
                f"20 working days (approval is needed from {needed_from:%-d %B %Y})"
            }
        )
    if not plan_after.strip():
        raise ValidationError({"plan_after": "Say what the plan is once care ends"})
    if open_ceasing_care_request(case):
        raise ValidationError("The service director has already been asked and not yet decided")
    request = CeasingCareRequest(
        case=case,
        requested_by=by,
        requested_role=policy.acting_role(by, case),
        requested_at=now(),
        proposed_on=proposed_on,
        plan_after=plan_after,
    )
    request._history_user = by
    request.save()
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=today(),
        kind=ChronologyKind.DECISION,
        description=f"{by} asked the service director to approve ceasing to look after "
        f"{case.child.first_name} from {proposed_on:%-d %B %Y} (regulation 39). Plan after: "
        f"{plan_after}",
        automatic=True,
    )
    case_changed(case.pk)
    return request


@transaction.atomic
def decide_ceasing_care(
    *,
    case: ReunificationCase,
    by: User,
    approved: bool,
    decided_on: datetime.date,
    rationale: str,
) -> CeasingCareRequest:
    """The service director, as nominated officer, approves or refuses ceasing to
    look after the child (regulation 39), with the reason."""
    case = lock_case(case)
    policy.require(
        policy.may_approve_ceasing_care(by, case),
        "Only a service director can approve ceasing to look after a child",
    )
    request = (
        CeasingCareRequest.objects.select_for_update()
        .filter(case=case, decided_at__isnull=True)
        .first()
    )
    if request is None:
        raise ValidationError("No one has asked for this decision, or it has already been made")
    if not rationale.strip():
        raise ValidationError({"rationale": "Give the reason for the decision"})
    request.decided_by = by
    request.decided_at = now()
    request.decided_on = decided_on
    request.approved = approved
    request.rationale = rationale
    request._history_user = by
    request.save()
    outcome = "approved" if approved else "refused"
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=decided_on,
        kind=ChronologyKind.DECISION,
        description=f"{by} (service director, nominated officer) {outcome} ceasing to look "
        f"after {case.child.first_name} (regulation 39): {rationale}",
        automatic=True,
    )
    case_changed(case.pk)
    return request


@transaction.atomic
def record_return_home(
    *,
    case: ReunificationCase,
    by: User,
    returned_on: datetime.date,
    planned: bool,
    returned_to: str,
    legal_status_after: str,
    episode_end_reason: str = "",
    unplanned_reason: str = "",
    unresolved_issues_plan: str = "",
) -> ReturnHome:
    """Record the child going home. A planned return needs the return date
    confirmed at the viability meeting and, on a care order, the service
    director's placement with parents approval. An unplanned return (a child who
    walked home) is recorded from any stage, with the reason."""
    case = lock_case(case)
    policy.require(policy.may_record_return_home(by, case))
    if case.stage not in BEFORE_RETURN:
        raise ValidationError("A return home is already recorded for this case")
    care_order = is_on_care_order(case.child, returned_on)
    if planned:
        if case.stage != Stage.CONFIRMATION or confirmed_return_date(case) is None:
            raise ValidationError(
                "A planned return needs a return date confirmed at the Reunification "
                "Viability Meeting"
            )
        latest = latest_signed_off(case)
        if latest is None or latest.level not in RETURN_LEVELS:
            raise ValidationError(
                "A planned return needs the latest signed-off risk level to be Low or Medium"
            )
        if care_order and not pwp_approved(case):
            raise ValidationError(
                "The child is on a care order: the service director must approve placement "
                "with parents before the return"
            )
    elif not unplanned_reason.strip():
        raise ValidationError("Say why the return was not planned")
    remains = legal_status_after == LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS
    if care_order and not remains:
        raise ValidationError(
            "The child is on a care order, which only the court can discharge: record the "
            "return as placed with parents under the order"
        )
    if remains and not care_order:
        raise ValidationError("The child is not on a care order, so cannot stay on one at home")
    if remains and episode_end_reason:
        raise ValidationError(
            "Under a care order the child stays looked after: the care episode does not end"
        )
    if not remains and not episode_end_reason:
        raise ValidationError("Select the reason the care episode ended")
    contradiction = ending.episode_end_contradiction(planned, episode_end_reason)
    if contradiction:
        raise ValidationError({"episode_end_reason": contradiction})
    if returned_on < case.became_looked_after_on:
        raise ValidationError(
            {
                "returned_on": "The child cannot return home before becoming looked after "
                f"({case.became_looked_after_on:%-d %B %Y})"
            }
        )
    later = case.child.placements.filter(end_date__isnull=True, start_date__gt=returned_on)
    placement = later.order_by("start_date").first()
    if placement is not None:
        raise ValidationError(
            {
                "returned_on": f"The child's placement with {placement.carer} began on "
                f"{placement.start_date:%-d %B %Y}, after this date: the return ends every "
                "placement, so it cannot be dated before one began"
            }
        )
    needs_approval = not remains and ceasing_care_needs_approval(case, returned_on)
    if needs_approval and ceasing_care_approval(case, returned_on) is None:
        raise ValidationError({"legal_status_after": _approval_missing_message(case)})
    evidence = decision_evidence(case, today())
    require_acknowledged(evidence, unresolved_issues_plan)
    acknowledged = acknowledgement(evidence, unresolved_issues_plan)
    returned = ReturnHome(
        **acknowledged,
        case=case,
        returned_on=returned_on,
        planned=planned,
        unplanned_reason="" if planned else unplanned_reason,
        returned_to=returned_to,
        episode_end_reason=episode_end_reason,
        legal_status_after=legal_status_after,
        recorded_by=by,
        recorded_at=now(),
    )
    # Lengths and choices as the model has them, whichever way the values came.
    returned.full_clean(exclude=["case", "recorded_by"])
    returned.save()
    _update_care_record(case, by, returned_on, returned_to, remains)
    move_stage(
        case,
        to=Stage.RETURN_HOME,
        by=by,
        role=policy.acting_role(by, case),
        reason=f"{'Planned' if planned else 'Unplanned'} return home to {returned_to} on "
        f"{returned_on:%-d %B %Y}.{acknowledgement_words(acknowledged)}",
        acknowledged=acknowledged,
    )
    # The child's placements and legal statuses changed too, so every case of hers.
    case_changed(case.child.cases.values_list("pk", flat=True))
    return returned


def _update_care_record(case, by, returned_on, returned_to, care_order_remains) -> None:
    """End the placement (and, unless a care order remains, the legal status) on
    the day of the return; under a care order the child is placed with parents."""
    child = case.child
    # Every placement open on the day ends (one beginning later was refused above).
    for placement in child.placements.filter(end_date__isnull=True, start_date__lte=returned_on):
        placement.end_date = returned_on
        placement._history_user = by
        placement.save(update_fields=["end_date"])
    if care_order_remains:
        placed = Placement(
            child=child,
            placement_type=PlacementType.P1,
            carer=returned_to,
            start_date=returned_on,
        )
        placed._history_user = by
        placed.save()
    else:
        open_statuses = child.legal_statuses.filter(
            end_date__isnull=True, start_date__lte=returned_on
        )
        for status in open_statuses:
            status.end_date = returned_on
            status._history_user = by
            status.save(update_fields=["end_date"])


# Placement types a child who came back into care may live in: not with parents.
BACK_IN_CARE_PLACEMENTS = [c for c in PlacementType.choices if c[0] != PlacementType.P1]


@transaction.atomic
def record_breakdown(
    *,
    case: ReunificationCase,
    by: User,
    came_back_on: datetime.date,
    reason: str,
    placement_type: str,
    carer: str,
    legal_status: str,
) -> Breakdown:
    """The child came back into care: the case records it, where she now lives and
    under what legal status (ending the placement with parents, and starting the
    placement and, unless a care order runs on, the legal status from that day),
    counts it among the child's failed returns, and closes. A later return is a
    new case linked to it, starting from these records."""
    case = lock_case(case)
    policy.require(policy.may_record_return_home(by, case))
    if case.stage != Stage.RETURN_HOME:
        raise ValidationError("A breakdown can only be recorded after a return home")
    returned = case.return_home
    if came_back_on < returned.returned_on:
        raise ValidationError(
            {"came_back_on": "The child cannot come back into care before returning home"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the return broke down"})
    _check_back_in_care(case.child, came_back_on, placement_type, carer, legal_status)
    breakdown = Breakdown(
        case=case,
        came_back_on=came_back_on,
        reason=reason,
        placement_type=placement_type,
        carer=carer,
        legal_status=legal_status,
        recorded_by=by,
        recorded_at=now(),
    )
    breakdown.full_clean(exclude=["case", "recorded_by"])
    breakdown.save()
    _back_in_care(case.child, by, came_back_on, placement_type, carer, legal_status)
    PreviousReturn.objects.create(
        child=case.child,
        returned_home_on=returned.returned_on,
        came_back_into_care_on=came_back_on,
        reason_for_breakdown=reason,
    )
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=came_back_on,
        kind=ChronologyKind.DECISION,
        description=f"The return home broke down: back in care on {came_back_on:%-d %B %Y}. "
        f"{reason}",
        automatic=True,
    )
    _close(
        case,
        by=by,
        role=policy.acting_role(by, case),
        closed_on=came_back_on,
        reason=ClosureReason.BREAKDOWN,
        notes=reason,
    )
    case_changed(case.pk)
    return breakdown


def _check_back_in_care(child, came_back_on, placement_type, carer, legal_status) -> None:
    """Where the child now lives and under what legal status must be a true record:
    not with parents, and a care order that runs on is not replaced by a breakdown."""
    if placement_type not in dict(BACK_IN_CARE_PLACEMENTS):
        raise ValidationError(
            {
                "placement_type": "Select where the child now lives (back in care, the child "
                "is not placed with parents)"
            }
        )
    if not carer.strip():
        raise ValidationError({"carer": "Enter the carer or provider"})
    if legal_status not in LegalStatusCode.values:
        raise ValidationError({"legal_status": "Select the child's legal status now"})
    current = current_legal_status(child, came_back_on)
    if current is not None and current.is_care_order and current.code != legal_status:
        raise ValidationError(
            {
                "legal_status": f"The child is on {current.get_code_display()}, which runs on "
                "until the court ends it: select it"
            }
        )
    for records, name in ((child.placements, "placement"), (child.legal_statuses, "legal status")):
        later = records.filter(start_date__gt=came_back_on).order_by("start_date").first()
        if later is not None:
            raise ValidationError(
                {
                    "came_back_on": f"A {name} recorded from {later.start_date:%-d %B %Y} "
                    "begins after this date: correct the child's record first"
                }
            )


def _back_in_care(child, by, came_back_on, placement_type, carer, legal_status) -> None:
    """End the placement open that day (with parents) and start the new one; keep
    the legal status that runs on if it is the one given, else end what is open
    and start it. The child is never left with no placement or legal status."""
    for placement in child.placements.filter(end_date__isnull=True):
        placement.end_date = came_back_on
        placement._history_user = by
        placement.save(update_fields=["end_date"])
    placed = Placement(
        child=child, placement_type=placement_type, carer=carer, start_date=came_back_on
    )
    # Back with a carer she lived with before: the placement's provider, postcode
    # and Ofsted number are those already held for that carer (SSDA903).
    before = (
        child.placements.filter(placement_type=placement_type, carer=carer)
        .order_by("-start_date")
        .first()
    )
    if before is not None:
        placed.provider, placed.postcode, placed.urn = before.provider, before.postcode, before.urn
    placed._history_user = by
    placed.save()
    current = current_legal_status(child, came_back_on)
    if current is not None and current.code == legal_status and current.end_date is None:
        return
    for status in child.legal_statuses.filter(end_date__isnull=True):
        status.end_date = came_back_on
        status._history_user = by
        status.save(update_fields=["end_date"])
    status = LegalStatus(child=child, code=legal_status, start_date=came_back_on)
    status._history_user = by
    status.save()


def closure_checks(case: ReunificationCase, closed_on: datetime.date) -> list[str]:
    """Why closing on this date is early, if it is; empty when the rules allow it."""
    problems = []
    try:
        returned = case.return_home
    except ReturnHome.DoesNotExist:
        returned = None
    if returned:
        after = rules.after_return(returned.returned_on)
        if closed_on < after.support_at_least_until:
            problems.append(
                "support after a return home lasts at least six months (until "
                f"{after.support_at_least_until:%-d %B %Y})"
            )
        dates = risk_summary(case).dates
        if dates.closure_from is None:
            problems.append("the risk level is not Low")
        elif closed_on < dates.closure_from:
            problems.append(
                f"Low risk has not been held long enough (until {dates.closure_from:%-d %B %Y})"
            )
    return problems


def closure_offer(case: ReunificationCase, closed_on: datetime.date, checks: list[str]) -> dict:
    """What the close form starts from: today, and once the child is home and
    the rules allow closing (`checks`, closure_checks, empty), sustained low risk
    as the reason."""
    offer = {"closed_on": closed_on}
    if not checks and ReturnHome.objects.filter(case=case).exists():
        offer["reason"] = ClosureReason.SUSTAINED_LOW_RISK
    return offer


def closure_warning(case: ReunificationCase, closed_on: datetime.date) -> str:
    try:
        returned = case.return_home
    except ReturnHome.DoesNotExist:
        return ""
    until = rules.after_return(returned.returned_on).closure_warning_until
    if closed_on < until:
        return (
            f"The child has been home less than twelve months (until {until:%-d %B %Y}). "
            "Research advises keeping the case open at least a year."
        )
    return ""


@transaction.atomic
def close_case(
    *,
    case: ReunificationCase,
    by: User,
    closed_on: datetime.date,
    reason: str,
    notes: str = "",
    permanence_plan: str = "",
    override_reason: str = "",
    warning_acknowledged: bool = False,
) -> Closure:
    """Close the case. Closing before the risk step rules allow, or less than six
    months after the return, needs a team manager's override with a reason; closing
    within twelve months needs the warning acknowledged."""
    case = lock_case(case)
    policy.require(policy.may_close_case(by, case))
    if case.stage not in CLOSABLE:
        raise ValidationError(
            "Only a case after a return home, or where reunification is not pursued, can close"
        )
    if reason == ClosureReason.NOT_PURSUED_PERMANENCE and not permanence_plan.strip():
        raise ValidationError("Describe the permanence plan")
    try:
        returned_on = case.return_home.returned_on
    except ReturnHome.DoesNotExist:
        returned_on = None
    if returned_on and closed_on < returned_on:
        raise ValidationError("The case cannot close before the child went home")
    if closed_on > today():
        raise ValidationError("The closing date cannot be in the future")
    problems = closure_checks(case, closed_on)
    if problems:
        if not policy.may_override_closure_checks(by, case):
            raise ValidationError(
                "Closing now needs a team manager's override: " + "; ".join(problems) + "."
            )
        if not override_reason.strip():
            raise ValidationError("Give the reason for overriding: " + "; ".join(problems) + ".")
    warning = closure_warning(case, closed_on)
    if warning and not warning_acknowledged:
        raise ValidationError(warning + " Confirm that you still want to close it.")
    closure = _close(
        case,
        by=by,
        role=policy.acting_role(by, case),
        closed_on=closed_on,
        reason=reason,
        notes=notes,
        permanence_plan=permanence_plan,
        override_reason=override_reason if problems else "",
        override_by=by if problems else None,
    )
    case_changed(case.pk)
    return closure


def _close(
    case,
    *,
    by,
    role,
    closed_on,
    reason,
    notes="",
    permanence_plan="",
    override_reason="",
    override_by=None,
):
    closure = Closure.objects.create(
        case=case,
        closed_on=closed_on,
        reason=reason,
        notes=notes,
        permanence_plan=permanence_plan,
        closed_by=by,
        role=role,
        override_reason=override_reason,
        override_by=override_by,
        recorded_at=now(),
    )
    text = f"Case closed: {closure.get_reason_display().lower()}."
    if override_by:
        text += f" Early closure overridden by {by}: {override_reason}"
    case.closed_on = closed_on
    move_stage(case, to=Stage.CLOSED, by=by, role=role, reason=text, also_saving=("closed_on",))
    # The allocations end with the case; the history keeps who held it.
    for allocation in case.allocations.filter(end_date__isnull=True):
        allocation.end_date = max(closed_on, allocation.start_date)
        allocation._history_user = by
        allocation.save(update_fields=["end_date"])
    return closure
