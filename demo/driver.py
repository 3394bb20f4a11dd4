"""Plays each demo story (demo.stories) through the product's own services, with
the clock moved to the day each thing happened.

A story becomes a list of dated acts (open the case, record the child's views,
sign off an assessment, hold a review...). They run in date order, each with
time_machine travelling to that day and simple_history told who is acting, as a
request would: so every record, history row, stage move and chronology entry is
the one the product itself writes, and a story the product would refuse fails
loudly here instead of showing in the demo.
"""

import datetime
import random
from contextlib import contextmanager
from types import SimpleNamespace

import time_machine
from django.conf import settings
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases import services as cases
from cases.dates import add_months, age_on
from cases.models import (
    CategoryOfNeed,
    ChronologyKind,
    LegalStatusCode,
    PlacementType,
    PoliceCheckOutcome,
    ReasonEpisodeCeased,
    Role,
    Sex,
    Stage,
)
from cases.models.codes import ReviewParticipation
from cases.selectors import current_legal_status
from planning import services as planning
from planning.matching import SERVICE_FOR_ISSUE
from planning.models import (
    DirectWorkKind,
    GoalOutcome,
    InviteeKind,
    PwPOutcome,
    ServiceKind,
    ServiceTiming,
)
from reviews.aftercare import after_return as after_the_return
from reviews.aftercare import return_home, statutory
from reviews.deadlines.rules import (
    cic_review_due,
    review_after_return_due,
    review_at_home_on_care_order_due,
)
from reviews.journey import decisions
from reviews.models import (
    ClosureReason,
    ConsultationOutcome,
    LegalStatusAfterReturn,
    MeetingOutcome,
    ReviewType,
)
from risk import services as risk

from . import stories as words
from .stories import Story

S = Stage
DAY = datetime.timedelta(days=1)
JOURNEY = (S.IDENTIFICATION, S.ASSESSMENT, S.SUPPORT_PLANNING, S.CONFIRMATION, S.RETURN_HOME)
# Days a stage usually takes, and days a case has spent so far in the stage it is at.
STAGE_DAYS = {
    S.IDENTIFICATION: (20, 40),
    S.ASSESSMENT: (45, 75),
    S.SUPPORT_PLANNING: (45, 75),
    S.CONFIRMATION: (21, 35),
}
DAYS_IN = {
    S.IDENTIFICATION: (15, 40),
    S.ASSESSMENT: (25, 60),
    S.SUPPORT_PLANNING: (30, 60),
    S.CONFIRMATION: (14, 30),
    S.RETURN_HOME: (40, 190),
    S.NOT_PURSUED: (60, 120),
}
# Months out of home by the time a case reaches its stage, at least.
MONTHS_IN_CARE = {
    S.IDENTIFICATION: 5,
    S.ASSESSMENT: 6,
    S.SUPPORT_PLANNING: 7,
    S.CONFIRMATION: 8,
    S.RETURN_HOME: 9,
    S.NOT_PURSUED: 8,
}
QUESTIONS = ("risk_factors", "protective_factors", "capacity_for_change", "wishes", "recurrence")
PLANNING_ITEMS = ("meeting", "agreement", "family_time", "services", "support", "contingency")


