"""Journey records for the default demo cases.

`cases.demo` writes the demo cases with their stage set directly, so on their own
they hold no decisions, assessments, reviews or visits. This extension gives each
case the records it would hold had it really been worked through the stages it
has reached: the care plan approvals, the assessment-stage records and a
signed-off risk assessment, the viability consultation, the planning records, the
viability meeting, the return home or the decision not to pursue it, the stage
moves between them, Child in Care reviews held on time with the IRO's
recommendations, and social worker visits. A case part-way through a stage holds
part of what that stage needs, so the "waiting for me" lists and My tasks have
something in them.

When each stage began is read from the decisions `cases.demo` wrote in the
case's chronology, so the new records agree with it. Every date lies on or
before the day of the seed, except due dates and a confirmed return date, which
are meant to lie ahead. Records are saved one by one with the person who made
them, so the history says who did what.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cases.dates import add_months, age_on
from cases.demo import EXTENSIONS, register_extension
from cases.models import (
    AbuseCategory,
    ChronologyEntry,
    ChronologyKind,
    FamilyMember,
    LegalStatusCode,
    ParentalIssueKind,
    PlacementType,
    PoliceCheck,
    PoliceCheckOutcome,
    ReasonEpisodeCeased,
    ReunificationCase,
    Role,
    Stage,
    User,
)
from cases.selectors import household
from planning.models import (
    AgreementGoal,
    ContingencyPlan,
    DirectWorkKind,
    DirectWorkSession,
    FamilyTimeStep,
    GoalOutcome,
    GoalReview,
    InviteeKind,
    MeetingInvitee,
    PlacementWithParentsApproval,
    PlanningMeeting,
    ServiceKind,
    ServiceTiming,
    SupportPlan,
    SupportService,
    WrittenAgreement,
)
from reunification.clock import now
from reviews.deadlines import refresh as deadlines
from reviews.deadlines.rules import (
    LATER_CIC_REVIEW_MONTHS,
    SECOND_CIC_REVIEW_MONTHS,
    first_review_after_return_due,
)
from reviews.deadlines.working_days import add_working_days
from reviews.models import (
    Breakdown,
    CarePlanApproval,
    CarePlanStep,
    Closure,
    ClosureReason,
    ConsultationOutcome,
    Deadline,
    LegalStatusAfterReturn,
    MeetingOutcome,
    NotPursued,
    Recommendation,
    ReturnHome,
    Review,
    ReviewType,
    StageMove,
    ViabilityConsultation,
    ViabilityMeeting,
    Visit,
)
from risk.models import (
    AdvocateOffer,
    AssessmentStatus,
    ChildViews,
    FactorStatus,
    NamedRiskFactor,
    ParentViews,
    RiskAssessment,
    RiskFactorEntry,
    SingleAssessment,
)
from risk.tool import suggest_level

SEED = 2026
DAY = datetime.timedelta(days=1)
S = Stage
OPEN_STAGES = (
    S.IDENTIFICATION,
    S.ASSESSMENT,
    S.SUPPORT_PLANNING,
    S.CONFIRMATION,
    S.RETURN_HOME,
)
CIN_REVIEW_MONTHS = 3
VISIT_WEEKS = 6
# Open looked-after cases whose latest visit is a few days late, so My tasks has
# something overdue in it.
LATE_VISITS = 4

# How `cases.demo` words the decision that began each stage (see its stage_story).
STAGE_STORIES = (
    ("Reunification care plan confirmed", S.ASSESSMENT),
    ("Viability consultation:", S.SUPPORT_PLANNING),
    ("Initial programme of support completed", S.CONFIRMATION),
    ("Risk assessed as high", S.NOT_PURSUED),
)
RETURN_STORY = " returned home to "
BREAKDOWN_STORY = "Return home broke down"

# Answers to the risk tool's five questions that point to each level, in the
# order risk factors, protective factors, capacity for change, wishes, recurrence.
ANSWERS = {
    "low": ("addressed", "apparent", "able", "both_want", "unlikely"),
    "medium": ("not_all_addressed", "apparent", "able", "both_want", "some"),
    "high": ("not_being_addressed", "apparent", "unable", "ambivalent", "strong"),
    # High still, but the parents have begun to address the risks.
    "high_progress": ("not_all_addressed", "apparent", "able", "ambivalent", "strong"),
}
FACTOR_FOR_ISSUE = {
    ParentalIssueKind.DOMESTIC_ABUSE: NamedRiskFactor.DOMESTIC_ABUSE,
    ParentalIssueKind.SUBSTANCE_MISUSE: NamedRiskFactor.SUBSTANCE_MISUSE,
    ParentalIssueKind.MENTAL_ILL_HEALTH: NamedRiskFactor.MENTAL_ILL_HEALTH,
}
SPECIALIST_SERVICES = {
    ParentalIssueKind.DOMESTIC_ABUSE: (
        ServiceKind.SPECIALIST_DOMESTIC_ABUSE,
        "Safer Homes domestic abuse service",
        "Freedom Programme group and one-to-one support worker.",
    ),
    ParentalIssueKind.SUBSTANCE_MISUSE: (
        ServiceKind.SPECIALIST_SUBSTANCE_MISUSE,
        "Northgate Recovery drug and alcohol service",
        "Keyworker sessions weekly, monthly testing and a recovery group.",
    ),
    ParentalIssueKind.MENTAL_ILL_HEALTH: (
        ServiceKind.SPECIALIST_MENTAL_HEALTH,
        "Community mental health team",
        "Care coordinator, medication reviews and a crisis plan.",
    ),
    ParentalIssueKind.LEARNING_DIFFICULTY: (
        ServiceKind.SPECIALIST_LEARNING_DIFFICULTY,
        "Adult learning disability team",
        "Adapted parenting programme and a visual routine planner.",
    ),
    ParentalIssueKind.DISABILITY: (
        ServiceKind.SPECIALIST_DISABILITY,
        "Adult social care occupational therapy",
        "Home adaptations and a personal assistant for the mornings.",
    ),
    ParentalIssueKind.ILLNESS: (
        ServiceKind.SPECIALIST_ILLNESS,
        "Adult social care",
        "A support plan that covers hospital admissions.",
    ),
}
GOALS = {
    ParentalIssueKind.SUBSTANCE_MISUSE: (
        "{parent} stays free of drugs and alcohol.",
        "Monthly hair-strand tests negative; the keyworker reports weekly attendance.",
        "{parent}: attend the recovery service every week. Social worker: arrange testing.",
        "Drug and alcohol service; hair-strand testing.",
    ),
    ParentalIssueKind.DOMESTIC_ABUSE: (
        "There is no further domestic abuse in {child}'s home.",
        "No police call-outs; the Freedom Programme completed; the non-molestation order kept.",
        "{parent}: complete the programme. Social worker: check with police monthly.",
        "Domestic abuse service.",
    ),
    ParentalIssueKind.MENTAL_ILL_HEALTH: (
        "{parent}'s mental health stays stable, with a plan for bad days.",
        "Every appointment with the care coordinator kept; a crisis plan shared with the family.",
        "{parent}: keep appointments and take medication. Care coordinator: review monthly.",
        "Community mental health team.",
    ),
    ParentalIssueKind.LEARNING_DIFFICULTY: (
        "{parent} keeps {child}'s daily routines.",
        "The routine planner is used every day; school attendance above 95%.",
        "{parent}: use the planner. Family support worker: visit twice a week.",
        "Adapted parenting programme; family support worker.",
    ),
    ParentalIssueKind.DISABILITY: (
        "The home is safe and adapted for {child}.",
        "Stair gate and rail fitted; the occupational therapist signs the home off.",
        "Occupational therapy: adaptations. {parent}: allow access for the work.",
        "Adult social care occupational therapy.",
    ),
    ParentalIssueKind.ILLNESS: (
        "{child} is cared for when {parent} is unwell.",
        "A named relative covers every hospital stay; no missed school days.",
        "{parent}: tell the social worker of admissions. Family: cover care.",
        "Adult social care support plan.",
    ),
}
SCHOOL_GOAL = (
    "{child} goes to school every day, on time.",
    "Attendance above 95% each half-term, reported by the school.",
    "{parent}: the school run. School: share the register fortnightly.",
    "",
)
FAMILY_TIME = (
    (
        "Once a week",
        "2 hours",
        True,
        False,
        "Supervised at the family centre; {parent} was on time and played well with {child}.",
    ),
    (
        "Twice a week",
        "3 hours",
        False,
        False,
        "Unsupervised in the community; {child} was happy to go and came back settled.",
    ),
    (
        "Every Saturday",
        "Day visit at home, 10am to 6pm",
        False,
        False,
        "Day visits at home; the house was clean and there was food in.",
    ),
    (
        "Every weekend",
        "Friday 5pm to Sunday 4pm",
        False,
        True,
        "Overnight stays at home; {child} slept well and got to school on Monday.",
    ),
)
CHILD_VIEWS = (
    "I miss {mum} and my own room. I want to go home, but only if things are different.",
    "I like it at {carer}, but I want to live with {mum} again. I want to see {mum} more.",
    "I want to go home. I don't want the shouting to happen again.",
    "I want to go back home and go to my old school. {mum} is trying really hard now.",
)
PARENT_VIEWS = (
    "{first} wants {child} home and knows the work must carry on after the return. "
    "Accepts the written agreement and asked for more family time.",
    "{first} supports the return and is worried about managing {child}'s behaviour at "
    "first; asked for help with bedtime routines.",
    "{first} says the family is ready to have {child} home and that the support has "
    "helped; wants the Family Group Conference to involve the grandparents.",
)
ABSENT_PARENT_VIEWS = (
    "{first} does not live with {child} but supports the plan for a return home and "
    "wants regular contact to continue."
)
AMBIVALENT_VIEWS = (
    "{first} says {child} should come home but does not accept the concerns, and has "
    "cancelled family time often; does not want to work with the services offered."
)
VISIT_NOTES = (
    "Seen at the placement; talked about family time and school. Settled.",
    "Seen alone in their room; spoke about missing home and the plan. No concerns.",
    "Visit after school; the carer reports good sleep and better attendance.",
    "Did direct work on worries and wishes; {child} drew their family.",
    "Seen with the carer and alone; looked forward to the weekend with {mum}.",
)
HOME_VISIT_NOTES = (
    "Seen at home with {mum}; the house was tidy and there was food in. {child} happy.",
    "Seen alone at home; spoke about school and friends. No concerns raised.",
    "Unannounced visit; {mum} sober and {child} ready for bed. Routine in place.",
)
RECOMMENDATIONS = {
    "before": (
        "Social worker to complete direct work with {child} on their wishes about home.",
        "Update the chronology and genogram before the next review.",
        "Arrange {child}'s health assessment.",
    ),
    S.IDENTIFICATION: (
        "Team manager to consider the reunification care plan and record the decision.",
        "Refer {mum} to the services named in the plan.",
    ),
    S.ASSESSMENT: (
        "Request the outstanding police checks for everyone aged 16 or over.",
        "Offer {child} an independent advocate.",
        "Complete the single assessment, with the full chronology reviewed.",
    ),
    S.SUPPORT_PLANNING: (
        "Hold the Family Group Conference.",
        "Agree the contingency plan with the carers.",
        "Review family time and move to unsupervised time if it goes well.",
    ),
    S.CONFIRMATION: (
        "Complete the new risk assessment before the viability meeting.",
        "Confirm the school place from the return date.",
    ),
    S.RETURN_HOME: (
        "Review the written agreement with {mum} in six weeks.",
        "Keep the support plan in place for at least a year after the return.",
        "Confirm school transport from home.",
    ),
    S.NOT_PURSUED: (
        "Present the permanence plan to the permanence panel.",
        "Start life story work with {child}.",
        "Review family time with {mum}.",
    ),
}
REVIEW_OUTCOMES = {
    "before": "{child} stays with {carer} while work with the family goes on. Reunification "
    "considered: not yet; {mum} to engage with services first. Reconsider at the next review.",
    S.IDENTIFICATION: "Reunification considered: the plan for {child} to return home is "
    "being put to the team manager and head of service.",
    S.ASSESSMENT: "Assessment of risk and viability under way. The IRO asked that the "
    "single assessment review the full chronology.",
    S.SUPPORT_PLANNING: "The reunification plan is progressing: family time is increasing "
    "and the written agreement was reviewed with the family.",
    S.CONFIRMATION: "Initial programme completed; the Reunification Viability Meeting is arranged.",
    S.NOT_PURSUED: "Reunification is not being pursued. Care plan: long-term fostering with "
    "{carer}, family time continuing; permanence planning under way.",
    "after_cic": "{child} is settled at home with {mum}. The care order remains; the "
    "placement with parents plan and support continue.",
    "after_cin": "Child in Need review after the return home: {child} settled, school "
    "attendance good, support plan reviewed. The IRO was invited.",
}


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A time in the working day of `day`, never after now."""
    at = datetime.time(rng.randint(9, 16), rng.randint(0, 59))
    zone = timezone.get_current_timezone()
    return min(datetime.datetime.combine(day, at, tzinfo=zone), now())


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)

    def save(self, instance, by: User, **kwargs):
        instance._history_user = by  # what simple_history records as who made the change
        instance.save(**kwargs)
        self.counts[type(instance).__name__] += 1
        return instance


