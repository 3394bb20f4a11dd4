"""Who may do what: the one place that decides.

Every page, template, service, selector, list, count and email asks these
predicates; no other module compares a user with a case to decide an action.
Each is a plain function over (user, case[, record, step]) that reads only what
is already loaded on its arguments (except where it says it queries), so a page
can ask it many times.

Seeing a case: members of the team the case sits in, the heads of service who
oversee that team, the case's IRO, and service directors. Whoever may not see a
case never sees its name: pages answer 404, and every list, count and email is
built from `visible_cases`.

Changing a case: the allocated social worker and the team managers of the case's
team, while the case is open. A closed case is a record of what happened and
takes nothing new.

Decisions each name who makes them below. A page shows an action only when its
predicate holds, and the service refuses it (PermissionDenied) when it does not,
both by calling the same function.

Child-level records (placements, legal statuses, siblings, care history) belong to
the child and are shared by the child's cases. Someone whose only part is a closed
case sees them as they stood when that case closed (`child_records_as_of`).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import ReunificationCase, Role, Team, User
from .models.codes import CARE_PLAN_APPROVER, CarePlanStep

# The case field naming who holds each allocated role.
CASE_FIELD_FOR_ROLE = {
    Role.SOCIAL_WORKER: "social_worker_id",
    Role.TEAM_MANAGER: "team_manager_id",
    Role.HEAD_OF_SERVICE: "head_of_service_id",
    Role.IRO: "iro_id",
}

REPORT_ROLES = (Role.PERFORMANCE, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.SERVICE_DIRECTOR)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _oversees(user: User, team_id: int | None) -> bool:
    """A head of service overseeing the team (one query)."""
    if not team_id or not user.has_role(Role.HEAD_OF_SERVICE):
        return False
    return user.overseen_teams.filter(pk=team_id).exists()


# Seeing ---------------------------------------------------------------------


def visible_cases_rule(user: User, prefix: str = "") -> Q | None:
    """The rule `visible_cases` applies, for filtering other tables through their
    case (`prefix="case__"`). None means every case; an empty `Q(pk__in=[])` none."""
    if not _active(user):
        return Q(pk__in=[])
    if user.has_role(Role.SERVICE_DIRECTOR):
        return None
    rule = Q(**{f"{prefix}iro": user})
    if user.team_id:
        rule |= Q(**{f"{prefix}team_id": user.team_id})
    if user.has_role(Role.HEAD_OF_SERVICE):
        # Inlined ids: the planner estimates a literal list far better than a subquery.
        overseen = list(user.overseen_teams.values_list("pk", flat=True))
        if overseen:
            rule |= Q(**{f"{prefix}team_id__in": overseen})
    return rule


def visible_cases(user: User) -> QuerySet[ReunificationCase]:
    """Every case this user may see."""
    return limit_to_visible(ReunificationCase.objects.all(), user)


def limit_to_visible(queryset: QuerySet, user: User, *, through: str = "") -> QuerySet:
    """`queryset` limited to rows whose case (reached through `through`, e.g.
    "case__" or "review__case__") this user may see."""
    if not _active(user):
        return queryset.none()
    rule = visible_cases_rule(user, through)
    return queryset if rule is None else queryset.filter(rule)


def may_see_case(user: User, case: ReunificationCase) -> bool:
    if not _active(user):
        return False
    if user.has_role(Role.SERVICE_DIRECTOR):
        return True
    if case.iro_id == user.pk or (user.team_id and case.team_id == user.team_id):
        return True
    return _oversees(user, case.team_id)


def child_records_as_of(user: User, case: ReunificationCase) -> datetime.date | None:
    """The day up to which this person sees the child's shared records through
    this case: None (as they are now) unless the case is closed and the person
    may see none of the child's open cases, in which case the day it closed."""
    if case.is_open or case.closed_on is None:
        return None
    open_cases = case.child.cases.exclude(pk=case.pk).filter(closed_on__isnull=True)
    if any(may_see_case(user, other) for other in open_cases):
        return None
    return case.closed_on


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams whose cases this user may see at least one of (for filter lists)."""
    if user.has_role(Role.SERVICE_DIRECTOR):
        return Team.objects.all()
    rule = Q(pk=user.team_id) if user.team_id else Q(pk__in=[])
    if user.has_role(Role.HEAD_OF_SERVICE):
        rule |= Q(pk__in=list(user.overseen_teams.values_list("pk", flat=True)))
    if user.has_role(Role.IRO):
        rule |= Q(pk__in=user.reviewed_cases.values("team"))
    return Team.objects.filter(rule)


def managed_teams(user: User) -> QuerySet[Team]:
    """Teams whose caseload this user manages: her own team as a team manager, the
    teams she oversees as a head of service, every team for a service director."""
    if not _active(user):
        return Team.objects.none()
    if user.has_role(Role.SERVICE_DIRECTOR):
        return Team.objects.all()
    ids = []
    if user.has_role(Role.HEAD_OF_SERVICE):
        ids += list(user.overseen_teams.values_list("pk", flat=True))
    if user.has_role(Role.TEAM_MANAGER) and user.team_id:
        ids.append(user.team_id)
    return Team.objects.filter(pk__in=ids)


def may_manage_team(user: User, team: Team) -> bool:
    if not _active(user):
        return False
    if user.has_role(Role.SERVICE_DIRECTOR):
        return True
    if user.has_role(Role.TEAM_MANAGER) and user.team_id == team.pk:
        return True
    return _oversees(user, team.pk)


def may_see_audit(user: User, case: ReunificationCase) -> bool:
    """Who saw and changed a case: its team managers, heads of service and service
    directors who may see it."""
    return may_see_case(user, case) and (
        is_team_manager_for(user, case)
        or user.has_role(Role.HEAD_OF_SERVICE)
        or user.has_role(Role.SERVICE_DIRECTOR)
    )


def may_see_downloads(user: User) -> bool:
    """Who took children's data out of the service (every CSV download and
    extract, across the council): service directors, who may see every case and
    its audit. Nobody else, performance staff and system administrators included."""
    return _active(user) and user.has_role(Role.SERVICE_DIRECTOR)


def may_see_reports(user: User) -> bool:
    return _active(user) and any(user.has_role(role) for role in REPORT_ROLES)


def sees_whole_council(user: User) -> bool:
    """Performance staff and service directors see child-level figures and
    extracts for the whole council; others only for the cases they may see."""
    return _active(user) and (
        user.has_role(Role.PERFORMANCE) or user.has_role(Role.SERVICE_DIRECTOR)
    )


def may_import_ssda903(user: User) -> bool:
    """Loading a council's existing SSDA903 return (children, their care history,
    reviews and missing episodes, across the council): performance staff, who
    prepare the return."""
    return _active(user) and user.has_role(Role.PERFORMANCE)


def may_download_prepared_export(user: User, export) -> bool:
    """A prepared whole-council file is handed only to the person who asked for
    it, while she may still see the whole council."""
    return sees_whole_council(user) and export.requested_by_id == user.pk


# Holding a part in a case ------------------------------------------------------


def holds_case_role(user: User, case: ReunificationCase, role: str) -> bool:
    """The user is the one allocated `role` on this case and still holds the role."""
    field = CASE_FIELD_FOR_ROLE.get(role)
    return bool(field and _active(user) and getattr(case, field) == user.pk and user.has_role(role))


def is_team_manager_for(user: User, case: ReunificationCase) -> bool:
    """A team manager of the team the case sits in (not only the allocated one)."""
    return _active(user) and user.has_role(Role.TEAM_MANAGER) and user.team_id == case.team_id


def acting_role(user: User, case: ReunificationCase) -> str:
    """The role in which someone who may change the case acts on it, for the record."""
    if case.social_worker_id == user.pk:
        return Role.SOCIAL_WORKER
    return Role.TEAM_MANAGER


# Changing ---------------------------------------------------------------------

CLOSED_CASE = "This case is closed: it is a record of what happened and takes nothing new"


def takes_writes(case: ReunificationCase) -> bool:
    """Whether the case takes any write at all, whoever asks: not once it is
    closed. Every write asks this of the case as locked (cases.services.lock_case),
    so a case closed while someone had a page open refuses their save too."""
    return case.is_open


def may_change_case(user: User, case: ReunificationCase) -> bool:
    """Record or change anything of the case: its allocated social worker and the
    team managers of its team, while it is open."""
    if not _active(user) or not case.is_open:
        return False
    allocated = case.social_worker_id == user.pk and may_see_case(user, case)
    return allocated or is_team_manager_for(user, case)


def may_open_case_in(user: User, team: Team | None) -> bool:
    return bool(
        team and _active(user) and user.has_role(Role.TEAM_MANAGER) and user.team_id == team.pk
    )


def may_open_cases(user: User) -> bool:
    return _active(user) and user.has_role(Role.TEAM_MANAGER) and bool(user.team_id)


def may_allocate(user: User, case: ReunificationCase) -> bool:
    return case.is_open and is_team_manager_for(user, case)


def may_allocate_in(user: User, team: Team) -> bool:
    """Allocate the open cases of a team (the caseload's links): its team managers."""
    return _active(user) and user.has_role(Role.TEAM_MANAGER) and user.team_id == team.pk


# Decisions --------------------------------------------------------------------


def may_approve_care_plan(user: User, case: ReunificationCase, step: str) -> bool:
    """Each approval of the care plan by whoever holds its role on this case
    (see CARE_PLAN_APPROVER); whether it is the step's turn is the journey's rule."""
    if step not in CarePlanStep.values or not case.is_open:
        return False
    return holds_case_role(user, case, CARE_PLAN_APPROVER[step])


def may_move_stage(user: User, case: ReunificationCase) -> bool:
    """Start the assessment, move to confirmation: whoever may change the case."""
    return may_change_case(user, case)


def may_record_viability_decision(user: User, case: ReunificationCase) -> bool:
    """The viability consultation and meeting and "not pursued" are management
    decisions: a team manager of the case's team, while the case is open."""
    return case.is_open and is_team_manager_for(user, case)


def may_take_part_as(person: User, case: ReunificationCase, role: str) -> bool:
    """Who may be named as taking part in a viability consultation or meeting in
    `role`: the case's own IRO (any IRO while it has none); a social worker or
    team manager of the case's team; a head of service overseeing it. Staff of
    other teams are refused."""
    if not person.is_active or not person.has_role(role):
        return False
    if role == Role.IRO:
        return not case.iro_id or person.pk == case.iro_id
    if role == Role.HEAD_OF_SERVICE:
        return _oversees(person, case.team_id)
    return person.team_id == case.team_id


def may_chair_review(person: User, case: ReunificationCase) -> bool:
    """Who may be named as chairing a review of the case: its IRO, or a social
    worker or team manager of its team."""
    if not person.is_active:
        return False
    if person.has_role(Role.IRO) and person.pk == case.iro_id:
        return True
    return person.team_id == case.team_id and (
        person.has_role(Role.SOCIAL_WORKER) or person.has_role(Role.TEAM_MANAGER)
    )


def review_chair_choices(case: ReunificationCase) -> QuerySet[User]:
    """The people a review's chair picker offers: those `may_chair_review`
    allows (queried)."""
    team = User.objects.filter(
        team_id=case.team_id, role_grants__role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER]
    )
    iro = User.objects.filter(pk=case.iro_id, role_grants__role=Role.IRO)
    people = team | iro if case.iro_id else team
    return people.filter(is_active=True).distinct().order_by("first_name", "last_name")