@contextmanager
def on_day(day: datetime.date):
    """Mid-morning on `day`, for everything: time_machine moves the clock every
    module reads (each imports reunification.clock's functions by name, so
    patching that module alone would not reach them)."""
    moment = datetime.datetime.combine(day, datetime.time(10), timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        try:
            yield
        finally:
            if hasattr(HistoricalRecords.context, "request"):
                del HistoricalRecords.context.request


def as_(user):
    """`user`, now named as the one acting: simple_history records them for rows
    the services create without naming anyone, as its middleware does for a
    request."""
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    return user


def nhs_number_for(number: int) -> str:
    """A valid NHS number in the 999 range, unique to `number`, or "" when the
    check digit would be 10 (such numbers are never issued)."""
    stem = f"999{number % 1_000_000:06d}"
    total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return "" if check == 10 else stem + str(0 if check == 11 else check)


class Journey:
    """One case of a demo child: its dates, drawn first, then its acts."""

    def __init__(self, story: Story, family, people, rng: random.Random, on: datetime.date):
        self.story, self.family, self.people, self.rng, self.on = story, family, people, rng, on
        self.child, self.carer = None, family.carer
        team = people[story.worker].team
        self.tm = people["tm.north" if team.name == words.NORTH_TEAM else "tm.south"]
        self.hos, self.director = people["hos"], people["director"]
        self.iro = people["iro"] if story.iro else None
        self.acts: list = []
        self.case = None
        self.mother = self.father = None
        self.returned = None

    # -- dates ------------------------------------------------------------------

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, max(low, high)))

    def between(self, start, end, fraction: float) -> datetime.date:
        return start + datetime.timedelta(days=int((end - start).days * fraction))

    def plan_dates(self, end_stage: str, until: datetime.date, days_in: int | None = None):
        """When the case opened and entered each stage, so that it has spent
        `days_in` days in `end_stage` by `until`."""
        story = self.story
        path = list(JOURNEY[: JOURNEY.index(end_stage) + 1]) if end_stage in JOURNEY else []
        if end_stage == S.NOT_PURSUED:
            path = [S.IDENTIFICATION, S.ASSESSMENT, S.NOT_PURSUED]
        if days_in is None:
            days_in = self.rng.randint(*DAYS_IN[end_stage])
        lengths = [self.rng.randint(*STAGE_DAYS[stage]) for stage in path[:-1]]
        gap = self.rng.randint(14, 40)
        if story.months:  # squeezed into the months given
            room = story.months * 30 - days_in - 5
            scale = room / (gap + sum(lengths))
            gap, lengths = max(5, int(gap * scale)), [max(10, int(n * scale)) for n in lengths]
        self.entered = {path[-1]: until - datetime.timedelta(days=days_in)}
        for stage, length in zip(reversed(path[:-1]), reversed(lengths), strict=True):
            following = path[path.index(stage) + 1]
            self.entered[stage] = self.entered[following] - datetime.timedelta(days=length)
        self.opened = self.entered[S.IDENTIFICATION]
        self.looked_after = self.opened - datetime.timedelta(days=gap)
        if not story.months:  # out of home long enough for the guidance to apply
            longest = add_months(until, -MONTHS_IN_CARE[end_stage]) - self.days(0, 45)
            self.looked_after = min(self.looked_after, longest)
        self.path = path

    def end_of(self, stage: str) -> datetime.date:
        later = [self.entered[s] for s in self.path if self.entered[s] > self.entered[stage]]
        return min(later) if later else self.on

    def worker(self, day: datetime.date):
        story = self.story
        if story.handover_from and day < self.handover_on:
            return self.people[story.handover_from]
        return self.people[story.worker]

    def at(self, day: datetime.date, act, *args, **kwargs) -> None:
        """Do `act` on `day`, or on the day the case opened if that is later (a
        record of something earlier, written up when the case began)."""
        self.acts.append((max(day, self.opened), len(self.acts), act, args, kwargs))

    # -- the story --------------------------------------------------------------

    def plan(self, end_stage: str, *, until: datetime.date, progress: int, days_in=None):
        self.plan_dates(end_stage, until, days_in)
        self.until = until
        self.handover_on = self.between(self.opened, until, 0.5)
        self.at(self.opened, self.open)
        if self.story.handover_from:  # before anything else that day, as worker() says
            self.at(self.handover_on, self.hand_over)
        ident = self.entered[S.IDENTIFICATION]
        reached = set(self.path[:-1])
        steps = 3 if S.IDENTIFICATION in reached else progress
        end = self.end_of(S.IDENTIFICATION) - DAY
        self.forced_reviews = []
        for n, step in enumerate(["confirmed", "agreed", "ratified"][:steps]):
            day = self.between(ident, end, 0.3 + 0.3 * n)
            if step == "ratified":
                self.forced_reviews.append(day)
            who = {"confirmed": self.tm, "agreed": self.hos, "ratified": self.iro}[step]
            self.at(day, self.approve, who, step, day)
        if S.IDENTIFICATION in reached:
            self.at(self.entered[S.ASSESSMENT], self.start_assessment)
        if S.ASSESSMENT in reached or end_stage == S.ASSESSMENT:
            self.assessment(99 if S.ASSESSMENT in reached else progress)
        if S.SUPPORT_PLANNING in reached or end_stage == S.SUPPORT_PLANNING:
            self.planning(99 if S.SUPPORT_PLANNING in reached else progress)
        if S.CONFIRMATION in reached or end_stage == S.CONFIRMATION:
            self.confirmation(99 if S.CONFIRMATION in reached else progress)
        if end_stage == S.RETURN_HOME:
            self.after_return(until)
        if end_stage == S.NOT_PURSUED:
            self.not_pursued(until)
        self.reviews_and_visits(until)

    def assessment(self, progress: int) -> None:
        start = self.entered[S.ASSESSMENT]
        end = self.end_of(S.ASSESSMENT)
        level = "high" if self.story.stage == S.NOT_PURSUED else "medium"
        self.at(self.between(start, end, 0.1), self.child_views)
        if progress >= 1:
            self.at(self.between(start, end, 0.25), self.parent_views)
            self.at(self.between(start, end, 0.35), self.single_assessment)
        if progress >= 2:
            self.at(self.between(start, end, 0.45), self.police_checks_back)
            self.risk_assessment(level, self.between(start, end, 0.55), end, progress - 2)
        if progress >= 5 and level == "medium":
            self.at(end, self.consultation)

    def planning(self, progress: int) -> None:
        start, end = self.entered[S.SUPPORT_PLANNING], self.end_of(S.SUPPORT_PLANNING)
        self.planning_done = progress >= 99
        items = PLANNING_ITEMS if self.planning_done else PLANNING_ITEMS[: 1 + progress]
        for n, item in enumerate(items):
            self.at(self.between(start, end, 0.05 + 0.1 * n), getattr(self, item), start, end)
        if self.story.care_order:
            # Regulations 17 and 18: the placement plan first; then it waits for the
            # director's decision on it.
            self.at(self.between(start, end, 0.7), self.placement_plan)
        if progress >= 99:
            self.at(self.between(start, end, 0.75), self.restorative)
            if self.story.care_order:
                self.at(self.between(start, end, 0.85), self.placement_with_parents)
            self.at(end, self.move_to_confirmation)

    def confirmation(self, progress: int) -> None:
        start, end = self.entered[S.CONFIRMATION], self.end_of(S.CONFIRMATION)
        if progress >= 1:
            by_day = self.between(start, end, 0.5)
            self.risk_assessment("medium", self.between(start, end, 0.2), by_day, progress)
        if progress >= 3:
            ahead = progress < 99
            return_on = self.on + self.days(7, 21) if ahead else end
            if self.story.unplanned:
                return_on += self.days(7, 14)
            self.at(self.between(start, end, 0.6), self.viability_meeting, return_on)
        if progress >= 99:
            self.at(end, self.go_home)

    def after_return(self, until: datetime.date) -> None:
        """Reassessed at about the first review at home: the risk has come down."""
        day = min(until, self.entered[S.RETURN_HOME] + self.days(17, 28))
        self.risk_assessment("low", day, min(until, day + 5 * DAY), 99)
        if self.story.unplanned:
            self.at(min(until, self.entered[S.RETURN_HOME] + 3 * DAY), self.unplanned_duties)

    def unplanned_duties(self) -> None:
        """After the unplanned return: the home assessed, both parents checked again."""
        day = risk_today()
        sw = self.worker(day)
        after_the_return.record_home_assessment(
            case=self.case,
            by=as_(sw),
            assessed_on=day,
            findings="Home clean and warm; the child's bedroom ready; no one else lives there.",
        )
        for member in (self.mother, self.father):
            values = {
                "member": member,
                "requested_on": day,
                "returned_on": day,
                "outcome": PoliceCheckOutcome.NO_TRACE,
            }
            self.record(sw, "police-check", values)

    def not_pursued(self, until: datetime.date) -> None:
        day = self.entered[S.NOT_PURSUED]
        self.at(day, self.record_not_pursued)
        # High risk is reassessed every three months while the child stays in care.
        later = add_months(day, 3) - self.days(3, 10)
        while later < until:
            self.risk_assessment("high", later, min(until, later + 10 * DAY), 99)
            later = add_months(later, 3)

    # -- acts: opening the case -------------------------------------------------

    def open(self) -> None:
        r, child, tm = self.rng, self.child, self.tm
        name = child.first_name if child else self.family.child_values["first_name"]
        first_worker = self.worker(self.opened)
        issue = words.ISSUES[r.randrange(len(words.ISSUES))]
        who = {"child": child} if child else {"child_values": self.family.child_values}
        self.case = cases.open_case(
            **who,
            team=first_worker.team,
            by=as_(tm),
            became_looked_after_on=self.looked_after,
            category_of_need=CategoryOfNeed.N1,
            abuse_category="neglect",
            reason_for_care_notes=f"{name} came into care after {r.choice(words.WHY_IN_CARE)}.",
            reunification_first_considered_on=self.opened - self.days(0, 5),
            allocations={
                Role.SOCIAL_WORKER: first_worker,
                Role.TEAM_MANAGER: tm,
                Role.HEAD_OF_SERVICE: self.hos,
                Role.IRO: self.iro,
            },
            opened_on=self.opened,
        )
        self.child = self.case.child
        sw = first_worker
        self.care_record(sw)
        self.mother = self.record(sw, "household-member", self.family.members["mother"])
        self.father = self.record(sw, "household-member", self.family.members["father"])
        for member in (self.mother, self.father):
            self.record(sw, "police-check", {"member": member, "requested_on": self.opened})
        kind, description = issue
        values = {"kind": kind, "parent": self.mother, "treatment": "engaging"}
        self.record(sw, "parental-issue", {**values, "description": description})
        # The treatment she is engaging with, as the specialist adult service of its kind.
        service = {
            "kind": SERVICE_FOR_ISSUE[kind],
            "provider": "Adult services",
            "description": "Specialist adult service for the mother.",
            "starts_on": self.opened,
            "timing": ServiceTiming.BOTH,
        }
        self.record(sw, "support-service", service)
        placed = f"Came into care; placed with {self.carer}."
        values = {"occurred_on": self.looked_after, "kind": ChronologyKind.SIGNIFICANT_EVENT}
        self.record(sw, "chronology", {**values, "description": placed, "source": "Placements"})

    def care_record(self, sw) -> None:
        """The legal status and placement since the child came into care this time
        (already recorded when an earlier case's breakdown brought her back)."""
        start = self.looked_after
        running = self.child.placements.filter(start_date__lte=start, end_date__isnull=True)
        if running.exists():
            return
        if self.story.care_order:
            full_order = start + self.days(150, 200)
            ends = full_order if full_order <= self.opened else None
            self.interim = self.record(sw, "legal-status", self.status("C1", start, ends))
            if ends:
                self.record(sw, "legal-status", self.status("C2", full_order))
            elif full_order < self.on:
                self.at(full_order, self.full_care_order, full_order)
        else:
            self.record(sw, "legal-status", self.status("V2", start))
        values = {
            "placement_type": PlacementType.U6,
            "carer": self.carer,
            "start_date": start,
            **FOSTER_PLACEMENT,
        }
        self.record(sw, "placement", values)

    def status(self, code: str, start, end=None) -> dict:
        return {"code": LegalStatusCode(code), "start_date": start, "end_date": end}

    def full_care_order(self, day) -> None:
        sw = self.worker(day)
        interim = self.interim
        interim.refresh_from_db()
        values = {"end_date": day}
        self.record(sw, "legal-status", values, record_pk=interim.pk, version=interim.version)
        self.record(sw, "legal-status", self.status("C2", day))

    def record(self, by, kind: str, values: dict, **edit):
        return cases.save_record(case=self.case, by=as_(by), kind=kind, values=values, **edit)

    def hand_over(self) -> None:
        worker = self.people[self.story.worker]
        cases.allocate(case=self.case, role=Role.SOCIAL_WORKER, user=worker, by=as_(self.tm))

    # -- acts: the journey ------------------------------------------------------

    def approve(self, by, step: str, day) -> None:
        review_on = day if step == "ratified" else None
        decisions.approve_care_plan(
            case=self.case,
            by=as_(by),
            step=step,
            approved_on=day,
            cic_review_on=review_on,
            rationale="Reunification considered; the plan is realistic in the child's timescale.",
        )

    def start_assessment(self) -> None:
        decisions.start_assessment(case=self.case, by=as_(self.worker(risk_today())))

    def child_views(self) -> None:
        name = self.child.first_name
        views = "I miss my mum and my own room. I want to go home, but only if things are "
        views += f"different. ({name}, seen alone.)"
        values = {
            "recorded_on": risk_today(),
            "views": views,
            "advocate": "accepted",
            "advocate_offered_on": risk_today(),
            "advocate_name": "Sam Okoro, children's rights service",
        }
        self.record(self.worker(risk_today()), "child-views", values)

    def parent_views(self) -> None:
        for parent in (self.mother, self.father):
            views = f"{parent.name.split()[0]} wants {self.child.first_name} home and accepts "
            views += "the support that comes with it."
            values = {
                "parent": parent,
                "recorded_on": risk_today(),
                "views": views,
                "advocate": "declined",
                "advocate_offered_on": risk_today(),
            }
            self.record(self.worker(risk_today()), "parent-views", values)

    def single_assessment(self) -> None:
        text = "Assessed with the family; see the case notes."
        values = {
            "housing_financial_education": "Settled tenancy; benefits in place. " + text,
            "parenting_capacity": "Warm and improving routines. " + text,
            "chronology_and_genogram_reviewed": True,
            "significant_events": "Police call-outs in 2024; none since. " + text,
            "barriers_to_change": "Isolation from family support. " + text,
            "sustained_change_and_relapse": "Six months of engagement with services. " + text,
        }
        self.record(self.worker(risk_today()), "single-assessment", values)

    def police_checks_back(self) -> None:
        day = risk_today()
        for member in (self.mother, self.father):
            check = member.police_checks.get()
            values = {"returned_on": day, "outcome": PoliceCheckOutcome.NO_TRACE}
            self.record(
                self.worker(day), "police-check", values, record_pk=check.pk, version=check.version
            )

    def risk_assessment(self, level: str, day, by_day, progress: int) -> None:
        """Draft (0), submitted (1) or signed off (2 and over), by `by_day`."""
        self.at(day, self.draft_risk, level, day)
        if progress >= 1:
            self.at(self.between(day, by_day, 0.3), self.submit_risk)
        if progress >= 2:
            self.at(self.between(day, by_day, 0.6), self.sign_off_risk)

    def draft_risk(self, level: str, day) -> None:
        answers = dict(zip(QUESTIONS, words.ANSWERS[level], strict=True))
        values = {"assessed_on": day, "protective_factors_named": "Maternal grandmother helps."}
        for name, answer in answers.items():
            values[name] = answer
            values[f"{name}_evidence"] = f"Judged from the chronology and the checks: {answer}."
        issue = self.case.parental_issues.first().kind
        factor = {
            "factor": words.RISK_FACTOR_FOR_ISSUE[issue],
            "status": words.FACTOR_STATUS[level],
        }
        sw = self.worker(day)
        self.assessment_record = risk.save_draft(
            case=self.case, by=as_(sw), answers=values, factors=[factor]
        )

    def submit_risk(self) -> None:
        suggestion = risk.suggestion_for(self.assessment_record)
        risk.submit_for_sign_off(
            assessment=self.assessment_record,
            by=as_(self.worker(risk_today())),
            confirmed_level=suggestion.level.code,
            rationale="Agree with the tool's suggestion, on the evidence above.",
            # Kept only where the level steps down sooner than the step rules allow.
            departure_rationale="Progress is sustained and evidenced by every service "
            "involved; waiting the full period would delay a safe return.",
        )

    def sign_off_risk(self) -> None:
        risk.sign_off(assessment=self.assessment_record, by=as_(self.tm))

    def participants(self, day) -> dict:
        return {
            "social_worker": self.worker(day),
            "team_manager": self.tm,
            "head_of_service": self.hos,
            "iro": self.iro,
        }

    def consultation(self) -> None:
        day = risk_today()
        decisions.record_viability_consultation(
            case=self.case,
            by=as_(self.tm),
            held_on=day,
            outcome=ConsultationOutcome.POTENTIALLY_SUITED,
            rationale="Risk signed off at Medium; the parents are engaging and the child wants "
            "to go home. Potentially suited: planning to start.",
            participants=self.participants(day),
        )

    def record_not_pursued(self) -> None:
        day = risk_today()
        decisions.record_not_pursued(
            case=self.case,
            by=as_(self.tm),
            decided_on=day,
            explained_to_child_on=day,
            explained_to_family_on=day,
            care_plan_now="Long-term fostering with the current carers; family time continues.",
            rationale="Risk assessed as High: the parents have not taken up the services.",
        )

    # -- acts: support and planning -------------------------------------------

    def meeting(self, start, end) -> None:
        day = risk_today()
        people = {
            InviteeKind.CHILD: (self.child.first_name, True, True),
            InviteeKind.PARENT: (f"{self.mother.name}, {self.father.name}", True, True),
            InviteeKind.FOSTER_CARER_OR_KEY_WORKER: (self.carer, True, True),
            InviteeKind.ADVOCATE: ("Children's rights advocate", True, True),
            InviteeKind.IRO: (str(self.iro), True, self.rng.random() < 0.8),
            InviteeKind.SOCIAL_WORKER: (str(self.worker(day)), True, True),
            InviteeKind.EDUCATION: ("Designated teacher", True, True),
            InviteeKind.HEALTH: ("School nurse", True, False),
        }
        invitees = [
            {"kind": kind, "name": name, "invited": invited, "attended": attended}
            for kind, (name, invited, attended) in people.items()
        ]
        values = {
            "held_on": day,
            "led_by": self.tm,
            "considerations": "Family time to increase in steps; services before the return.",
        }
        planning.save_planning_meeting(
            case=self.case, by=as_(self.tm), values=values, invitees=invitees
        )

    def agreement(self, start, end) -> None:
        day = risk_today()
        names = {"mother": self.mother.name.split()[0], "child": self.child.first_name}
        goals = [
            dict(
                zip(
                    ("goal", "measure", "responsible", "services"),
                    (text.format(**names) for text in goal),
                    strict=True,
                ),
                due_on=day + self.days(60, 120),
            )
            for goal in words.GOALS
        ]
        values = {
            "agreed_on": day,
            "consequences_explained": "If the agreement is not kept, family time returns to "
            "supervised sessions and the plan is reviewed at once.",
            "review_dates": "Every six weeks at the core group.",
            "parents_agreed": True,
        }
        agreement = planning.save_written_agreement(
            case=self.case, by=as_(self.worker(day)), values=values, goals=goals
        )
        for goal in agreement.goals.all():
            if goal.due_on < self.until:  # reviewed on its date, as the plan says
                self.at(goal.due_on, self.review_goal, goal)

    def review_goal(self, goal) -> None:
        day = risk_today()
        values = {
            "reviewed_on": day,
            "outcome": GoalOutcome.MET,
            "evidence": "Seen at the core group: kept to since the agreement began.",
        }
        planning.save_goal_review(goal=goal, by=as_(self.worker(day)), values=values)

    def family_time(self, start, end) -> None:
        span = [start, self.between(start, end, 0.4), self.between(start, end, 0.7), end]
        steps = [
            ("Once a week", "2 hours", True, False),
            ("Every weekend", "Overnight", False, True),
        ]
        if not self.planning_done:  # a case still at planning: not yet overnight
            steps = steps[:1]
        for n, (often, how_long, supervised, overnight) in enumerate(steps):
            values = {
                "starts_on": span[n * 2],
                "ends_on": span[n * 2 + 1],
                "frequency": often,
                "duration": how_long,
                "supervised": supervised,
                "overnight": overnight,
                "how_it_went": "Went well; the child was happy to go and came back settled.",
            }
            self.record(self.worker(risk_today()), "family-time-step", values)

    def services(self, start, end) -> None:
        values = {
            "kind": ServiceKind.SERVICE,
            "provider": "Edge of Care team",
            "description": "Family support worker twice a week: routines and school runs.",
            "starts_on": risk_today(),
            "timing": ServiceTiming.BOTH,
        }
        self.record(self.worker(risk_today()), "support-service", values)

    def support(self, start, end) -> None:
        values = {
            "fgc_held": True,
            "fgc_held_on": risk_today(),
            "siblings_considered": "No brothers or sisters; cousins' contact continues.",
        }
        self.record(self.worker(risk_today()), "support-plan", values)

    def contingency(self, start, end) -> None:
        values = {
            "scenarios": "If drinking resumes; if the former partner returns.",
            "actions": "The grandmother cares for the child and the social worker is told.",
            "carers_roles": "The foster carers stay available for a return to care.",
            "agreed_on": risk_today(),
        }
        self.record(self.worker(risk_today()), "contingency-plan", values)

    def restorative(self) -> None:
        values = {
            "held_on": risk_today(),
            "kind": DirectWorkKind.RESTORATIVE_MEETING,
            "notes": "Parent and child talked about why care was needed and what has changed.",
        }
        self.record(self.worker(risk_today()), "direct-work-session", values)

    def placement_plan(self) -> None:
        child = self.child.first_name
        values = {
            "lives_with": f"{child}'s mother, {self.mother.name}"
            + (f", and {self.father.name}" if self.father.lives_in_household else ""),
            "arrangements": f"{child} stays at the same school; the same GP and health visitor.",
            "support": "Edge of Care family support twice a week; the specialist service "
            "continues for mother.",
            "contact": "Weekly with the former foster carers for the first month; "
            "grandparents every weekend.",
            "agreed_on": risk_today(),
        }
        self.record(self.worker(risk_today()), "placement-plan", values)

    def placement_with_parents(self) -> None:
        planning.decide_placement_with_parents(
            case=self.case,
            by=as_(self.director),
            outcome=PwPOutcome.APPROVED,
            decided_on=risk_today(),
            reason="Placement plan and every adult in the household considered.",
        )

    def move_to_confirmation(self) -> None:
        decisions.move_to_confirmation(case=self.case, by=as_(self.worker(risk_today())))

    # -- acts: confirmation, the return and after -----------------------------

    def viability_meeting(self, return_on) -> None:
        day = risk_today()
        decisions.record_viability_meeting(
            case=self.case,
            by=as_(self.tm),
            held_on=day,
            outcome=MeetingOutcome.RETURN_DATE_CONFIRMED,
            rationale="Progress against the written agreement reviewed; risk Medium.",
            participants=self.participants(day),
            return_date=return_on,
        )

    def go_home(self) -> None:
        day, story = risk_today(), self.story
        to = f"Mother, {self.mother.name}"
        kwargs = {"legal_status_after": LegalStatusAfterReturn.CHILD_IN_NEED}
        if story.care_order:
            kwargs = {"legal_status_after": LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS}
        elif story.unplanned:
            kwargs["episode_end_reason"] = ReasonEpisodeCeased.E4B
        else:
            kwargs["episode_end_reason"] = ReasonEpisodeCeased.E4A
        reason = "Mother took the child home before the agreed date." if story.unplanned else ""
        if not story.care_order and return_home.ceasing_care_needs_approval(self.case, day):
            self.cease_care_approved(day)
        self.returned = return_home.record_return_home(
            case=self.case,
            by=as_(self.worker(day)),
            returned_on=day,
            planned=not story.unplanned,
            returned_to=to,
            unplanned_reason=reason,
            **kwargs,
        )

    def cease_care_approved(self, day) -> None:
        """Regulation 39: the social worker asks the service director, who approves
        ceasing to look after the child before the return that ends her care."""
        return_home.ask_to_cease_care(
            case=self.case,
            by=as_(self.worker(day)),
            proposed_on=day,
            plan_after="A Child in Need plan: the social worker visits and the family "
            "support worker stays involved.",
        )
        return_home.decide_ceasing_care(
            case=self.case,
            by=as_(self.director),
            approved=True,
            decided_on=day,
            rationale="The return plan, the written agreement and the support after care "
            "are in place.",
        )

    def breakdown(self) -> None:
        """Back in care: with the foster carers again, accommodated under section 20
        (or on the care order that ran on at home)."""
        day = risk_today()
        status = current_legal_status(self.child, day)
        return_home.record_breakdown(
            case=self.case,
            by=as_(self.worker(day)),
            came_back_on=day,
            reason=words.BREAKDOWN,
            placement_type=PlacementType.U6,
            carer=self.carer,
            legal_status=status.code
            if status is not None and status.is_care_order
            else LegalStatusCode.V2,
        )

    def close(self) -> None:
        return_home.close_case(
            case=self.case,
            by=as_(self.tm),
            closed_on=risk_today(),
            reason=ClosureReason.SUSTAINED_LOW_RISK,
            notes="Home for over a year; low risk held. Supported under a Child in Need plan.",
        )

    # -- reviews and visits ---------------------------------------------------

    def reviews_and_visits(self, until: datetime.date) -> None:
        """Reviews on time (a little early), the IRO's recommendations, and visits
        every four to six weeks; a `late_visit` story's latest is a little late."""
        home = self.entered.get(S.RETURN_HOME) if S.RETURN_HOME in self.path else None
        looked_after_until = home or until
        held: list[datetime.date] = []
        forced = list(self.forced_reviews)
        while self.iro:
            due = cic_review_due(self.looked_after, held)
            day = due - self.days(2, 12)
            if forced and forced[0] <= day:
                day = forced.pop(0)
            if day >= looked_after_until:
                break
            held.append(day)
            self.at(day, self.review, ReviewType.CHILD_IN_CARE, day)
        if home:
            care_order = self.story.care_order
            after: list[datetime.date] = []
            while True:
                if care_order:
                    # Still looked after: reg 33 runs on from the reviews in care.
                    due = review_at_home_on_care_order_due(self.looked_after, held + after, home)
                else:
                    due = review_after_return_due(
                        home, after, cin_interval_months=settings.CIN_REVIEW_INTERVAL_MONTHS
                    )
                # Never before the return: a review already due then is held after it.
                day = max(due - self.days(3, 10), home)
                if day > until:
                    break
                after.append(day)
                kind = ReviewType.CHILD_IN_CARE if care_order else ReviewType.CHILD_IN_NEED
                self.at(day, self.review, kind, day)
        day = self.looked_after + self.days(1, 5)
        visits = []
        while day <= until:
            visits.append(day)
            day += self.days(28, 40)
        if self.story.late_visit:  # the latest a few days over six weeks ago
            visits = [d for d in visits if d < until - 50 * DAY] + [until - self.days(44, 49)]
        for day in visits:
            self.at(day, self.visit, day)

    def review(self, review_type: str, day) -> None:
        cic = review_type == ReviewType.CHILD_IN_CARE
        chair = self.iro if cic else self.tm
        names = {"child": self.child.first_name}
        due_on = day + self.days(28, 56)
        recommendations = []
        if self.rng.random() < 0.7:
            text = self.rng.choice(words.RECOMMENDATIONS).format(**names)
            recommendations = [{"text": text, "owner": self.worker(day), "due_on": due_on}]
        # At every Child in Care review of a child in care, reunification is reconsidered.
        in_care = cic and self.returned is None
        outcome = words.REUNIFICATION_AT_REVIEW[self.story.stage == S.NOT_PURSUED]
        review = statutory.record_review(
            case=self.case,
            by=as_(chair),
            held_on=day,
            review_type=review_type,
            chair=chair,
            attended=f"{self.child.first_name}; {self.mother.name}; {self.worker(day)}; {chair}",
            outcome="The plan was reviewed with the family; it is progressing.",
            recommendations=recommendations,
            reunification_considered=True if in_care else None,
            reunification_outcome=outcome if in_care else "",
            participation=self.participation(day) if cic else "",
        )
        for item in review.recommendations.all():
            done = item.due_on - self.days(0, 14)
            if done <= self.on:
                self.at(done, self.complete, item, done)

    def participation(self, day) -> str:
        """How the child took part in a Child in Care review (SSDA903 REVIEW_CODE)."""
        if age_on(self.child.date_of_birth, day) < 4:
            return ReviewParticipation.PN0
        return self.rng.choice((ReviewParticipation.PN1, ReviewParticipation.PN6))

    def complete(self, recommendation, day) -> None:
        self.case.refresh_from_db()
        if self.case.is_open:
            statutory.complete_recommendation(
                recommendation=recommendation, by=as_(self.worker(day)), done_on=day
            )

    def visit(self, day) -> None:
        case = self.case
        case.refresh_from_db()
        if not case.is_open:
            return
        names = {"mother": self.mother.name.split()[0], "child": self.child.first_name}
        notes = self.rng.choice(words.HOME_VISIT_NOTES if self.returned else words.VISIT_NOTES)
        statutory.record_visit(
            case=case,
            by=as_(self.worker(day)),
            visited_on=day,
            seen_alone=True,
            notes=notes.format(**names),
        )

    # -- running ----------------------------------------------------------------

    def run(self) -> None:
        """Every act in date order, each on its own day as its own person."""
        while self.acts:
            self.acts.sort(key=lambda act: (act[0], act[1]))
            day, _, act, args, kwargs = self.acts.pop(0)
            if self.case is not None:
                self.case.refresh_from_db()  # as the last act left it
            try:
                with on_day(day):
                    act(*args, **kwargs)
            except Exception as error:
                error.add_note(f"Demo story {self.story} refused at {act.__name__} on {day}")
                raise


