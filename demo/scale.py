"""`seed_demo --cases N`: N more cases in bulk, for scale tests (1,000 to 100,000).

Playing 100,000 stories through the services would take hours, so these rows are
written with bulk_create, a few queries per thousand children. The rules still
hold: every row is first run through the same validators the services run
(cases.records' period, age and police-check rules, cases.records.case_details_rules)
and the periods of a child are checked against each other with the rule the
no-overlap validator uses. Each case's stage moves and, when closed, its closure
are written, so the stage agrees with its record; the journey's other records
(approvals, assessments, reviews) are the demo cases' to show, not these.
bulk_create sends no signals, so simple_history keeps no history rows for them.
"""

import datetime
import itertools
import random
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from cases import records, rules
from cases.dates import add_months
from cases.models import (
    Allocation,
    Child,
    ChronologyEntry,
    ChronologyKind,
    FamilyMember,
    LegalStatus,
    ParentalIssue,
    Placement,
    PoliceCheck,
    ReunificationCase,
    Role,
    RoleGrant,
    ServiceArea,
    Stage,
    Team,
    User,
)
from cases.models.codes import CarePlanStep
from reviews.models import (
    Breakdown,
    CarePlanApproval,
    Closure,
    ClosureReason,
    LegalStatusAfterReturn,
    NotPursued,
    ReturnHome,
    Review,
    ReviewType,
    StageMove,
    Visit,
)
from risk.models import AssessmentStatus, RiskAssessment
from risk.tool import suggest_level

from . import stories as words
from .driver import JOURNEY, QUESTIONS, nhs_number_for
from .stories import DEFAULT_SEED

__all__ = ["DEFAULT_SEED", "create_scale_cases"]

S = Stage
SCALE_SERVICE_AREA = "Locality Family Support"
SCALE_FIRST_NUMBER = 200001
SCALE_LAST_NUMBER = 999999
# Open cases a social worker carries, and an IRO reviews.
SOCIAL_WORKER_CASELOAD = (18, 25)
IRO_CASELOAD = (50, 70)
SOCIAL_WORKERS_PER_TEAM = 6
TEAMS_PER_HEAD_OF_SERVICE = 6
CHILDREN_PER_BATCH = 1000
STAGE_WEIGHTS = {
    S.IDENTIFICATION: 14,
    S.ASSESSMENT: 18,
    S.SUPPORT_PLANNING: 19,
    S.CONFIRMATION: 10,
    S.RETURN_HOME: 21,
    S.NOT_PURSUED: 6,
    S.CLOSED: 12,
}
DAY = datetime.timedelta(days=1)
BREAKDOWN_SHARE = 0.25