def participant_choices(case: ReunificationCase, role: str) -> QuerySet[User]:
    """The people a participants picker offers in `role`: those
    `may_take_part_as` allows (queried)."""
    people = User.objects.filter(is_active=True, role_grants__role=role)
    if role == Role.IRO:
        people = people.filter(pk=case.iro_id) if case.iro_id else people
    elif role == Role.HEAD_OF_SERVICE:
        people = people.filter(overseen_teams=case.team_id)
    else:
        people = people.filter(team_id=case.team_id)
    return people.distinct().order_by("first_name", "last_name")


def disagreement_role(user: User, case: ReunificationCase) -> str | None:
    """The role in which this person may raise or resolve a disagreement on the
    case, or None: the case's IRO, a team manager of its team, its allocated
    social worker or its head of service."""
    if not _active(user) or not may_see_case(user, case):
        return None
    if holds_case_role(user, case, Role.IRO):
        return Role.IRO
    if is_team_manager_for(user, case):
        return Role.TEAM_MANAGER
    if holds_case_role(user, case, Role.SOCIAL_WORKER):
        return Role.SOCIAL_WORKER
    if holds_case_role(user, case, Role.HEAD_OF_SERVICE):
        return Role.HEAD_OF_SERVICE
    return None


def may_raise_disagreement(user: User, case: ReunificationCase) -> bool:
    return case.is_open and disagreement_role(user, case) is not None