# Real postcodes in the demo council's area, so the Department's checks can place
# them (SSDA903 HOME_POST and PL_POST).
HOME_POSTCODES = ("TW1 1AA", "TW1 1AF", "TW1 1AR", "TW1 1AS")
# The demo's foster carers: the council's own, registered with Ofsted.
FOSTER_PLACEMENT = {"provider": "PR1", "postcode": "TW1 1AW", "urn": "SC482619"}
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_for(number: int) -> str:
    """A unique pupil number with a true check letter: the demo council's code
    (318), a year, a serial and a digit."""
    body = f"318{26:02d}{number % 1000000:06d}0"
    total = sum(int(d) * weight for d, weight in zip(body, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23] + body


def risk_today() -> datetime.date:
    """The day the clock has been moved to (the day of the act running)."""
    return timezone.localdate()


class Family:
    """Names for a child and their parents, drawn once per child."""

    def __init__(self, rng: random.Random, number: int, on: datetime.date, age: int):
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        first = rng.choice((words.BOYS if sex == Sex.MALE else words.GIRLS).split())
        surname = rng.choice(words.SURNAMES.split())
        self.child_values = {
            "first_name": first,
            "last_name": surname,
            "date_of_birth": add_months(on, -12 * age) - datetime.timedelta(rng.randint(1, 300)),
            "sex": sex,
            "ethnicity": "WBRI",
            "local_identifier": f"LA-{number:06d}",
            "nhs_number": nhs_number_for(number) if rng.random() < 0.65 else "",
            "upn": upn_for(number) if age >= 4 else "UN1",
            "home_postcode": rng.choice(HOME_POSTCODES),
            "is_mother": False if sex == Sex.FEMALE else None,
        }
        mother_born = add_months(on, -12 * rng.randint(24 + age, 40 + age))
        self.members = {
            "mother": {
                "name": f"{rng.choice(words.MOTHERS.split())} {surname}",
                "relationship": "Mother",
                "date_of_birth": mother_born,
                "has_parental_responsibility": True,
                "lives_in_household": True,
            },
            "father": {
                "name": f"{rng.choice(words.FATHERS.split())} {rng.choice(words.SURNAMES.split())}",
                "relationship": "Father",
                "age_when_recorded": rng.randint(26 + age, 44 + age),
                "has_parental_responsibility": True,
                "regular_visitor": True,
            },
        }
        self.carer = rng.choice(words.FOSTER_CARERS)


def play(people: dict, on: datetime.date, seed: int) -> list:
    """Every story in demo.stories, played through the services; the cases made."""
    rng = random.Random(seed)
    made = []
    for number, story in enumerate(words.STORIES, start=words.DEMO_FIRST_NUMBER):
        family = Family(rng, number, on, rng.randint(5 if story.earlier else 3, 15))
        journey = Journey(story, family, people, rng, on)
        if story.stage == S.CLOSED:
            closed_on = on - journey.days(10, 60)
            journey.plan(S.RETURN_HOME, until=closed_on, progress=99, days_in=rng.randint(380, 400))
            journey.at(closed_on, journey.close)
        else:
            journey.plan(story.stage, until=on, progress=story.progress)
        if story.earlier:
            # The earlier case: home under section 20 until the return broke down, the
            # day this child came back into care.
            earlier = Journey(Story(S.RETURN_HOME, story.worker), family, people, rng, on)
            came_back = journey.looked_after
            earlier.plan(S.RETURN_HOME, until=came_back, progress=99, days_in=rng.randint(60, 150))
            earlier.at(came_back, earlier.breakdown)
            earlier.run()
            journey.child = earlier.child
            made.append(earlier.case)
        journey.run()
        made.append(journey.case)
    return made