class ScaleStaff:
    """Social workers, managers and IROs enough for the open cases: each social
    worker filled to a realistic caseload, the demo ones first; when everyone is
    full, new teams (six social workers and a manager; a head of service for every
    six teams) and new IROs."""

    def __init__(self, rng: random.Random, password):
        self.rng, self.password = rng, password
        self.new_teams = self.new_users = 0

    def _caseloads(self, field_name: str) -> Counter:
        rows = ReunificationCase.objects.exclude(stage=S.CLOSED).values(field_name)
        return Counter(dict(rows.annotate(n=Count("id")).values_list(field_name, "n")))

    def teams(self) -> list[tuple]:
        """(team, manager, head of service, social workers) for every team that can
        hold cases."""
        active = User.objects.filter(is_active=True, team__isnull=False).order_by("username")
        managers, workers = {}, {}
        for user in active.filter(role_grants__role=Role.TEAM_MANAGER):
            managers.setdefault(user.team_id, user)
        demo_first = {spec.username: i for i, spec in enumerate(words.DEMO_USERS)}
        social_workers = active.filter(role_grants__role=Role.SOCIAL_WORKER).select_related("team")
        for user in sorted(
            social_workers, key=lambda u: (demo_first.get(u.username, 99), u.username)
        ):
            workers.setdefault(user.team_id, []).append(user)
        heads = {}
        for link in Team.heads_of_service.through.objects.select_related("user").order_by(
            "user__username"
        ):
            heads.setdefault(link.team_id, link.user)
        return [
            (people[0].team, managers[team], heads[team], people)
            for team, people in workers.items()
            if team in managers and team in heads
        ]

    def _staff(self, users, grants, username, role, team=None):
        from .seed import new_user

        first, last = (
            self.rng.choice(words.MOTHERS.split()),
            self.rng.choice(words.SURNAMES.split()),
        )
        user = new_user(username, first, last, self.password, team=team)
        users.append(user)
        grants.append(RoleGrant(user=user, role=role))
        return user

    def _create_teams(self, count: int) -> None:
        area, _ = ServiceArea.objects.get_or_create(name=SCALE_SERVICE_AREA)
        numbered = Team.objects.filter(service_area=area).count()
        heads = User.objects.filter(username__startswith="hos.").count()
        teams = Team.objects.bulk_create(
            Team(name=f"Family Support Team {numbered + i}", service_area=area)
            for i in range(1, count + 1)
        )
        users, grants, oversight, head = [], [], [], None
        for index, team in enumerate(teams, start=numbered + 1):
            if head is None or (index - numbered - 1) % TEAMS_PER_HEAD_OF_SERVICE == 0:
                heads += 1
                head = self._staff(users, grants, f"hos.{heads:02d}", Role.HEAD_OF_SERVICE)
            oversight.append((team, head))
            self._staff(users, grants, f"tm.t{index:03d}", Role.TEAM_MANAGER, team)
            for worker in range(1, SOCIAL_WORKERS_PER_TEAM + 1):
                self._staff(users, grants, f"sw.t{index:03d}.{worker}", Role.SOCIAL_WORKER, team)
        User.objects.bulk_create(users, batch_size=500)
        RoleGrant.objects.bulk_create(grants, batch_size=500)
        link = Team.heads_of_service.through
        link.objects.bulk_create(link(team=team, user=user) for team, user in oversight)
        self.new_teams += count
        self.new_users += len(users)

    def _create_iros(self, count: int) -> None:
        numbered = User.objects.filter(username__startswith="iro.").count()
        users, grants = [], []
        for i in range(1, count + 1):
            self._staff(users, grants, f"iro.{numbered + i:03d}", Role.IRO)
        User.objects.bulk_create(users, batch_size=500)
        RoleGrant.objects.bulk_create(grants, batch_size=500)
        self.new_users += count

    def slots(self, open_cases: int) -> tuple[list, list]:
        """One (social worker, team row) and one IRO per open case."""
        while True:
            loads = self._caseloads("social_worker")
            workers = [
                (worker, row)
                for row in self.teams()
                for worker in row[3]
                for _ in range(max(0, self.rng.randint(*SOCIAL_WORKER_CASELOAD) - loads[worker.pk]))
            ]
            if len(workers) >= open_cases:
                break
            per_team = SOCIAL_WORKERS_PER_TEAM * SOCIAL_WORKER_CASELOAD[0]
            self._create_teams(-(-(open_cases - len(workers)) // per_team))
        while True:
            loads = self._caseloads("iro")
            iros = [
                iro
                for iro in User.objects.filter(role_grants__role=Role.IRO, is_active=True).order_by(
                    "username"
                )
                for _ in range(max(0, self.rng.randint(*IRO_CASELOAD) - loads[iro.pk]))
            ]
            if len(iros) >= open_cases:
                break
            self._create_iros(-(-(open_cases - len(iros)) // IRO_CASELOAD[0]))
        return workers[:open_cases], iros[:open_cases]


def check(validate, values: dict, case=None) -> None:
    """Run a record type's validator over the values of a row about to be written."""
    validate(case, values, None)


def no_overlaps(periods: list) -> None:
    """The rule records.no_overlap applies, over a child's periods held in memory."""
    for a, b in itertools.combinations(periods, 2):
        if rules.periods_overlap(a.start_date, a.end_date, b.start_date, b.end_date):
            raise ValidationError(f"Overlapping periods for {a.child.local_identifier}")
    for period in periods:
        if period.end_date and period.end_date < period.start_date:
            raise ValidationError(records.END_BEFORE_START)


class Writer:
    """Draws and writes one batch of children, each with one case."""

    def __init__(self, rng: random.Random, on: datetime.date):
        self.rng, self.on = rng, on
        self.zone = timezone.get_current_timezone()
        self.rows: dict[type, list] = {}

    def days(self, low, high) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    def add(self, row):
        self.rows.setdefault(type(row), []).append(row)
        return row

    def at(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(10), self.zone)

    def child(self, number: int, stage: str, staff) -> None:
        r, on = self.rng, self.on
        worker, (team, manager, head, _), iro = staff
        if stage in JOURNEY:
            path = list(JOURNEY[: JOURNEY.index(stage) + 1])
        else:
            path = list(JOURNEY) if stage == S.CLOSED else [*JOURNEY[:2], S.NOT_PURSUED]
        closed_on = on - self.days(7, 150) if stage == S.CLOSED else None
        entered, day = {}, (closed_on or on) - self.days(7, 200 if stage == S.CLOSED else 120)
        for step in reversed(path):
            entered[step] = day
            day -= self.days(20, 70)
        opened = entered[S.IDENTIFICATION]
        looked_after = opened - self.days(14, 60)
        sex = r.choice(("M", "F"))
        surname = r.choice(words.SURNAMES.split())
        child = self.add(
            Child(
                first_name=r.choice((words.BOYS if sex == "M" else words.GIRLS).split()),
                last_name=surname,
                date_of_birth=add_months(looked_after, -12 * r.randint(1, 15)) - self.days(1, 300),
                sex=sex,
                ethnicity="WBRI",
                local_identifier=f"LA-{number:06d}",
                nhs_number=nhs_number_for(number) if r.random() < 0.65 else "",
            )
        )
        returned = entered.get(S.RETURN_HOME)
        care_order = r.random() < 0.5
        # About a quarter of the closed returns broke down (re-entry to care within
        # two years, as the research finds): the child came back, then the case closed.
        came_back = None
        broke_down = r.random() < BREAKDOWN_SHARE
        if stage == S.CLOSED and returned and (closed_on - returned).days > 40 and broke_down:
            came_back = returned + self.days(30, min(300, (closed_on - returned).days - 5))
        statuses = [LegalStatus(child=child, code="V2", start_date=looked_after)]
        if care_order:
            full = looked_after + self.days(150, 240)
            if returned:  # the full order was made before the child went home on it
                full = max(looked_after + DAY, min(full, returned - 7 * DAY))
            statuses = [LegalStatus(child=child, code="C1", start_date=looked_after)]
            if full < on:
                statuses[0].end_date = full
                statuses.append(LegalStatus(child=child, code="C2", start_date=full))
        elif returned:
            statuses[0].end_date = returned
        placements = [
            Placement(
                child=child,
                placement_type="U6",
                carer=r.choice(words.FOSTER_CARERS),
                start_date=looked_after,
                end_date=returned,
            )
        ]
        if returned and care_order:
            placements.append(
                Placement(
                    child=child,
                    placement_type="P1",
                    carer="Mother",
                    start_date=returned,
                    end_date=closed_on,
                )
            )
            statuses[-1].end_date = closed_on
        if came_back:
            if care_order:
                placements[-1].end_date = came_back
            else:
                statuses.append(
                    LegalStatus(child=child, code="V2", start_date=came_back, end_date=closed_on)
                )
            placements.append(
                Placement(
                    child=child,
                    placement_type="U6",
                    carer=r.choice(words.FOSTER_CARERS),
                    start_date=came_back,
                    end_date=closed_on,
                )
            )
        for periods in (statuses, placements):
            no_overlaps(periods)
            for period in periods:
                self.add(period)
        details = {
            "became_looked_after_on": looked_after,
            "reunification_first_considered_on": opened,
        }
        records.case_details_rules(details)
        case = self.add(
            ReunificationCase(
                child=child,
                team=team,
                social_worker=worker,
                team_manager=manager,
                head_of_service=head,
                iro=iro,
                stage=stage,
                stage_entered_on=entered.get(stage, closed_on),
                opened_on=opened,
                closed_on=closed_on,
                category_of_need="N1",
                **details,
            )
        )
        for role, user in (
            (Role.SOCIAL_WORKER, worker),
            (Role.TEAM_MANAGER, manager),
            (Role.HEAD_OF_SERVICE, head),
            (Role.IRO, iro),
        ):
            self.add(
                Allocation(
                    case=case,
                    role=role,
                    user=user,
                    start_date=opened,
                    end_date=closed_on,
                    allocated_by=manager,
                )
            )
            self.entry(
                case,
                opened,
                ChronologyKind.ALLOCATION,
                f"{user} allocated as {Role(role).label.lower()}.",
                manager,
            )
        self.entry(
            case,
            opened,
            ChronologyKind.CASE_OPENED,
            "Reunification case opened at identification stage.",
            manager,
        )
        moves = list(itertools.pairwise(path)) + ([(path[-1], S.CLOSED)] if closed_on else [])
        for from_stage, to_stage in moves:
            day = entered.get(to_stage, closed_on)
            self.add(
                StageMove(
                    case=case,
                    from_stage=from_stage,
                    to_stage=to_stage,
                    moved_by=manager,
                    role=Role.TEAM_MANAGER,
                    moved_at=self.at(day),
                    reason="Moved on.",
                )
            )
        if closed_on:
            self.add(
                Closure(
                    case=case,
                    closed_on=closed_on,
                    reason=ClosureReason.BREAKDOWN
                    if came_back
                    else ClosureReason.SUSTAINED_LOW_RISK,
                    closed_by=manager,
                    role=Role.TEAM_MANAGER,
                    recorded_at=self.at(closed_on),
                )
            )
        self.history(case, stage, entered, closed_on, care_order, came_back, staff)
        mother = {
            "name": f"{r.choice(words.MOTHERS.split())} {surname}",
            "relationship": "Mother",
            "date_of_birth": add_months(child.date_of_birth, -12 * r.randint(18, 38)),
            "has_parental_responsibility": True,
            "lives_in_household": True,
        }
        check(records.has_an_age, mother)
        member = self.add(FamilyMember(case=case, recorded_on=opened, **mother))
        returned_on = opened + self.days(7, 40)
        police = {"requested_on": opened, "returned_on": returned_on if returned_on < on else None}
        police["outcome"] = "no_trace" if police["returned_on"] else ""
        check(records.police_check_dates, police)
        self.add(PoliceCheck(member=member, **police))
        kind, description = r.choice(words.ISSUES)
        self.add(
            ParentalIssue(
                case=case, kind=kind, parent=member, description=description, treatment="engaging"
            )
        )

    def history(self, case, stage, entered, closed_on, care_order, came_back, staff) -> None:
        """The journey's records as far as the case's stage: the care plan's three
        approvals, the risk assessment and its sign-off (the level the risk tool
        suggests for the answers), the decision not to pursue, the return home
        and any breakdown; Child in Care reviews every six months and social
        worker visits every six weeks while the case is open."""
        r = self.rng
        worker, (team, manager, head, _), iro = staff
        until = closed_on or self.on
        reached = set(entered) | ({S.CLOSED} if closed_on else set())
        # The care plan: confirmed, agreed and ratified during identification.
        steps = [
            (CarePlanStep.CONFIRMED, manager, Role.TEAM_MANAGER),
            (CarePlanStep.AGREED, head, Role.HEAD_OF_SERVICE),
            (CarePlanStep.RATIFIED, iro, Role.IRO),
        ]
        given = 3 if reached - {S.IDENTIFICATION} else r.randint(0, 2)
        day = entered[S.IDENTIFICATION]
        for step, person, role in steps[:given]:
            day = min(until, day + self.days(2, 9))
            self.add(
                CarePlanApproval(
                    case=case,
                    step=step,
                    approved_on=day,
                    cic_review_on=day if step == CarePlanStep.RATIFIED else None,
                    decided_by=person,
                    role=role,
                    decided_at=self.at(day),
                    rationale="The reunification care plan is agreed.",
                )
            )
        # The risk assessment: signed off once the case has moved on from assessment,
        # waiting for sign-off or still a draft while it is there.
        if S.ASSESSMENT in entered:
            level = "high" if stage == S.NOT_PURSUED else r.choice(("low", "medium", "medium"))
            start = entered[S.ASSESSMENT]
            status = AssessmentStatus.SIGNED_OFF
            if stage == S.ASSESSMENT:
                status = r.choice((AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED))
            self.assessment(case, level, start + self.days(5, 15), status, worker, manager)
            if entered.get(S.RETURN_HOME) and until - entered[S.RETURN_HOME] > 70 * DAY:
                # Reassessed at about the first review at home: the risk has come down.
                day = entered[S.RETURN_HOME] + self.days(40, 60)
                self.assessment(case, "low", day, AssessmentStatus.SIGNED_OFF, worker, manager)
        if stage == S.NOT_PURSUED:
            day = entered[S.NOT_PURSUED]
            self.add(
                NotPursued(
                    case=case,
                    decided_on=day,
                    explained_to_child_on=day,
                    explained_to_family_on=day + DAY,
                    care_plan_now="Long-term fostering with the current carers.",
                    reconsider_on=add_months(day, 6),
                    decided_by=manager,
                    role=Role.TEAM_MANAGER,
                    decided_at=self.at(day),
                    rationale="Risk assessed as High: the parents have not taken up services.",
                )
            )
        returned = entered.get(S.RETURN_HOME)
        if returned:
            planned = r.random() < 0.85
            self.add(
                ReturnHome(
                    case=case,
                    returned_on=returned,
                    planned=planned,
                    unplanned_reason=""
                    if planned
                    else "The child left the placement and went home; the plan followed.",
                    returned_to="Mother",
                    episode_end_reason="" if care_order else ("E4A" if planned else "E4B"),
                    legal_status_after=LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS
                    if care_order
                    else LegalStatusAfterReturn.CHILD_IN_NEED,
                    recorded_by=worker,
                    recorded_at=self.at(returned),
                )
            )
        if came_back:
            self.add(
                Breakdown(
                    case=case,
                    came_back_on=came_back,
                    reason="The home became unsafe again; the child came back into care.",
                    placement_type="U6",
                    carer="Foster carers",
                    legal_status="C2" if care_order else "V2",
                    recorded_by=worker,
                    recorded_at=self.at(came_back),
                )
            )
        opened = entered[S.IDENTIFICATION]
        day = opened + self.days(14, 28)
        while day <= until:
            self.add(
                Review(
                    case=case,
                    held_on=day,
                    review_type=ReviewType.CHILD_IN_CARE,
                    chair=iro,
                    attended="Child, parents, carers, social worker, IRO.",
                    outcome="The plan continues.",
                    reunification_considered=True,
                    reunification_outcome=words.REUNIFICATION_AT_REVIEW[stage == S.NOT_PURSUED],
                    recorded_by=iro,
                )
            )
            day = add_months(day, 6)
        day = opened + self.days(3, 20)
        while day <= until:
            self.add(
                Visit(case=case, visited_on=day, seen_alone=r.random() < 0.8, visited_by=worker)
            )
            day += self.days(35, 45)

    def assessment(self, case, level, day, status, worker, manager) -> None:
        answers = dict(zip(QUESTIONS, words.ANSWERS[level], strict=True))
        suggestion = suggest_level(**answers)  # the risk tool's own rule
        signed = status == AssessmentStatus.SIGNED_OFF
        submitted = status != AssessmentStatus.DRAFT
        self.add(
            RiskAssessment(
                case=case,
                assessed_on=min(day, self.on),
                author=worker,
                status=status,
                **answers,
                **{f"{name}_evidence": "From the chronology and the checks." for name in answers},
                protective_factors_named="Maternal grandmother helps.",
                suggested_level=suggestion.level.code,
                confirmed_level=suggestion.level.code if submitted else "",
                rationale="Agree with the tool's suggestion." if submitted else "",
                submitted_at=self.at(min(day, self.on)) if submitted else None,
                submitted_by=worker if submitted else None,
                decided_by=manager if signed else None,
                decided_at=self.at(min(day + 2 * DAY, self.on)) if signed else None,
            )
        )

    def entry(self, case, day, kind, text, by) -> None:
        self.add(
            ChronologyEntry(
                case=case,
                occurred_on=day,
                kind=kind,
                description=text,
                recorded_by=by,
                recorded_at=self.at(day),
                automatic=True,
            )
        )

    def write(self) -> None:
        """Parents before the rows that point at them: bulk_create sets each row's
        key from the parent object it was given once the parent has its own."""
        for model in (
            Child,
            LegalStatus,
            Placement,
            ReunificationCase,
            Allocation,
            ChronologyEntry,
            StageMove,
            Closure,
            CarePlanApproval,
            RiskAssessment,
            NotPursued,
            ReturnHome,
            Breakdown,
            Review,
            Visit,
            FamilyMember,
            PoliceCheck,
            ParentalIssue,
        ):
            model.objects.bulk_create(self.rows.pop(model, []), batch_size=500)


def next_scale_number() -> int:
    last = Child.objects.filter(local_identifier__regex=r"^LA-[2-9][0-9]{5}$").aggregate(
        last=Max("local_identifier")
    )["last"]
    return int(last[3:]) + 1 if last else SCALE_FIRST_NUMBER


def create_scale_cases(count: int, on: datetime.date, seed: int, password) -> tuple:
    """`count` more children, each with one case. Returns (stages, children, staff)."""
    first = next_scale_number()
    if first + count - 1 > SCALE_LAST_NUMBER:
        raise ValueError(
            f"Only {SCALE_LAST_NUMBER - first + 1} more scale children fit the local "
            "identifier range; start from an empty database."
        )
    rng = random.Random(f"{seed}-{first}")
    stages = rng.choices(list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values()), k=count)
    open_count = sum(stage != S.CLOSED for stage in stages)
    staff = ScaleStaff(rng, password)
    with transaction.atomic():
        workers, iros = staff.slots(open_count)
    everyone = [(worker, row) for row in staff.teams() for worker in row[3]]
    all_iros = list(User.objects.filter(role_grants__role=Role.IRO, is_active=True))
    rng.shuffle(workers)
    open_slots = iter(zip(workers, iros, strict=True))
    for start in range(0, count, CHILDREN_PER_BATCH):
        writer = Writer(rng, on)
        for number, stage in enumerate(stages[start : start + CHILDREN_PER_BATCH], first + start):
            if stage == S.CLOSED:
                (worker, row), iro = rng.choice(everyone), rng.choice(all_iros)
            else:
                (worker, row), iro = next(open_slots)
            writer.child(number, stage, (worker, row, iro))
        with transaction.atomic():
            writer.write()
    return Counter(stages), count, staff