def may_resolve_disagreement(user: User, case: ReunificationCase) -> bool:
    return may_raise_disagreement(user, case)


def may_edit_assessment(user: User, case: ReunificationCase, assessment) -> bool:
    """A risk assessment in draft (or returned for changes) is edited by whoever
    may change the case."""
    return assessment.is_editable and may_change_case(user, case)


def may_decide_assessments(user: User, case: ReunificationCase) -> bool:
    """Risk assessments of an open case are signed off or returned by a team
    manager of its team; which one she may decide is `may_sign_off_assessment`."""
    return case.is_open and is_team_manager_for(user, case)


def may_sign_off_assessment(user: User, case: ReunificationCase, assessment) -> bool:
    """Four eyes: a team manager of the case's team who neither wrote, changed the
    answers of, nor submitted the assessment signs it off or returns it (queries
    the assessment's history)."""
    return (
        assessment.is_awaiting_sign_off
        and may_decide_assessments(user, case)
        and user.pk not in assessment.contributor_ids()
    )


def may_record_review(user: User, case: ReunificationCase, review_type: str | None = None) -> bool:
    """The case's IRO records review outcomes; the social worker and team managers
    may record Child in Need and Pathway Plan reviews too. A Child in Care review
    (`review_type="cic"` or the ReviewType member) only by the case's IRO."""
    if not case.is_open:
        return False
    is_iro = holds_case_role(user, case, Role.IRO)
    if review_type is not None and str(review_type) == CHILD_IN_CARE_REVIEW:
        return is_iro
    return is_iro or may_change_case(user, case)