class Journey:
    """One demo case and what is known about it, with the writes that give it its
    journey records."""

    def __init__(self, case, on, rng, tally, people):
        self.case = case
        self.on = on
        self.rng = rng
        self.tally = tally
        child = case.child
        self.child = child
        self.name = child.first_name
        self.placements = sorted(child.placements.all(), key=lambda p: p.start_date)
        self.statuses = sorted(child.legal_statuses.all(), key=lambda s: s.start_date)
        self.members = list(case.family_members.all())
        self.parents = [m for m in self.members if m.has_parental_responsibility]
        self.issues = list(case.parental_issues.all())
        self.siblings = list(child.siblings.all())
        entries = list(case.chronology.order_by("occurred_on", "pk"))
        self.entries = entries
        self.workers = list(
            case.allocations.filter(role=Role.SOCIAL_WORKER)
            .select_related("user")
            .order_by("start_date", "pk")
        )
        self.team_manager = case.team_manager
        self.head_of_service = case.head_of_service or people["hos"]
        # Two demo cases have no IRO allocated; their reviews were chaired by the
        # service's IRO all the same.
        self.iro = case.iro or people["iro"]
        self.director = people["director"]
        self.stages, self.starts = self._path()
        self.returned_on = self.starts.get(S.RETURN_HOME)
        self.main_parent = self._main_parent()
        self.mum = self._parent_word(self.main_parent)
        self.views_advocate = ""

    # -- what is known -------------------------------------------------------

    def _path(self) -> tuple[list[str], dict[str, datetime.date]]:
        """The stages the case has been through, in order, and when each began,
        from the decisions in its chronology."""
        case = self.case
        found: dict[str, datetime.date] = {}
        for entry in self.entries:
            if entry.kind == ChronologyKind.DECISION and not entry.automatic:
                for prefix, stage in STAGE_STORIES:
                    if entry.description.startswith(prefix):
                        found.setdefault(stage, entry.occurred_on)
                if RETURN_STORY in entry.description:
                    found.setdefault(S.RETURN_HOME, entry.occurred_on)
        if case.stage in OPEN_STAGES:
            stages = list(OPEN_STAGES[: OPEN_STAGES.index(case.stage) + 1])
        elif case.stage == S.NOT_PURSUED:
            stages = [S.IDENTIFICATION, S.ASSESSMENT]
            if S.CONFIRMATION in found:
                stages += [S.SUPPORT_PLANNING, S.CONFIRMATION]
            stages.append(S.NOT_PURSUED)
        else:
            stages = [*OPEN_STAGES, S.CLOSED]
        starts = {S.IDENTIFICATION: case.opened_on}
        last = case.closed_on or case.stage_entered_on
        for stage in stages[1:]:
            starts[stage] = found.get(stage)
        starts[stages[-1]] = last
        # Any stage the chronology does not date is spread between its neighbours.
        for index, stage in enumerate(stages):
            if starts[stage] is None:
                before = starts[stages[index - 1]]
                after_index = next(i for i in range(index + 1, len(stages)) if starts[stages[i]])
                after = starts[stages[after_index]]
                share = (after - before).days // (after_index - index + 1)
                starts[stage] = before + datetime.timedelta(days=max(1, share))
        return stages, starts

    def start(self, stage: str) -> datetime.date:
        return self.starts[stage]

    def end(self, stage: str) -> datetime.date:
        """The day the stage ended (the next began), or today if it has not."""
        index = self.stages.index(stage)
        return self.starts[self.stages[index + 1]] if index + 1 < len(self.stages) else self.on

    def reached(self, stage: str) -> bool:
        """Whether the case went through `stage` and on to another."""
        return stage in self.stages and self.stages[-1] != stage

    def stage_on(self, day: datetime.date) -> str:
        """The stage the case was at on `day`, "before" it opened."""
        if day < self.case.opened_on:
            return "before"
        current = self.stages[0]
        for stage in self.stages:
            if self.starts[stage] <= day:
                current = stage
        return current

    def worker(self, day: datetime.date) -> User:
        """The social worker allocated on `day`."""
        held = [a for a in self.workers if a.start_date <= day]
        return (held[-1] if held else self.workers[0]).user

    def status_on(self, day: datetime.date):
        for status in self.statuses:
            if status.start_date <= day and (status.end_date is None or day < status.end_date):
                return status
        return None

    def on_care_order(self, day: datetime.date) -> bool:
        status = self.status_on(day)
        return status is not None and status.code in LegalStatusCode.care_orders()

    def placement_on(self, day: datetime.date):
        for placement in self.placements:
            if placement.start_date <= day and (
                placement.end_date is None or day < placement.end_date
            ):
                return placement
        return self.placements[-1] if self.placements else None

    def carer_on(self, day: datetime.date) -> str:
        placement = self.placement_on(day)
        if placement is None:
            return "the carers"
        carer = placement.carer.split(" (")[0]
        if ", " in carer:  # a relative: "Maternal aunt, Gemma Pearce"
            relationship, name = carer.split(", ", 1)
            return f"{name} ({relationship.lower()})"
        return carer

    def carer_place(self, day: datetime.date) -> str:
        """Where the child lives, as the child would say it."""
        placement = self.placement_on(day)
        carer = placement.carer.split(" (")[0] if placement else ""
        if ", " in carer:
            relationship = carer.split(", ")[0].lower()
            for word, said in (("grandfather", "grandad's"), ("grandmother", "nan's")):
                if word in relationship:
                    return said
            return "my aunt's" if "aunt" in relationship else "my family's"
        if placement and placement.placement_type in (PlacementType.K2, PlacementType.R1):
            return "the children's home"
        if placement and placement.placement_type == PlacementType.R3:
            return "the family centre"
        return f"{carer}'s" if carer else "my foster home"

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.child.date_of_birth, day)

    def _main_parent(self) -> FamilyMember | None:
        at_home = [p for p in self.parents if p.lives_in_household]
        return (at_home or self.parents or [None])[0]

    @staticmethod
    def _parent_word(parent: FamilyMember | None) -> str:
        if parent is None:
            return "the family"
        return "dad" if parent.relationship == "Father" else "mum"

    @property
    def parent_name(self) -> str:
        return self.main_parent.name if self.main_parent else "the parents"

    @property
    def parent_first(self) -> str:
        return self.parent_name.split()[0] if self.main_parent else "The parents"

    def words(self, text: str, day: datetime.date | None = None) -> str:
        return text.format(
            child=self.name,
            parent=self.parent_first,
            mum=self.mum,
            carer=self.carer_on(day or self.on),
        )

    def between(self, start, end, low=0.0, high=1.0) -> datetime.date:
        """A day between `start` and `end`, a share `low` to `high` of the way."""
        span = max(0, (end - start).days)
        return start + datetime.timedelta(days=round(span * self.rng.uniform(low, high)))

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    def save(self, instance, by: User, **kwargs):
        return self.tally.save(instance, by, **kwargs)

    def note(self, day, by, text) -> None:
        """A chronology entry for a decision, as the services write them."""
        self.save(
            ChronologyEntry(
                case=self.case,
                occurred_on=day,
                kind=ChronologyKind.DECISION,
                description=text,
                recorded_by=by,
                recorded_at=_moment(day, self.rng),
                automatic=True,
            ),
            by,
        )

    def move(self, from_stage, to_stage, day, by, role, reason) -> None:
        self.save(
            StageMove(
                case=self.case,
                from_stage=from_stage,
                to_stage=to_stage,
                moved_by=by,
                role=role,
                moved_at=_moment(day, self.rng),
                reason=reason,
            ),
            by,
        )

    # -- stage 1 -------------------------------------------------------------

    def approval_dates(self, steps: int) -> list[datetime.date]:
        """When the first `steps` approvals were given, in order, within the
        identification stage (before the day it ended)."""
        end = self.end(S.IDENTIFICATION) - DAY
        # Within the last three months or so of the stage, however long it lasted.
        start = max(self.start(S.IDENTIFICATION), end - 100 * DAY)
        dates = [self.between(start, end, 0.1, 0.3)]
        if steps > 1:
            dates.append(max(dates[0] + DAY, self.between(start, end, 0.35, 0.6)))
        return [min(day, end) for day in dates]

    def approve(self, dates: list[datetime.date], ratified_at: datetime.date | None) -> None:
        case = self.case
        approvers = [
            (CarePlanStep.CONFIRMED, self.team_manager, Role.TEAM_MANAGER),
            (CarePlanStep.AGREED, self.head_of_service, Role.HEAD_OF_SERVICE),
        ]
        rationales = [
            f"Reunification considered at supervision: {self.parent_first} is engaging with "
            f"services and {self.name} wants to go home. Care plan for return confirmed.",
            "Agreed: the plan is realistic in the child's timescale, with an assessment of "
            "risk and viability to follow.",
        ]
        for (step, by, role), day, why in zip(approvers, dates, rationales, strict=False):
            self.save(
                CarePlanApproval(
                    case=case,
                    step=step,
                    decided_by=by,
                    role=role,
                    decided_at=_moment(day, self.rng),
                    approved_on=day,
                    rationale=why,
                ),
                by,
            )
            if self.case.stage == S.IDENTIFICATION:
                self.note(
                    day,
                    by,
                    f"Reunification care plan {CarePlanStep(step).label[0].lower()}"
                    f"{CarePlanStep(step).label[1:]} ({by}).",
                )
        if ratified_at:
            self.save(
                CarePlanApproval(
                    case=case,
                    step=CarePlanStep.RATIFIED,
                    decided_by=self.iro,
                    role=Role.IRO,
                    decided_at=_moment(ratified_at, self.rng),
                    approved_on=ratified_at,
                    cic_review_on=ratified_at,
                    rationale="Ratified at the Child in Care review; the family and "
                    f"{self.name} were consulted.",
                ),
                self.iro,
            )
            moved_on = self.start(S.ASSESSMENT)
            by = self.worker(moved_on)
            self.move(
                S.IDENTIFICATION,
                S.ASSESSMENT,
                moved_on,
                by,
                Role.SOCIAL_WORKER,
                "The reunification care plan was confirmed, agreed and ratified.",
            )

    # -- stage 2 -------------------------------------------------------------

    def child_views(self, day: datetime.date) -> None:
        age = self.age_on(day)
        carer = self.carer_on(day)
        if age < 4:
            views = ""
            reason = (
                f"{self.name} is {age or 'under one'} and too young to give views in words. "
                f"Observed in family time: reaches for {self.mum} and settles quickly with "
                f"{carer}."
            )
            advocate = AdvocateOffer.NOT_OFFERED
        else:
            template = self.rng.choice(CHILD_VIEWS)
            said = template.format(mum=self.mum, carer=self.carer_place(day))
            views = f"“{said}” (direct work, aged {age})"
            reason = ""
            advocate = self.rng.choice(
                [AdvocateOffer.OFFERED_ACCEPTED, AdvocateOffer.OFFERED_DECLINED]
                if age >= 8
                else [AdvocateOffer.OFFERED_DECLINED, AdvocateOffer.NOT_OFFERED]
            )
        self.views_advocate = advocate
        self.save(
            ChildViews(
                case=self.case,
                recorded_on=day,
                views=views,
                not_recorded_reason=reason,
                advocate=advocate,
            ),
            self.worker(day),
        )

    def parent_views(self, parents, start, end, ambivalent=False) -> None:
        for parent in parents:
            day = self.between(start, end, 0.1, 0.9)
            first = parent.name.split()[0]
            if ambivalent and parent == self.main_parent:
                text = AMBIVALENT_VIEWS
            elif not parent.lives_in_household and parent != self.main_parent:
                text = ABSENT_PARENT_VIEWS
            else:
                text = self.rng.choice(PARENT_VIEWS)
            self.save(
                ParentViews(
                    case=self.case,
                    parent=parent,
                    recorded_on=day,
                    views=text.format(first=first, child=self.name),
                ),
                self.worker(day),
            )

    def issue_words(self) -> str:
        if not self.issues:
            return "No parental issues recorded"
        names = [ParentalIssueKind(i.kind).label.split(" (")[0].lower() for i in self.issues]
        text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return text[0].upper() + text[1:]

    def treatment_words(self) -> str:
        return "; ".join(
            f"{ParentalIssueKind(i.kind).label.split(' (')[0].lower()}: "
            f"{i.get_treatment_display().lower()}"
            for i in self.issues
        )

    def single_assessment(self, day: datetime.date, complete: bool) -> None:
        relapses = sum(1 for e in self.entries if e.kind == ChronologyKind.RELAPSE)
        changes = sum(1 for e in self.entries if e.kind == ChronologyKind.SUSTAINED_CHANGE)
        sections = {
            "housing_financial_education": (
                f"{self.parent_first} has a two-bedroom housing association tenancy; rent "
                f"arrears are being repaid under an agreement. {self.name}'s school place is "
                "held and the designated teacher supports a return."
            ),
            "parenting_capacity": (
                f"{self.parent_first} meets {self.name}'s basic care in family time and has "
                "begun to set routines. Capacity to change is shown by engagement with "
                f"services ({self.treatment_words() or 'none needed'})."
            ),
            "significant_events": (
                f"Chronology reviewed from before {self.name} came into care on "
                f"{self.case.became_looked_after_on:%-d %B %Y}: {relapses} relapse(s) and "
                f"{changes} period(s) of sustained change recorded."
            ),
            "barriers_to_change": (
                f"{self.issue_words()}; the family has little informal support"
                if self.case.family_isolated
                else f"{self.issue_words()}; the wider family can help with childcare"
            )
            + ".",
            "sustained_change_and_relapse": (
                f"{self.parent_first} has held the changes for several months; the plan "
                "names the early signs of relapse and what happens then."
            ),
        }
        if not complete:
            keep = self.rng.randint(1, 3)
            for name in list(sections)[keep:]:
                sections[name] = ""
        self.save(
            SingleAssessment(case=self.case, chronology_and_genogram_reviewed=complete, **sections),
            self.worker(day),
        )

    def police_checks_back(self, by_day: datetime.date) -> None:
        """Every police check the household needs, returned by `by_day`."""
        for row in household(self.case, self.on):
            if not row.check_outstanding:
                continue
            check = row.latest_check
            if check is None:
                requested = max(self.case.opened_on, by_day - self.days(20, 45))
                check = PoliceCheck(member=row.member, requested_on=min(requested, by_day))
            elif check.requested_on > by_day - 7 * DAY:
                check.requested_on = max(self.case.opened_on, by_day - self.days(14, 30))
            returned = check.requested_on + self.days(7, 35)
            check.returned_on = max(check.requested_on, min(returned, by_day))
            disclosed = row.member.relationship in ("Mother's partner", "Father")
            if disclosed and self.rng.random() < 0.3:
                check.outcome = PoliceCheckOutcome.INFORMATION_DISCLOSED
                check.notes = "Domestic incident call-outs recorded; no charges."
            else:
                check.outcome = PoliceCheckOutcome.NO_TRACE
            self.save(check, self.worker(check.returned_on))

    def risk_assessment(
        self,
        level: str,
        assessed_on: datetime.date,
        status: str = AssessmentStatus.SIGNED_OFF,
        *,
        decided_on: datetime.date | None = None,
    ) -> RiskAssessment:
        """A risk assessment whose answers point to `level`, written by the social
        worker and, when signed off, signed off by the team manager."""
        rng = self.rng
        risk, protective, capacity, wishes, recurrence = ANSWERS[level]
        suggestion = suggest_level(
            risk_factors=risk,
            protective_factors=protective,
            capacity_for_change=capacity,
            wishes=wishes,
            recurrence=recurrence,
        )
        author = self.worker(assessed_on)
        parent, child = self.parent_first, self.name
        evidence = {
            "addressed": f"{self.issue_words()}: the concerns that brought {child} into care "
            "are addressed. No new concerns from police, school or health.",
            "not_all_addressed": f"{self.issue_words()}. {parent} is working on them "
            f"({self.treatment_words()}), but not every risk is fully addressed yet.",
            "not_being_addressed": f"{self.issue_words()}. {parent} has not taken up the "
            f"services offered ({self.treatment_words()}).",
            "able": f"{parent} has kept nearly every appointment and family time session "
            "for months; the change has held.",
            "unable": f"{parent} has missed most appointments and no change has lasted more "
            "than a few weeks.",
            "both_want": f"{child} wants to go home; {parent} wants {child} home and accepts "
            "the support plan.",
            "ambivalent": f"{parent} says {child} should come home but cancels family time; "
            f"{child} is unsure.",
            "unlikely": "Judged from the chronology, the police checks and the goal reviews.",
            "some": "Some possibility: the risks are reducing but not all are addressed.",
            "strong": "Strong possibility while the risk factors are not addressed.",
        }
        helpers = [m for m in self.members if m.extended_family or m.regular_visitor]
        named = [f"{m.name} ({m.relationship.lower()}) helps with childcare" for m in helpers[:2]]
        named.append(f"{child}'s school knows the family well and monitors attendance")
        # Written as the risk pages write it: a draft with its factors, then sent
        # for sign-off, then signed off by the team manager.
        assessment = RiskAssessment(
            case=self.case,
            assessed_on=assessed_on,
            author=author,
            status=AssessmentStatus.DRAFT,
            risk_factors=risk,
            risk_factors_evidence=evidence[risk],
            protective_factors=protective,
            protective_factors_evidence="; ".join(named) + ".",
            capacity_for_change=capacity,
            capacity_for_change_evidence=evidence[capacity],
            wishes=wishes,
            wishes_evidence=evidence[wishes],
            recurrence=recurrence,
            recurrence_evidence=evidence[recurrence],
            protective_factors_named="\n".join(named),
            suggested_level=suggestion.level.code,
        )
        self.save(assessment, author)
        factors = [FACTOR_FOR_ISSUE.get(i.kind, NamedRiskFactor.OTHER) for i in self.issues]
        labels = [ParentalIssueKind(i.kind).label for i in self.issues]
        if self.case.abuse_category in (AbuseCategory.NEGLECT, AbuseCategory.MULTIPLE):
            factors.append(NamedRiskFactor.NEGLECT)
            labels.append("Neglect")
        factor_status = {
            "low": [FactorStatus.ADDRESSED],
            "medium": [FactorStatus.BEING_ADDRESSED, FactorStatus.ADDRESSED],
            "high": [FactorStatus.NOT_ADDRESSED, FactorStatus.BEING_ADDRESSED],
            "high_progress": [FactorStatus.BEING_ADDRESSED],
        }[level]
        for index, (factor, label) in enumerate(
            zip(factors or ["other"], labels or ["Other"], strict=True)
        ):
            chosen = factor_status[0] if index == 0 else rng.choice(factor_status)
            self.save(
                RiskFactorEntry(
                    assessment=assessment,
                    factor=factor,
                    description=label if factor == NamedRiskFactor.OTHER else "",
                    status=chosen,
                ),
                author,
            )
        if status == AssessmentStatus.DRAFT:
            return assessment
        submitted = assessed_on + self.days(1, 3)
        if decided_on:
            submitted = min(submitted, decided_on - DAY)
        submitted = max(assessed_on, min(submitted, self.on))
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.confirmed_level = suggestion.level.code
        assessment.rationale = "Agree with the tool's suggestion, on the evidence above."
        assessment.submitted_at = _moment(submitted, rng)
        assessment.submitted_by = author
        self.save(assessment, author)
        if status == AssessmentStatus.SIGNED_OFF:
            decided = decided_on or min(self.on, submitted + self.days(1, 4))
            assessment.status = AssessmentStatus.SIGNED_OFF
            assessment.decided_by = self.team_manager
            assessment.decided_at = max(assessment.submitted_at, _moment(decided, rng))
            self.save(assessment, self.team_manager)
            self.note(
                assessed_on,
                self.team_manager,
                f"Risk assessment signed off by {self.team_manager}: "
                f"{suggestion.level.label} risk.",
            )
        return assessment

    def assessment_stage(self, progress: int | None = None, level: str = "medium") -> None:
        """The assessment-stage records. `progress` None means all of them, ending
        in a signed-off assessment at `level`; otherwise 0 to 3, how far a case
        still at assessment has got."""
        start, end = self.start(S.ASSESSMENT), self.end(S.ASSESSMENT)
        complete = progress is None
        if not complete and progress == 0:
            if (end - start).days > 7:
                self.child_views(self.between(start, end, 0.3, 0.9))
            return
        self.child_views(self.between(start, end, 0.05, 0.25))
        parents = self.parents
        if not complete and progress == 1:
            parents = parents[:1] if len(parents) > 1 else []
        self.parent_views(
            parents, start, self.between(start, end, 0.3, 0.5), ambivalent=level == "high"
        )
        if complete or progress >= 1:
            self.single_assessment(self.between(start, end, 0.4, 0.6), complete or progress >= 3)
        if complete:
            decided = end - self.days(1, 4)
            assessed = max(start + DAY, decided - self.days(6, 18))
            decided = max(decided, assessed + 2 * DAY)
            self.police_checks_back(assessed - DAY)
            self.risk_assessment(level, assessed, decided_on=decided)
        elif progress == 2:
            self.risk_assessment(level, self.on - self.days(3, 12), AssessmentStatus.DRAFT)
        elif progress == 3:
            self.police_checks_back(self.on - self.days(8, 20))
            self.risk_assessment(
                level,
                self.on - self.days(5, 8),
                AssessmentStatus.SUBMITTED,
                decided_on=self.on - self.days(1, 3),
            )

    def consultation(self) -> None:
        day = self.start(S.SUPPORT_PLANNING)
        manager = self.team_manager
        self.save(
            ViabilityConsultation(
                case=self.case,
                decided_by=manager,
                role=Role.TEAM_MANAGER,
                decided_at=_moment(day, self.rng),
                rationale=f"Risk signed off at Medium. {self.parent_first} is engaging with "
                f"services and {self.name} wants to go home; no contra-indication. "
                "Potentially suited to reunification: planning to start.",
                held_on=day,
                social_worker=self.worker(day),
                team_manager=manager,
                head_of_service=self.head_of_service,
                iro=self.iro,
                outcome=ConsultationOutcome.POTENTIALLY_SUITED,
            ),
            manager,
        )
        self.move(
            S.ASSESSMENT,
            S.SUPPORT_PLANNING,
            day,
            manager,
            Role.TEAM_MANAGER,
            "The viability consultation agreed the child is potentially suited.",
        )

    # -- stage 3 -------------------------------------------------------------

    def planning(self, leave_out: frozenset[str] = frozenset()) -> None:
        """The support and planning records, less those named in `leave_out`
        (for a case still at this stage)."""
        start, end = self.start(S.SUPPORT_PLANNING), self.end(S.SUPPORT_PLANNING)
        span = (end - start).days
        manager = self.team_manager
        meeting_day = start + datetime.timedelta(days=min(21, max(1, span // 6)))
        specialist = [SPECIALIST_SERVICES[i.kind] for i in self.issues[:2]]
        service_names = ", ".join(s[1] for s in specialist) or "family support"
        meeting = self.save(
            PlanningMeeting(
                case=self.case,
                held_on=meeting_day,
                led_by=manager,
                considerations=f"Direct work with {self.name} about going home, with a "
                f"restorative meeting with {self.parent_first}; family time to increase from "
                "supervised sessions to overnight stays; a Family Group Conference; "
                f"services: {service_names}; contingency plan to be agreed with "
                f"{self.carer_on(meeting_day)}.",
            ),
            manager,
        )
        self.invitees(meeting, meeting_day)
        agreed_on = min(end, meeting_day + self.days(2, 10))
        self.written_agreement(agreed_on, end)
        self.family_time(meeting_day, end, overnight="overnight" not in leave_out)
        if self.on_care_order(self.on) and "pwp" not in leave_out:
            status = self.status_on(self.on)
            approved = max(self.between(start, end, 0.6, 0.85), status.start_date)
            approved = min(approved, end - DAY if end > start else end)
            self.save(
                PlacementWithParentsApproval(
                    case=self.case,
                    approved_on=approved,
                    approved_by=self.director,
                    notes=f"Approved placing {self.name} with {self.parent_name} under the "
                    "care order. The suitability assessment covered every adult in the "
                    "household, the police checks are back and the placement plan is agreed.",
                ),
                self.director,
            )
            self.note(
                approved,
                self.director,
                f"{self.director} (service director) approved placing {self.name} with "
                "parents under the Placement with Parents regulations.",
            )
        if "contingency" not in leave_out:
            day = self.between(start, end, 0.45, 0.7)
            self.save(
                ContingencyPlan(
                    case=self.case,
                    scenarios=f"What if {self.parent_first} relapses? What if {self.name} "
                    "goes missing or refuses to go home? What if there is an incident at home?",
                    actions="Family time returns to supervised sessions and a strategy "
                    "discussion is held the same day; the police are called if anyone is at "
                    "risk; the plan is reviewed within a week.",
                    carers_roles=f"{self.carer_on(day)} keep the placement open for four weeks "
                    f"after the return and will take {self.name} back at short notice.",
                    agreed_on=day,
                ),
                self.worker(day),
            )
        if "support" not in leave_out:
            fgc = self.between(start, end, 0.15, 0.4)
            self.save(
                SupportPlan(
                    case=self.case,
                    fgc_held=True,
                    fgc_held_on=fgc,
                    siblings_considered=self.siblings_words(),
                    life_story_work=f"Life story book started with {self.carer_on(fgc)}; it "
                    f"covers why {self.name} came into care and the plan to go home.",
                ),
                self.worker(fgc),
            )
        if "services" not in leave_out:
            self.services(meeting_day)
        self.direct_work(start, end, restorative="restorative" not in leave_out)

    def siblings_words(self) -> str:
        if not self.siblings:
            return f"{self.name} has no brothers or sisters."
        parts = []
        for sibling in self.siblings:
            first = sibling.name.split()[0]
            parts.append(f"{first}: {sibling.get_living_arrangement_display().lower()}")
        return (
            "Considered with each sibling in mind: " + "; ".join(parts) + ". Contact between "
            "them continues and is part of the family time plan."
        )

    def invitees(self, meeting, day) -> None:
        age = self.age_on(day)
        carer = self.placement_on(day)
        family_carer = carer and carer.placement_type in (PlacementType.U1, PlacementType.U3)
        rows = [
            (InviteeKind.CHILD, self.name, age >= 8, age >= 10),
            (InviteeKind.PARENT, ", ".join(p.name for p in self.parents), True, True),
            (
                InviteeKind.FAMILY_FRIENDS_CARER
                if family_carer
                else InviteeKind.FOSTER_CARER_OR_KEY_WORKER,
                self.carer_on(day),
                True,
                True,
            ),
            (InviteeKind.IRO, str(self.iro), True, self.rng.random() < 0.8),
            (InviteeKind.SOCIAL_WORKER, str(self.worker(day)), True, True),
            (
                InviteeKind.HEALTH,
                "Health visitor" if age < 5 else "School nurse",
                True,
                self.rng.random() < 0.6,
            ),
            (
                InviteeKind.EDUCATION,
                "Nursery key worker" if age < 5 else "Designated teacher",
                True,
                True,
            ),
            (InviteeKind.FAMILY_SUPPORT_WORKER, "Edge of Care family support worker", True, True),
        ]
        if self.views_advocate == AdvocateOffer.OFFERED_ACCEPTED:
            rows.append((InviteeKind.ADVOCATE, "Children's rights advocate", True, True))
        if self.status_on(day) and self.status_on(day).code == LegalStatusCode.C1:
            rows.append((InviteeKind.GUARDIAN, "Children's Guardian (Cafcass)", True, False))
        for kind, name, invited, attended in rows:
            self.save(
                MeetingInvitee(
                    meeting=meeting,
                    kind=kind,
                    name=name,
                    invited=invited,
                    attended=invited and attended,
                ),
                self.team_manager,
            )

    def written_agreement(self, agreed_on, end) -> None:
        worker = self.worker(agreed_on)
        agreement = self.save(
            WrittenAgreement(
                case=self.case,
                agreed_on=agreed_on,
                consequences_explained=f"If the agreement is not kept, family time returns to "
                f"supervised sessions and the plan is reviewed at once; if the risks come back "
                f"after the return, {self.name} may come back into care.",
                parents_agreed=True,
                review_dates="Every six weeks at the core group, and at each Child in Care review.",
            ),
            worker,
        )
        goals = [GOALS[i.kind] for i in self.issues[:2]]
        if len(goals) < 3 and self.age_on(agreed_on) >= 5:
            goals.append(SCHOOL_GOAL)
        goals = goals or [SCHOOL_GOAL]
        for goal, measure, responsible, services in goals:
            row = self.save(
                AgreementGoal(
                    agreement=agreement,
                    goal=self.words(goal),
                    measure=measure,
                    responsible=self.words(responsible),
                    due_on=agreed_on + self.days(8, 20) * 7,
                    services=services,
                ),
                worker,
            )
            reviewed = [
                d
                for d in (
                    self.between(agreed_on, end, 0.4, 0.55),
                    self.between(agreed_on, end, 0.8, 0.95),
                )
                if d > agreed_on
            ]
            for index, day in enumerate(sorted(set(reviewed))):
                outcome = (
                    GoalOutcome.PARTLY
                    if index == 0
                    else self.rng.choice([GoalOutcome.MET, GoalOutcome.MET, GoalOutcome.PARTLY])
                )
                self.save(
                    GoalReview(
                        goal=row,
                        reviewed_on=day,
                        outcome=outcome,
                        evidence="Reviewed at the core group with the family: "
                        + (
                            "on track, not yet achieved."
                            if outcome == GoalOutcome.PARTLY
                            else "achieved and holding."
                        ),
                    ),
                    self.worker(day),
                )

    def family_time(self, meeting_day, end, *, overnight: bool) -> None:
        steps = FAMILY_TIME if overnight else FAMILY_TIME[: self.rng.randint(2, 3)]
        first = meeting_day + DAY
        last = max(first, end - self.days(7, 21)) if overnight else max(first, end - 7 * DAY)
        span = (last - first).days
        starts = [
            first + datetime.timedelta(days=span * i // max(1, len(steps) - 1))
            for i in range(len(steps))
        ]
        until = self.returned_on
        for index, (frequency, duration, supervised, stays, went) in enumerate(steps):
            begins = starts[index]
            ends = starts[index + 1] - DAY if index + 1 < len(steps) else until
            if ends is not None and ends < begins:
                ends = begins
            self.save(
                FamilyTimeStep(
                    case=self.case,
                    starts_on=begins,
                    ends_on=ends,
                    frequency=frequency,
                    duration=duration,
                    supervised=supervised,
                    overnight=stays,
                    how_it_went=self.words(went) if begins < self.on - 7 * DAY else "",
                ),
                self.worker(begins),
            )

    def services(self, day) -> None:
        age = self.age_on(day)
        rows = [
            (
                ServiceKind.TEAM_AROUND_CHILD,
                "Health visitor" if age < 5 else f"{self.name}'s school: designated teacher",
                "Member of the Team Around the Family; watches attendance and wellbeing.",
            ),
            (
                ServiceKind.SERVICE,
                "Edge of Care family support team",
                "Family support worker twice a week around the return: routines, "
                "boundaries and school mornings.",
            ),
        ]
        rows += [SPECIALIST_SERVICES[i.kind] for i in self.issues[:1]]
        for kind, provider, description in rows:
            self.save(
                SupportService(
                    case=self.case,
                    kind=kind,
                    provider=provider,
                    description=description,
                    starts_on=day,
                    timing=ServiceTiming.BOTH,
                ),
                self.worker(day),
            )

    def direct_work(self, start, end, *, restorative: bool) -> None:
        sessions = [
            (
                self.between(start, end, 0.1, 0.3),
                DirectWorkKind.DIRECT_WORK,
                f"Three houses with {self.name}: worries, good things and dreams about going home.",
            ),
        ]
        if restorative:
            sessions.append(
                (
                    self.between(start, end, 0.45, 0.65),
                    DirectWorkKind.RESTORATIVE_MEETING,
                    f"Restorative meeting between {self.name} and {self.parent_first}, "
                    f"facilitated by the family support worker. {self.parent_first} said sorry "
                    "for what happened and they agreed what home will be like.",
                )
            )
        for day, kind, notes in sessions:
            self.save(
                DirectWorkSession(case=self.case, held_on=day, kind=kind, notes=notes),
                self.worker(day),
            )

    # -- stage 4 and 5 --------------------------------------------------------

    def viability_meeting(self, held_on, assessment, return_date, outcome) -> None:
        manager = self.team_manager
        rationale = {
            MeetingOutcome.RETURN_DATE_CONFIRMED: f"New risk assessment signed off at "
            f"{assessment.get_confirmed_level_display()}. Overnight stays have gone well and "
            f"the written agreement is kept; {self.name} and {self.parent_first} both want "
            "the return. Return date confirmed.",
            MeetingOutcome.NOT_PURSUED: "The new risk assessment is High: the risks have come "
            "back and are not being addressed. The plan changes away from reunification.",
        }[outcome]
        self.save(
            ViabilityMeeting(
                case=self.case,
                decided_by=manager,
                role=Role.TEAM_MANAGER,
                decided_at=_moment(held_on, self.rng),
                rationale=rationale,
                held_on=held_on,
                social_worker=self.worker(held_on),
                team_manager=manager,
                head_of_service=self.head_of_service,
                iro=self.iro,
                risk_assessment=assessment,
                outcome=outcome,
                return_date=return_date,
            ),
            manager,
        )
        summary = MeetingOutcome(outcome).label
        if return_date:
            summary += f": {return_date:%-d %B %Y}"
        self.note(held_on, manager, f"Reunification Viability Meeting. {summary}. {rationale}")

    def confirmation(self, *, return_date: datetime.date | None, level="medium") -> None:
        """The new assessment and the viability meeting, for a case that has gone
        past confirmation or is far enough through it."""
        start, end = self.start(S.CONFIRMATION), self.end(S.CONFIRMATION)
        if return_date is None and self.stages[-1] == S.CONFIRMATION:
            return_date = self.on + self.days(14, 35)
        last = min(end, self.on) - DAY if end > start else start
        held_on = max(start + 2 * DAY, self.between(start, last, 0.6, 0.95))
        held_on = min(held_on, last) if last >= start + 2 * DAY else start + 2 * DAY
        assessed = max(start, held_on - self.days(4, 10))
        assessed = min(assessed, held_on - 2 * DAY) if held_on - 2 * DAY >= start else start
        assessment = self.risk_assessment(level, assessed, decided_on=held_on)
        outcome = (
            MeetingOutcome.NOT_PURSUED if level == "high" else MeetingOutcome.RETURN_DATE_CONFIRMED
        )
        self.viability_meeting(
            held_on, assessment, return_date if level != "high" else None, outcome
        )

    def return_home(self, *, unplanned: bool) -> ReturnHome:
        day = self.returned_on
        worker = self.worker(day)
        care_order = self.on_care_order(day) and any(
            p.placement_type == PlacementType.P1 and p.start_date == day for p in self.placements
        )
        with_parent = next(
            (
                p
                for p in self.placements
                if p.placement_type == PlacementType.P1 and p.start_date == day
            ),
            None,
        )
        returned_to = (
            with_parent.carer
            if with_parent
            else (
                f"{self.main_parent.relationship}, {self.parent_name}"
                if self.main_parent
                else "Parents"
            )
        )
        reason = (
            f"{self.parent_first} withdrew consent under section 20 and took {self.name} home "
            "shortly before the confirmed date, after a row at the placement."
        )
        if care_order:
            how, status_after = "", LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS
        else:
            how = ReasonEpisodeCeased.E4B if unplanned else ReasonEpisodeCeased.E4A
            status_after = (
                LegalStatusAfterReturn.PATHWAY_PLAN
                if self.age_on(day) >= 16
                else LegalStatusAfterReturn.CHILD_IN_NEED
            )
        returned = self.save(
            ReturnHome(
                case=self.case,
                returned_on=day,
                planned=not unplanned,
                unplanned_reason=reason if unplanned else "",
                returned_to=returned_to,
                episode_end_reason=how,
                legal_status_after=status_after,
                recorded_by=worker,
                recorded_at=_moment(day, self.rng),
            ),
            worker,
        )
        self.move(
            S.CONFIRMATION,
            S.RETURN_HOME,
            day,
            worker,
            Role.SOCIAL_WORKER,
            f"{'Unplanned' if unplanned else 'Planned'} return home to {returned_to} on "
            f"{day:%-d %B %Y}.",
        )
        if unplanned:
            # The chronology cases.demo wrote says the return was planned; say what happened.
            for entry in self.entries:
                if entry.occurred_on == day and RETURN_STORY in entry.description:
                    entry.description = (
                        f"{self.name} went home to {self.mum} before the planned date, not as "
                        f"part of care planning (E4B): {reason}"
                    )
                    self.save(entry, worker, update_fields=["description"])
        return returned

    def not_pursued(self) -> None:
        day = self.start(S.NOT_PURSUED)
        manager = self.team_manager
        carer = self.carer_on(day)
        rationale = (
            f"The signed-off risk assessment is High: {self.parent_first} has not taken up "
            f"the services offered and is ambivalent about {self.name} coming home."
        )
        care_plan = (
            f"Long-term fostering with {carer}; family time with {self.parent_first} monthly; "
            "the permanence plan goes to the permanence panel."
        )
        explained_child = day + self.days(1, 7)
        explained_family = day + self.days(0, 4)
        self.save(
            NotPursued(
                case=self.case,
                decided_by=manager,
                role=Role.TEAM_MANAGER,
                decided_at=_moment(day, self.rng),
                rationale=rationale,
                decided_on=day,
                explained_to_child_on=min(explained_child, self.on),
                explained_to_family_on=min(explained_family, self.on),
                care_plan_now=care_plan,
            ),
            manager,
        )
        self.move(
            self.stages[-2],
            S.NOT_PURSUED,
            day,
            manager,
            Role.TEAM_MANAGER,
            f"Reunification not pursued: {rationale} Care plan now: {care_plan}",
        )

    # -- reviews and visits -------------------------------------------------

    def review_dates(self, ratify_between=None) -> list[datetime.date]:
        """Child in Care reviews on time from becoming looked after until the return
        home (or today): the first within 20 working days, the second within three
        months, then six-monthly, each held a little early. With `ratify_between`
        (after, by), one review falls in that window, to ratify the care plan."""
        looked_after = self.case.became_looked_after_on
        until = self.returned_on - DAY if self.returned_on else self.on
        # On the day cases.demo's chronology gives the first review, when that is in time.
        day = min(looked_after + 28 * DAY, add_working_days(looked_after, 20))
        dates: list[datetime.date] = []
        while True:
            if ratify_between:
                after, by = ratify_between
                in_window = any(after < d <= by for d in dates)
                if not in_window and day > by and (not dates or dates[-1] <= after):
                    earliest = max(after, dates[-1] if dates else after) + DAY
                    day = min(by, self.between(earliest, by, 0.5, 1.0))
            if day > until:
                break
            dates.append(day)
            months = SECOND_CIC_REVIEW_MONTHS if len(dates) == 1 else LATER_CIC_REVIEW_MONTHS
            day = add_months(day, months) - self.days(0, 21)
        return dates

    def review_dates_after_return(self, care_order: bool) -> list[datetime.date]:
        day = first_review_after_return_due(self.returned_on) - self.days(2, 12)
        months = LATER_CIC_REVIEW_MONTHS if care_order else CIN_REVIEW_MONTHS
        dates = []
        while day <= self.on:
            dates.append(day)
            day = add_months(day, months) - self.days(0, 14)
        return dates

    def attended(self, day: datetime.date, chair: User, review_type: str) -> str:
        age = self.age_on(day)
        child = f"{self.name} (aged {age})" if age >= 4 else f"{self.name} (seen before the review)"
        people = [child]
        people += [f"{p.name} ({p.relationship.lower()})" for p in self.parents[:2]]
        if review_type == ReviewType.CHILD_IN_CARE and self.stage_on(day) != S.RETURN_HOME:
            people.append(f"{self.carer_on(day)} (carers)")
        people.append(f"{self.worker(day)} (social worker)")
        if review_type == ReviewType.CHILD_IN_CARE:
            people.append(f"{chair} (IRO, chair)")
        else:
            people += [f"{chair} (team manager, chair)", f"{self.iro} (IRO, invited)"]
        people.append("Designated teacher" if age >= 5 else "Health visitor")
        return "; ".join(people)

    def reviews(self, dates, review_type=ReviewType.CHILD_IN_CARE, ratified_on=None) -> None:
        for index, day in enumerate(dates):
            chair = self.iro if review_type == ReviewType.CHILD_IN_CARE else self.team_manager
            phase = self.stage_on(day)
            if phase == S.RETURN_HOME:
                key = "after_cic" if review_type == ReviewType.CHILD_IN_CARE else "after_cin"
            else:
                key = phase
            outcome = self.words(REVIEW_OUTCOMES.get(key, REVIEW_OUTCOMES["before"]), day)
            if index == 0 and phase != S.RETURN_HOME:
                outcome = "First review. " + outcome
            if day == ratified_on:
                outcome += " The IRO ratified the reunification care plan."
            review = self.save(
                Review(
                    case=self.case,
                    held_on=day,
                    review_type=review_type,
                    chair=chair,
                    attended=self.attended(day, chair, review_type),
                    outcome=outcome,
                    recorded_by=chair,
                ),
                chair,
            )
            pool = RECOMMENDATIONS.get(phase if phase in RECOMMENDATIONS else "before")
            count = self.rng.choice((0, 1, 1, 2))
            for text in self.rng.sample(pool, min(count, len(pool))):
                self.recommendation(review, self.words(text, day))

    def recommendation(self, review: Review, text: str) -> None:
        rng = self.rng
        held = review.held_on
        due = held + self.days(28, 70)
        owner = self.team_manager if text.startswith("Team manager") else self.worker(held)
        done = None
        if due < self.on:
            # Most are done by the date; one left undone is only a little late.
            if rng.random() < 0.85 or (self.on - due).days > 30:
                done = min(self.on, held + self.days(7, max(7, (due - held).days + 5)))
        elif rng.random() < 0.3:
            done = min(self.on, held + self.days(7, 21))
        self.save(
            Recommendation(review=review, text=text, owner=owner, due_on=due, done_on=done),
            review.chair,
        )

    def visits(self, late: bool) -> None:
        """Social worker visits in the placements of the past year of this period in
        care: within a week of each starting, then every four to six weeks. The
        current placement's visits are counted back from the latest, which for a
        `late` case was a few days more than six weeks ago."""
        looked_after = self.case.became_looked_after_on
        # Earlier placements of this period in care only for the last year.
        since = max(looked_after, self.on - 365 * DAY)
        for placement in self.placements:
            if placement.start_date < looked_after:
                continue  # an earlier period in care
            if placement.end_date is not None and placement.end_date < since:
                continue
            start = placement.start_date
            first = start + self.days(1, 6)
            if placement.end_date is not None:
                days = []
                day = first
                while day < placement.end_date:
                    if day >= since:
                        days.append(day)
                    day += self.days(28, 42)
            elif self._interim_with_parent(placement):
                days = self._interim_visits(first)
            else:
                days = self._visits_back_to(first, late)
            with_parent = placement.placement_type == PlacementType.P1
            for day in days:
                if day > self.on:
                    continue
                self.visit(day, with_parent)
        if self.returned_on and not any(p.end_date is None for p in self.placements):
            # Home under a Child in Need plan: visits go on, though no regulation times them.
            day = self.returned_on + self.days(3, 10)
            while day <= self.on:
                self.visit(day, True)
                day += self.days(21, 42)

    def _interim_with_parent(self, placement) -> bool:
        status = self.status_on(self.on)
        return (
            placement.placement_type == PlacementType.P1
            and status is not None
            and status.code == LegalStatusCode.C1
        )

    def _interim_visits(self, first: datetime.date) -> list[datetime.date]:
        """Placed with a parent on an interim care order: weekly until the first
        review after the placement began, then every three or four weeks."""
        reviewed = self.review_dates_after_return(care_order=True)
        first_review = reviewed[0] if reviewed else None
        days, day = [], first
        while day <= self.on:
            days.append(day)
            weekly = first_review is None or day < first_review
            day += self.days(5, 7) if weekly else self.days(21, 28)
        return days

    def _visits_back_to(self, first: datetime.date, late: bool) -> list[datetime.date]:
        gap = VISIT_WEEKS * 7
        latest = (
            self.on - (gap + self.rng.randint(2, 12) if late else self.rng.randint(0, 30)) * DAY
        )
        if latest <= first:
            return [first] if first <= self.on else []
        days = [latest]
        while (days[-1] - first).days > gap:
            days.append(days[-1] - self.days(28, gap))
        if (days[-1] - first).days >= 7:
            days.append(first)
        return sorted(days)

    def visit(self, day, at_home: bool) -> None:
        age = self.age_on(day)
        alone = age >= 4 and self.rng.random() < 0.85
        notes = self.rng.choice(HOME_VISIT_NOTES if at_home else VISIT_NOTES)
        notes = self.words(notes, day)
        if age < 4:
            notes += " Too young to be seen alone; observed with the carer."
        worker = self.worker(day)
        self.save(
            Visit(case=self.case, visited_on=day, seen_alone=alone, notes=notes, visited_by=worker),
            worker,
        )

    # -- closed cases ---------------------------------------------------------

    def close(self) -> None:
        """A closed case: the return home and how the case ended. When the
        chronology says the return broke down, the breakdown closed the case."""
        case = self.case
        manager = self.team_manager
        day = self.returned_on
        episode = next((e for e in self.child.care_episodes.all() if e.end_date == day), None)
        unplanned = episode is not None and episode.reason_ceased == ReasonEpisodeCeased.E4B
        self.return_home_closed(day, unplanned)
        broke_down = any(e.description.startswith(BREAKDOWN_STORY) for e in self.entries)
        closed_on = case.closed_on
        if broke_down:
            earlier = next(
                (r for r in self.child.previous_returns.all() if r.returned_home_on == day), None
            )
            reason = earlier.reason_for_breakdown if earlier else "The return home broke down."
            self.save(
                Breakdown(
                    case=case,
                    came_back_on=closed_on,
                    reason=reason,
                    recorded_by=manager,
                    recorded_at=_moment(closed_on, self.rng),
                ),
                manager,
            )
            why, notes, permanence = ClosureReason.BREAKDOWN, reason, ""
        elif self.status_on(closed_on - DAY) and self.on_care_order(closed_on - DAY):
            why = ClosureReason.CARE_ORDER_DISCHARGED
            notes = (
                f"Care order discharged after {self.name} was home and settled for more than "
                "six months; support continues under a Child in Need plan."
            )
            permanence = ""
        else:
            why = ClosureReason.SUSTAINED_LOW_RISK
            notes = (
                f"{self.name} has been home since {day:%-d %B %Y}; low risk held and support "
                "continues under a Child in Need plan."
            )
            permanence = ""
        self.save(
            Closure(
                case=case,
                closed_on=closed_on,
                reason=why,
                notes=notes,
                permanence_plan=permanence,
                closed_by=manager,
                role=Role.TEAM_MANAGER,
                recorded_at=_moment(closed_on, self.rng),
            ),
            manager,
        )
        self.move(
            S.RETURN_HOME,
            S.CLOSED,
            closed_on,
            manager,
            Role.TEAM_MANAGER,
            f"Case closed: {ClosureReason(why).label.lower()}.",
        )

    def return_home_closed(self, day, unplanned) -> None:
        worker = self.worker(day)
        with_parent = next(
            (
                p
                for p in self.placements
                if p.placement_type == PlacementType.P1 and p.start_date == day
            ),
            None,
        )
        if with_parent:
            returned_to, how = with_parent.carer, ""
            after = LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS
        else:
            returned_to = (
                f"{self.main_parent.relationship}, {self.parent_name}"
                if self.main_parent
                else "Parents"
            )
            how = ReasonEpisodeCeased.E4B if unplanned else ReasonEpisodeCeased.E4A
            after = LegalStatusAfterReturn.CHILD_IN_NEED
        self.save(
            ReturnHome(
                case=self.case,
                returned_on=day,
                planned=not unplanned,
                unplanned_reason=(
                    f"{self.parent_first} withdrew consent under section 20 and took "
                    f"{self.name} home."
                    if unplanned
                    else ""
                ),
                returned_to=returned_to,
                episode_end_reason=how,
                legal_status_after=after,
                recorded_by=worker,
                recorded_at=_moment(day, self.rng),
            ),
            worker,
        )
        self.move(
            S.CONFIRMATION,
            S.RETURN_HOME,
            day,
            worker,
            Role.SOCIAL_WORKER,
            f"{'Unplanned' if unplanned else 'Planned'} return home to {returned_to}.",
        )


# -- The journey of each case ----------------------------------------------------


def _write(journey: Journey, plan: "Plan") -> None:
    case = journey.case
    stage = case.stage
    if stage == S.CLOSED:
        journey.close()
        return
    # The review dates are drawn once, with the ratification window, so that one
    # review both ratifies the plan and keeps the schedule on time.
    ratify_window = None
    steps = plan.approvals
    dates = journey.approval_dates(min(steps, 2)) if steps else []
    if steps == 3:
        ratify_window = (dates[-1], journey.start(S.ASSESSMENT))
    review_days = journey.review_dates(ratify_window)
    ratified = None
    if ratify_window:
        after, by = ratify_window
        ratified = next(d for d in review_days if after < d <= by)
    journey.approve(dates, ratified)

    if journey.reached(S.ASSESSMENT) or stage == S.NOT_PURSUED:
        # Not pursued straight from assessment: the assessment found the risk High.
        stopped_at_assessment = stage == S.NOT_PURSUED and S.CONFIRMATION not in journey.stages
        level = "high" if stopped_at_assessment else "medium"
        journey.assessment_stage(None, level)
        if level == "medium":
            journey.consultation()
    elif stage == S.ASSESSMENT:
        journey.assessment_stage(plan.assessment_progress)

    if journey.reached(S.SUPPORT_PLANNING):
        journey.planning()
        day = journey.start(S.CONFIRMATION)
        journey.move(
            S.SUPPORT_PLANNING,
            S.CONFIRMATION,
            day,
            journey.worker(day),
            Role.SOCIAL_WORKER,
            "The initial programme of support and planning is in place.",
        )
    elif stage == S.SUPPORT_PLANNING:
        journey.planning(plan.planning_left_out)

    if stage == S.NOT_PURSUED and S.CONFIRMATION in journey.stages:
        journey.confirmation(return_date=None, level="high")
    elif journey.reached(S.CONFIRMATION):
        return_date = journey.returned_on + (
            journey.days(10, 18) if plan.unplanned_return else datetime.timedelta()
        )
        journey.confirmation(return_date=return_date)
    elif stage == S.CONFIRMATION:
        days_in = (journey.on - journey.start(S.CONFIRMATION)).days
        if days_in >= 28:
            journey.confirmation(return_date=None)
        elif days_in >= 14:
            journey.risk_assessment(
                "medium",
                journey.on - journey.days(4, 7),
                AssessmentStatus.SUBMITTED,
                decided_on=journey.on - journey.days(1, 3),
            )

    returned = None
    if stage == S.RETURN_HOME:
        returned = journey.return_home(unplanned=plan.unplanned_return)
    if stage == S.NOT_PURSUED:
        journey.not_pursued()

    journey.reviews(review_days, ratified_on=ratified)
    if returned:
        care_order = returned.care_order_remains
        after = journey.review_dates_after_return(care_order)
        journey.reviews(
            after,
            ReviewType.CHILD_IN_CARE if care_order else ReviewType.CHILD_IN_NEED,
        )
        if (journey.on - returned.returned_on).days >= 90 and after:
            # Reassessed at the latest review at home: the risk has come down.
            journey.risk_assessment(
                "low", after[-1], decided_on=min(journey.on, after[-1] + 3 * DAY)
            )
    if stage == S.NOT_PURSUED and (journey.on - journey.start(S.NOT_PURSUED)).days > 120:
        # Reassessed since, at a later review if there was one: still High, though
        # the parents have begun to address the risks.
        since = journey.start(S.NOT_PURSUED) + 90 * DAY
        later = [d for d in review_days if d > since]
        day = later[-1] if later else max(since, journey.on - journey.days(5, 20))
        journey.risk_assessment("high_progress", day, decided_on=min(journey.on, day + 3 * DAY))
    journey.visits(plan.late_visit)


@dataclass
class Plan:
    """How far through its stage a case has got, decided before writing."""

    approvals: int = 3
    assessment_progress: int = 0
    planning_left_out: frozenset[str] = frozenset()
    unplanned_return: bool = False
    late_visit: bool = False


def _plans(journeys: list[Journey], rng: random.Random) -> list[Plan]:
    """Decide how far each case has got in its present stage, so that the lists
    of decisions waiting have something in them for each role."""
    plans = [Plan() for _ in journeys]
    at = {stage: [i for i, j in enumerate(journeys) if j.case.stage == stage] for stage in S}
    # Identification: none, one or two of the three approvals, in turn.
    for n, index in enumerate(at[S.IDENTIFICATION]):
        plans[index].approvals = n % 3
    # Assessment: the longer in the stage, the further on; the longest have an
    # assessment waiting for the team manager's sign-off.
    for index in at[S.ASSESSMENT]:
        days_in = (journeys[index].on - journeys[index].case.stage_entered_on).days
        plans[index].assessment_progress = (
            0 if days_in < 21 else 1 if days_in < 70 else 2 if days_in < 100 else 3
        )
    # Support and planning: each case still lacks a few of the planning records;
    # the service director has at least one placement with parents to approve.
    optional = ("contingency", "support", "services", "restorative", "overnight", "pwp")
    for n, index in enumerate(at[S.SUPPORT_PLANNING]):
        missing = set(rng.sample(optional, rng.randint(1, 3)))
        if n == 0:
            missing.add("pwp")
        plans[index].planning_left_out = frozenset(missing)
    # Return home: one child went home unplanned, from section 20.
    for index in at[S.RETURN_HOME]:
        journey = journeys[index]
        if not journey.on_care_order(journey.returned_on):
            plans[index].unplanned_return = True
            break
    # A few recent visits are a little late.
    looked_after = [
        i
        for i, j in enumerate(journeys)
        if j.case.stage != S.CLOSED
        and any(p.end_date is None and (j.on - p.start_date).days > 60 for p in j.placements)
    ]
    for index in rng.sample(looked_after, min(LATE_VISITS, len(looked_after))):
        plans[index].late_visit = True
    return plans


def _people() -> dict[str, User]:
    def first_with(role):
        return User.objects.filter(role_grants__role=role, is_active=True).order_by("pk").first()

    return {
        "hos": first_with(Role.HEAD_OF_SERVICE),
        "iro": first_with(Role.IRO),
        "director": first_with(Role.SERVICE_DIRECTOR),
    }


def _report(tally: Tally, cases, on: datetime.date) -> list[str]:
    c = tally.counts
    assessments = RiskAssessment.objects.filter(case__in=cases)
    signed = assessments.filter(status=AssessmentStatus.SIGNED_OFF).count()
    waiting = assessments.filter(status=AssessmentStatus.SUBMITTED).count()
    open_recommendations = Recommendation.objects.filter(
        review__case__in=cases, done_on__isnull=True
    ).count()
    planning = sum(
        c[m.__name__]
        for m in (
            PlanningMeeting,
            WrittenAgreement,
            AgreementGoal,
            FamilyTimeStep,
            PlacementWithParentsApproval,
            ContingencyPlan,
            SupportPlan,
            SupportService,
            DirectWorkSession,
        )
    )
    open_deadlines = Deadline.objects.filter(case__in=cases, done_on__isnull=True).exclude(
        case__stage=S.CLOSED
    )
    overdue = list(open_deadlines.filter(due_on__lt=on).values_list("due_on", flat=True))
    oldest = f", the oldest by {(on - min(overdue)).days} days" if overdue else ""
    return [
        f"Journey records: {c['CarePlanApproval']} care plan approvals, {c['StageMove']} stage "
        f"moves, {assessments.count()} risk assessments ({signed} signed off, {waiting} waiting "
        f"for sign-off), {c['ViabilityConsultation']} viability consultations, {planning} "
        f"planning records, {c['ViabilityMeeting']} viability meetings, {c['ReturnHome']} "
        f"returns home, {c['NotPursued']} not pursued, {c['Closure']} closures.",
        f"Reviews and visits: {c['Review']} reviews with {c['Recommendation']} IRO "
        f"recommendations ({open_recommendations} open), {c['Visit']} social worker visits; "
        f"{open_deadlines.count()} open deadlines, {len(overdue)} overdue{oldest}.",
    ]


def journey_records(cases: list[ReunificationCase], on: datetime.date) -> list[str]:
    """Give each new demo case the records of its journey so far."""
    rng = random.Random(SEED)
    tally = Tally()
    people = _people()
    ordered = sorted(cases, key=lambda c: (c.child.local_identifier, c.opened_on, c.pk))
    with transaction.atomic():
        journeys = [Journey(case, on, rng, tally, people) for case in ordered]
        plans = _plans(journeys, rng)
        for journey, plan in zip(journeys, plans, strict=True):
            _write(journey, plan)
        for case in ordered:
            deadlines.refresh(case, on)
    return _report(tally, ordered, on)


if not any(getattr(f, "__name__", "") == "journey_records" for f in EXTENSIONS):
    register_extension(journey_records)
