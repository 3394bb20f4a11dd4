"""Support and planning records (stage 3): the planning meeting, the written
agreement and its goals, family time, the placement plan and the Placement with
Parents decision, parts of the plan not appropriate for the child, the
contingency plan, support services, the support plan and direct work."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from cases.models import Versioned

CASE = "cases.ReunificationCase"


class PlanningMeeting(Versioned):
    """The Reunification Planning Meeting, led by the team manager as early as
    possible after a positive viability decision."""

    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="planning_meetings")
    held_on = models.DateField("Date of the meeting")
    led_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Led by",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The team manager who led the meeting.",
    )
    considerations = models.TextField(
        "Considerations agreed",
        help_text="Direct work, family time, support, contingency planning and anything else "
        "the meeting agreed.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "reunification planning meeting"
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"Planning meeting on {self.held_on:%-d %B %Y}"


class InviteeKind(models.TextChoices):
    """Who the guidance says to invite to the planning meeting, in its order."""

    CHILD = "child", "The child"
    PARENT = "parent", "Parents"
    FAMILY_FRIENDS_CARER = "family_friends_carer", "Family and friends carers"
    FOSTER_CARER_OR_KEY_WORKER = (
        "foster_carer_or_key_worker",
        "Foster carers or residential key workers",
    )
    ADVOCATE = "advocate", "Advocate"
    IRO = "iro", "Independent Reviewing Officer (IRO)"
    SOCIAL_WORKER = "social_worker", "Social worker"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    GUARDIAN = "guardian", "Guardian, if appointed"
    FAMILY_SUPPORT_WORKER = (
        "family_support_worker",
        "Edge-of-care, Family Group Conference or family support worker",
    )


class MeetingInvitee(models.Model):
    meeting = models.ForeignKey(PlanningMeeting, on_delete=models.CASCADE, related_name="invitees")
    kind = models.CharField("Who", max_length=30, choices=InviteeKind.choices)
    name = models.CharField("Name or names", max_length=200, blank=True)
    invited = models.BooleanField(default=False)
    attended = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "meeting invitee"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind"],
                name="one_invitee_row_per_kind",
                violation_error_message="Each kind of invitee is recorded once per meeting",
            )
        ]

    def __str__(self):
        return self.name or self.get_kind_display()


class WrittenAgreement(Versioned):
    """The child-focused SMART plan agreed with the family: goals, how success is
    measured, who does what, by when, the services, review dates and consequences."""

    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="written_agreements")
    agreed_on = models.DateField("Date agreed")
    consequences_explained = models.TextField(
        "Consequences explained to the family",
        help_text="What will happen if the agreement is not kept.",
    )
    parents_agreed = models.BooleanField("The parents agreed to it", default=False)
    review_dates = models.TextField(
        "When it will be reviewed", help_text="For example, every six weeks at the CiC review."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "written agreement"
        ordering = ["-agreed_on", "-pk"]

    def __str__(self):
        return f"Written agreement of {self.agreed_on:%-d %B %Y}"


class AgreementGoal(models.Model):
    agreement = models.ForeignKey(WrittenAgreement, on_delete=models.CASCADE, related_name="goals")
    goal = models.TextField()
    measure = models.TextField("How success is measured")
    responsible = models.TextField("Who does what")
    due_on = models.DateField("Date to be achieved by")
    services = models.TextField("Services to be provided", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "goal"
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.goal[:80]


class GoalOutcome(models.TextChoices):
    """Progress on a goal at a review: on track, not on track, or met. "Partly
    met" and "Not met" are kept for reviews recorded before progress was, and for
    a goal reviewed on its date."""

    ON_TRACK = "on_track", "On track"
    NOT_ON_TRACK = "off_track", "Not on track"
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"

    @property
    def tag_colour(self) -> str:
        """The GOV.UK tag colour the outcome is shown in."""
        return {
            GoalOutcome.MET: "green",
            GoalOutcome.ON_TRACK: "blue",
            GoalOutcome.PARTLY: "yellow",
        }.get(self, "red")


class GoalReview(Versioned):
    """Progress on one goal at one date: capacity to change is judged on these."""

    goal = models.ForeignKey(AgreementGoal, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("Date reviewed")
    outcome = models.CharField(max_length=10, choices=GoalOutcome.choices)
    evidence = models.TextField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "goal review"
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"{self.get_outcome_display()} on {self.reviewed_on:%-d %B %Y}"

    @property
    def outcome_tag_colour(self) -> str:
        return GoalOutcome(self.outcome).tag_colour


class FamilyTimeStep(Versioned):
    """One step in a schedule of family time that increases gradually in frequency
    and duration, with overnight stays as a step before return."""

    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="family_time_steps")
    starts_on = models.DateField("Start date")
    ends_on = models.DateField("End date", null=True, blank=True)
    frequency = models.CharField(max_length=100, help_text="For example, twice a week")
    duration = models.CharField(
        "How long each time", max_length=100, help_text="For example, 3 hours"
    )
    supervised = models.BooleanField(default=False)
    overnight = models.BooleanField("Overnight (over 24 hours)", default=False)
    how_it_went = models.TextField("How it went", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "family time step"
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="family_time_step_ends_after_start",
                violation_error_message="The end date must be on or after the start date",
            )
        ]

    def __str__(self):
        return f"Family time from {self.starts_on:%-d %B %Y}: {self.frequency}, {self.duration}"


class PlacementPlan(Versioned):
    """The placement plan for placing a child on an interim or full care order with
    a parent (regulations 17 and 18 of the Care Planning, Placement and Case Review
    (England) Regulations 2010): made before the placement, and what the service
    director decides on. One per case; changing it after a decision asks for a
    new one."""

    case = models.OneToOneField(CASE, on_delete=models.CASCADE, related_name="placement_plan")
    lives_with = models.TextField(
        "Who the child will live with",
        help_text="The parent, and every other adult in the household.",
    )
    arrangements = models.TextField(
        "Day-to-day arrangements",
        help_text="Where the child will live, school, health care and the child's daily care.",
    )
    support = models.TextField(
        "Support to be provided",
        help_text="Services for the child and the parents, and who gives them.",
    )
    contact = models.TextField(
        "Contact with others",
        help_text="Family time with brothers and sisters, the other parent, former carers.",
    )
    agreed_on = models.DateField("Date the plan was agreed")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "placement plan"

    def __str__(self):
        return f"Placement plan agreed on {self.agreed_on:%-d %B %Y}"


class PwPOutcome(models.TextChoices):
    """What the service director decided about a placement with parents."""

    APPROVED = "approved", "Approve the placement with parents"
    REFUSED = "refused", "Refuse the placement with parents"
    SENT_BACK = "sent_back", "Send it back to the social worker"

    @property
    def tag(self) -> tuple[str, str]:
        """(words, GOV.UK tag colour) the outcome is shown as."""
        return {
            PwPOutcome.APPROVED: ("Approved", "green"),
            PwPOutcome.REFUSED: ("Refused", "red"),
            PwPOutcome.SENT_BACK: ("Sent back", "orange"),
        }[self]


class PlacementWithParentsApproval(models.Model):
    """The service director's decision on placing a child on an interim or full
    care order with parents (Placement with Parents regulations): approved,
    refused, or sent back, with the reason, on the placement plan at the version
    she saw. Not asked for under section 20."""

    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="pwp_approvals")
    outcome = models.CharField(
        "Decision", max_length=10, choices=PwPOutcome.choices, default=PwPOutcome.APPROVED
    )
    decided_on = models.DateField("Date of the decision")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Decided by",
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField("Reasons")
    # The plan decided on, as it stood: a later change to it needs a new decision.
    # Empty on decisions recorded before placement plans were.
    placement_plan = models.ForeignKey(
        PlacementPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    plan_version = models.PositiveIntegerField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "Placement with Parents decision"
        ordering = ["-decided_on", "-pk"]

    def __str__(self):
        words, _ = PwPOutcome(self.outcome).tag
        return f"Placement with Parents {words.lower()} on {self.decided_on:%-d %B %Y}"

    @property
    def outcome_tag(self) -> tuple[str, str]:
        return PwPOutcome(self.outcome).tag


class PlanStep(models.TextChoices):
    """Parts of the programme the guidance asks for where appropriate to the child."""

    RESTORATIVE_MEETING = "restorative_meeting", "A restorative meeting"
    OVERNIGHT_STAYS = "overnight_stays", "Overnight stays (over 24 hours)"


class NotAppropriate(Versioned):
    """A part of the programme judged not appropriate for this child (a restorative
    meeting with a baby, say), and why: it meets that part of the stage guard and
    is shown at the viability meeting."""

    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="not_appropriate")
    step = models.CharField(max_length=30, choices=PlanStep.choices)
    reason = models.TextField("Why it is not appropriate for the child")
    decided_on = models.DateField("Date decided")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "part of the plan not appropriate"
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                name="one_not_appropriate_per_step",
                violation_error_message="This is already recorded as not appropriate",
            )
        ]

    def __str__(self):
        return f"{self.get_step_display()}: not appropriate"


class ContingencyPlan(Versioned):
    """The contingency and safety plan: what if, what then, and who does what."""

    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="contingency_plans")
    scenarios = models.TextField('"What if" scenarios')
    actions = models.TextField("What will happen")
    carers_roles = models.TextField("The carers' roles")
    agreed_on = models.DateField("Date agreed")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "contingency and safety plan"
        ordering = ["-agreed_on", "-pk"]

    def __str__(self):
        return f"Contingency plan agreed on {self.agreed_on:%-d %B %Y}"


class ServiceKind(models.TextChoices):
    TEAM_AROUND_CHILD = "team_around_child", "Team Around the Child/Family member"
    SERVICE = "service", "Service"
    SPECIALIST_DOMESTIC_ABUSE = (
        "specialist_domestic_abuse",
        "Specialist adult service: domestic abuse",
    )
    SPECIALIST_SUBSTANCE_MISUSE = (
        "specialist_substance_misuse",
        "Specialist adult service: substance misuse",
    )
    SPECIALIST_MENTAL_HEALTH = (
        "specialist_mental_health",
        "Specialist adult service: mental ill health",
    )
    SPECIALIST_LEARNING_DIFFICULTY = (
        "specialist_learning_difficulty",
        "Specialist adult service: learning difficulty",
    )
    SPECIALIST_DISABILITY = "specialist_disability", "Specialist adult service: disability"
    SPECIALIST_ILLNESS = "specialist_illness", "Specialist adult service: illness"


class ServiceTiming(models.TextChoices):
    BEFORE_RETURN = "before_return", "Before the return home"
    AFTER_RETURN = "after_return", "After the return home"
    BOTH = "both", "Before and after the return home"


class SupportService(Versioned):
    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="support_services")
    kind = models.CharField("Type", max_length=40, choices=ServiceKind.choices)
    provider = models.CharField(
        "Provider or agency", max_length=200, help_text="The agency or the person providing it."
    )
    description = models.TextField("What it provides", blank=True)
    starts_on = models.DateField("Start date")
    ends_on = models.DateField("End date", null=True, blank=True)
    timing = models.CharField("When", max_length=20, choices=ServiceTiming.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "support service"
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="support_service_ends_after_start",
                violation_error_message="The end date must be on or after the start date",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.provider}"


class SupportPlan(Versioned):
    """The parts of the plan recorded once per case: the Family Group Conference,
    how siblings were considered, life story work."""

    case = models.OneToOneField(CASE, on_delete=models.CASCADE, related_name="support_plan")
    fgc_held = models.BooleanField("Family Group Conference held", default=False)
    fgc_held_on = models.DateField("Date of the Family Group Conference", null=True, blank=True)
    fgc_not_held_reason = models.TextField("Why a Family Group Conference was not held", blank=True)
    siblings_considered = models.TextField("How siblings were considered")
    life_story_work = models.TextField("Life story work", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "support plan"

    def __str__(self):
        return f"Support plan for case {self.case_id}"


class DirectWorkKind(models.TextChoices):
    DIRECT_WORK = "direct_work", "Direct work with the child"
    RESTORATIVE_MEETING = "restorative_meeting", "Restorative meeting"
    LIFE_STORY = "life_story", "Life story work"


class DirectWorkSession(Versioned):
    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="direct_work_sessions")
    held_on = models.DateField("Date of the session")
    kind = models.CharField("Type", max_length=20, choices=DirectWorkKind.choices)
    notes = models.TextField()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "direct work session"
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.held_on:%-d %B %Y}"


class NoSpecialistService(Versioned):
    """Why a parental issue has no specialist adult service of its kind (the
    parent's needs are met elsewhere, say, or none exists locally): with it the
    issue is not a service gap."""

    case = models.ForeignKey(CASE, on_delete=models.CASCADE, related_name="no_specialist_services")
    issue = models.OneToOneField(
        "cases.ParentalIssue",
        verbose_name="Parental issue",
        on_delete=models.CASCADE,
        related_name="no_specialist_service",
    )
    reason = models.TextField("Why there is no specialist service")
    decided_on = models.DateField("Date recorded")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "reason there is no specialist service"
        ordering = ["decided_on", "pk"]

    def __str__(self):
        return f"No specialist service for {self.issue}"