# The code of a Child in Care review (reviews.models.ReviewType.CHILD_IN_CARE);
# kept here as the one rule that depends on the kind of review.
CHILD_IN_CARE_REVIEW = "cic"


def may_complete_recommendation(user: User, case: ReunificationCase, recommendation) -> bool:
    """An IRO's recommendation is marked done by its owner, the case's IRO or
    whoever may change the case, while the case is open."""
    if not case.is_open or not _active(user):
        return False
    return user.pk in (recommendation.owner_id, case.iro_id) or may_change_case(user, case)


def may_record_supervision(user: User, case: ReunificationCase) -> bool:
    """Case supervision is recorded by a team manager of the case's team, while
    the case is open. Whoever may see the case sees it, reflection included: it
    is shared with the worker."""
    return case.is_open and is_team_manager_for(user, case)


def may_complete_supervision_action(user: User, case: ReunificationCase, action) -> bool:
    """An action from supervision is marked done by its owner (while she may still
    see the case) or a team manager of the case's team, while the case is open."""
    if not case.is_open or not _active(user):
        return False
    owner = action.owner_id == user.pk and may_see_case(user, case)
    return owner or is_team_manager_for(user, case)


def may_record_visit(user: User, case: ReunificationCase) -> bool:
    return may_change_case(user, case)


def may_record_return_home(user: User, case: ReunificationCase) -> bool:
    return may_change_case(user, case)


def may_close_case(user: User, case: ReunificationCase) -> bool:
    return may_change_case(user, case)


def may_override_closure_checks(user: User, case: ReunificationCase) -> bool:
    """Closing while a closure check fails needs a team manager of the case's team."""
    return case.is_open and is_team_manager_for(user, case)


def may_record_after_return(user: User, case: ReunificationCase) -> bool:
    """The step-down plan, concerns after the return, an assessment of the home:
    the social worker and the team managers, as for the rest of the case."""
    return may_change_case(user, case)


def may_agree_step_down(user: User, case: ReunificationCase) -> bool:
    """Support ending before six months at home is the team manager's to agree."""
    return case.is_open and is_team_manager_for(user, case)


def may_open_repeat_case(user: User, case: ReunificationCase) -> bool:
    """A team manager may open a new case for the child of a closed case she can
    see (a repeat return), in her own team."""
    return not case.is_open and may_open_cases(user) and may_see_case(user, case)


def may_approve_placement_with_parents(user: User, case: ReunificationCase) -> bool:
    """Placement with parents (regulations 17 and 18) is approved by a service director."""
    return case.is_open and _active(user) and user.has_role(Role.SERVICE_DIRECTOR)


def may_approve_ceasing_care(user: User, case: ReunificationCase) -> bool:
    """Regulation 39: ceasing to look after a child looked after for 20 working days
    or more is approved by the nominated officer, a service director."""
    return case.is_open and _active(user) and user.has_role(Role.SERVICE_DIRECTOR)


# Pages --------------------------------------------------------------------------


def case_for(user: User, pk: int, *, change: bool = False) -> ReunificationCase:
    """The case, if this user may see it (or change it). 404 if they may not see
    it, so not even its name leaks; 403 if they may see it but not change it."""
    try:
        case = ReunificationCase.objects.select_related("child", "team").get(pk=pk)
    except (ReunificationCase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_see_case(user, case):
        raise Http404
    if change and not may_change_case(user, case):
        raise PermissionDenied
    return case


def require(allowed: bool, message: str = "") -> None:
    """Raise PermissionDenied unless `allowed`: how services and pages refuse."""
    if not allowed:
        raise PermissionDenied(message) if message else PermissionDenied


def allowed_actions(user: User, case: ReunificationCase) -> dict[str, bool]:
    """What this person may do on the case, for templates (`may.change_case`...)."""
    return {
        "see_case": may_see_case(user, case),
        "change_case": may_change_case(user, case),
        "allocate": may_allocate(user, case),
        "see_audit": may_see_audit(user, case),
        "record_viability_decision": may_record_viability_decision(user, case),
        "raise_disagreement": may_raise_disagreement(user, case),
        "record_review": may_record_review(user, case),
        "record_visit": may_record_visit(user, case),
        "record_return_home": may_record_return_home(user, case),
        "close_case": may_close_case(user, case),
        "open_repeat_case": may_open_repeat_case(user, case),
        "approve_placement_with_parents": may_approve_placement_with_parents(user, case),
        "is_team_manager": is_team_manager_for(user, case),
        "record_supervision": may_record_supervision(user, case),
    }
