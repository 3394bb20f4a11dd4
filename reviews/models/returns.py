"""Stage 5: the return home, a breakdown, and closing the case."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.models import (
    LegalStatusCode,
    PlacementType,
    ReasonEpisodeCeased,
    ReunificationCase,
    Role,
)
from reviews.models.decisions import AcknowledgesIssues


class LegalStatusAfterReturn(models.TextChoices):
    CARE_ORDER_PLACED_WITH_PARENTS = (
        "care_order",
        "Placed with parents under a care order",
    )
    CHILD_IN_NEED = "child_in_need", "Section 20 ended; Child in Need plan"
    PATHWAY_PLAN = "pathway_plan", "Section 20 ended; Pathway Plan (care leaver)"


class ReturnHome(AcknowledgesIssues):
    case = models.OneToOneField(
        ReunificationCase, on_delete=models.PROTECT, related_name="return_home"
    )
    returned_on = models.DateField("Date the child returned home")
    planned = models.BooleanField("Was the return planned?")
    unplanned_reason = models.TextField(
        "Why the return was not planned",
        blank=True,
        help_text="For example, the child left the placement and went home.",
    )
    returned_to = models.CharField("Who the child returned to", max_length=200)
    episode_end_reason = models.CharField(
        "Reason the care episode ended (SSDA903)",
        max_length=3,
        blank=True,
        choices=[
            (c.value, c.label)
            for c in (ReasonEpisodeCeased.E4A, ReasonEpisodeCeased.E4B, ReasonEpisodeCeased.E13)
        ],
        help_text="Leave blank while the child stays looked after, as under a care order.",
    )
    legal_status_after = models.CharField(
        "Legal status after the return", max_length=16, choices=LegalStatusAfterReturn.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(planned=True) | ~Q(unplanned_reason=""),
                name="unplanned_return_has_reason",
            )
        ]

    def __str__(self):
        return f"Returned home {self.returned_on}"

    @property
    def care_order_remains(self) -> bool:
        return self.legal_status_after == LegalStatusAfterReturn.CARE_ORDER_PLACED_WITH_PARENTS


class Breakdown(models.Model):
    """The child came back into care after returning home."""

    case = models.OneToOneField(
        ReunificationCase, on_delete=models.PROTECT, related_name="breakdown"
    )
    came_back_on = models.DateField("Date the child came back into care")
    reason = models.TextField("Why the return broke down")
    # Where the child now lives and under what legal status, from the day she
    # came back (recorded as her placement and legal status too).
    placement_type = models.CharField(
        "Where the child now lives", max_length=3, choices=PlacementType.choices, blank=True
    )
    carer = models.CharField("Carer or provider", max_length=200, blank=True)
    legal_status = models.CharField(
        "Legal status now", max_length=2, choices=LegalStatusCode.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    def __str__(self):
        return f"Back in care {self.came_back_on}"


class ClosureReason(models.TextChoices):
    SUSTAINED_LOW_RISK = "sustained_low", "Sustained low risk"
    CARE_ORDER_DISCHARGED = "discharged", "Care order discharged"
    NOT_PURSUED_PERMANENCE = "permanence", "Not pursued, with a permanence plan"
    BREAKDOWN = "breakdown", "The return broke down"
    OTHER = "other", "Other"


class Closure(models.Model):
    case = models.OneToOneField(ReunificationCase, on_delete=models.PROTECT, related_name="closure")
    closed_on = models.DateField("Date closed")
    reason = models.CharField(max_length=16, choices=ClosureReason.choices)
    notes = models.TextField(blank=True)
    permanence_plan = models.TextField("The permanence plan", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    override_reason = models.TextField(
        "Why the case closes before the rules allow",
        blank=True,
        help_text="A manager's override, required when closing early.",
    )
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(override_by__isnull=True) | ~Q(override_reason=""),
                name="override_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(reason="permanence") | ~Q(permanence_plan=""),
                name="permanence_closure_has_plan",
            ),
        ]

    def __str__(self):
        return f"Closed {self.closed_on}: {self.get_reason_display()}"
