"""A reunification case and what hangs off it: allocations, parental issues, the
household and family network with police checks, and the chronology."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .child import Child
from .codes import (
    AbuseCategory,
    CategoryOfNeed,
    ParentalIssueKind,
    PoliceCheckOutcome,
    SocialWorkerChangeReason,
    TreatmentUptake,
)
from .people import Role, Team
from .versioned import Versioned


class Stage(models.TextChoices):
    IDENTIFICATION = "identification", "1. Identification"
    ASSESSMENT = "assessment", "2. Assessment of risk and viability"
    SUPPORT_PLANNING = "support_planning", "3. Support and planning"
    CONFIRMATION = "confirmation", "4. Confirmation"
    RETURN_HOME = "return_home", "5. Return home"
    NOT_PURSUED = "not_pursued", "Reunification not pursued"
    CLOSED = "closed", "Closed"


ALLOCATED_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.IRO)


class ReunificationCase(Versioned):
    """One attempt to return a child home. A later attempt is a new case, linked to
    the earlier one through `previous_case`."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    previous_case = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="later_cases"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_as_social_worker",
    )
    team_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    head_of_service = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    iro = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="IRO",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_cases",
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDENTIFICATION)
    stage_entered_on = models.DateField()
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    became_looked_after_on = models.DateField(
        "Date became looked after", help_text="The start of the present period of care."
    )
    reunification_first_considered_on = models.DateField(
        "Date reunification first considered", null=True, blank=True
    )
    category_of_need = models.CharField(
        "Reason for entering care", max_length=2, choices=CategoryOfNeed.choices
    )
    abuse_category = models.CharField(
        "Category of abuse or neglect", max_length=10, choices=AbuseCategory.choices, blank=True
    )
    reason_for_care_notes = models.TextField("Why the child came into care", blank=True)
    family_isolated = models.BooleanField(
        "The family is isolated, with little informal support",
        default=False,
        help_text="Research links isolation to returns home breaking down.",
    )
    risk_step_months = models.PositiveSmallIntegerField(
        "Months a risk level must be held before it can change",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Six months unless a shorter or longer timescale suits this child.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=~Q(stage="closed"),
                name="one_open_case_per_child",
                violation_error_message="This child already has an open reunification case",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closes_after_opening",
                violation_error_message="A case cannot close before it opened",
            ),
            models.CheckConstraint(
                condition=Q(stage="closed", closed_on__isnull=False)
                | (~Q(stage="closed") & Q(closed_on__isnull=True)),
                name="closed_case_has_closing_date",
            ),
        ]
        indexes = [
            models.Index(fields=["social_worker", "stage"]),
            models.Index(fields=["team", "stage"]),
            models.Index(fields=["iro", "stage"]),
        ]

    def __str__(self):
        return f"{self.child} (case {self.pk})"

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class Allocation(models.Model):
    """Who held a role on a case and when. The current holder is also on the case."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.CASCADE, related_name="allocations"
    )
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in ALLOCATED_ROLES])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    change_reason = models.CharField(
        "Why the allocation changed (SSDA903)",
        max_length=6,
        blank=True,
        choices=SocialWorkerChangeReason.choices,
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "role"],
                condition=Q(end_date__isnull=True),
                name="one_current_allocation_per_role",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="allocation_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.user}"


class ParentalIssue(Versioned):
    case = models.ForeignKey(
        ReunificationCase, on_delete=models.CASCADE, related_name="parental_issues"
    )
    kind = models.CharField("Issue", max_length=30, choices=ParentalIssueKind.choices)
    parent = models.ForeignKey(
        "FamilyMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
        help_text="Whose issue this is, if recorded in the household.",
    )
    description = models.TextField(blank=True)
    treatment = models.CharField(
        "Treatment or service", max_length=20, choices=TreatmentUptake.choices
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()


class FamilyMember(Versioned):
    """A person in the child's household or family network."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.CASCADE, related_name="family_members"
    )
    name = models.CharField(max_length=200)
    relationship = models.CharField(
        "Relationship to the child", max_length=100, help_text="For example, mother, step-father"
    )
    date_of_birth = models.DateField(null=True, blank=True)
    age_when_recorded = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only when the date of birth is not known."
    )
    recorded_on = models.DateField()
    lives_in_household = models.BooleanField("Lives in the household", default=False)
    regular_visitor = models.BooleanField("Regular visitor to the household", default=False)
    extended_family = models.BooleanField("Extended family", default=False)
    has_parental_responsibility = models.BooleanField("Has parental responsibility", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-lives_in_household", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(age_when_recorded__isnull=False),
                name="family_member_has_age",
                violation_error_message="Enter a date of birth or an age",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


class PoliceCheck(Versioned):
    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="police_checks")
    requested_on = models.DateField("Date requested")
    returned_on = models.DateField("Date returned", null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=PoliceCheckOutcome.choices, blank=True, default=""
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("requested_on")),
                name="police_check_returned_after_request",
                violation_error_message="A check cannot be returned before it was requested",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True, outcome="")
                | Q(returned_on__isnull=False) & ~Q(outcome=""),
                name="police_check_outcome_when_returned",
                violation_error_message="Enter both the date returned and the outcome",
            ),
        ]

    def __str__(self):
        return f"Police check requested {self.requested_on}"


class ChronologyKind(models.TextChoices):
    SIGNIFICANT_EVENT = "event", "Significant event"
    RELAPSE = "relapse", "Relapse"
    SUSTAINED_CHANGE = "sustained_change", "Period of sustained change"
    DECISION = "decision", "Decision"
    ALLOCATION = "allocation", "Allocation"
    CASE_OPENED = "case_opened", "Case opened"


class ChronologyEntry(Versioned):
    case = models.ForeignKey(ReunificationCase, on_delete=models.CASCADE, related_name="chronology")
    occurred_on = models.DateField("Date of event")
    kind = models.CharField("Type", max_length=20, choices=ChronologyKind.choices)
    description = models.TextField()
    source = models.CharField(
        max_length=200, blank=True, help_text="Where this is recorded or who reported it."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    automatic = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "chronology entries"
        ordering = ["-occurred_on", "-recorded_at"]

    def __str__(self):
        return f"{self.occurred_on}: {self.get_kind_display()}"


class CaseView(models.Model):
    """Every time someone opened a page of a case record."""

    case = models.ForeignKey(ReunificationCase, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField()
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["case", "-viewed_at"])]

    def __str__(self):
        return f"{self.user} viewed case {self.case_id} at {self.viewed_at}"
