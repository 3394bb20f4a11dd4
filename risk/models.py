"""Risk assessments with the classification tool, and their sign-off."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.models import ReunificationCase

from .tool import (
    CapacityForChange,
    Level,
    ProtectiveFactors,
    Recurrence,
    RiskFactors,
    RiskLevel,
    WishesAboutReturn,
)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for sign-off"
    RETURNED = "returned", "Returned for changes"
    SIGNED_OFF = "signed_off", "Signed off"


class FactorStatus(models.TextChoices):
    ADDRESSED = "addressed", "Addressed"
    BEING_ADDRESSED = "being_addressed", "Being addressed"
    NOT_ADDRESSED = "not_addressed", "Not addressed"


class NamedRiskFactor(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    MENTAL_ILL_HEALTH = "mental_ill_health", "Mental ill health"
    NEGLECT = "neglect", "Neglect"
    OTHER = "other", "Other"


class RiskAssessment(models.Model):
    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="risk_assessments"
    )
    assessed_on = models.DateField("Date of assessment")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )

    risk_factors = models.CharField(
        "Risk factors", max_length=24, choices=RiskFactors.choices(), blank=True
    )
    risk_factors_evidence = models.TextField("Evidence about risk factors", blank=True)
    protective_factors = models.CharField(
        "Protective factors", max_length=12, choices=ProtectiveFactors.choices(), blank=True
    )
    protective_factors_evidence = models.TextField("Evidence about protective factors", blank=True)
    capacity_for_change = models.CharField(
        "Parents' sustained capacity for actual change",
        max_length=12,
        choices=CapacityForChange.choices(),
        blank=True,
    )
    capacity_for_change_evidence = models.TextField(
        "Evidence about capacity for change", blank=True
    )
    wishes = models.CharField(
        "Wishes about return home", max_length=12, choices=WishesAboutReturn.choices(), blank=True
    )
    wishes_evidence = models.TextField("Evidence about wishes", blank=True)
    recurrence = models.CharField(
        "Likelihood abuse recurs if the child returns home",
        max_length=12,
        choices=Recurrence.choices(),
        blank=True,
    )
    recurrence_evidence = models.TextField("Evidence about likelihood of recurrence", blank=True)

    protective_factors_named = models.TextField(
        "Protective factors apparent",
        blank=True,
        help_text="One per line. For example, grandmother visits daily.",
    )
    suggested_level = models.CharField(
        max_length=8, choices=RiskLevel.choices(), blank=True, editable=False
    )
    confirmed_level = models.CharField(
        "Your confirmed level", max_length=8, choices=RiskLevel.choices(), blank=True
    )
    rationale = models.TextField(
        "Rationale",
        blank=True,
        help_text="Required when your level differs from the tool's suggestion.",
    )

    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField("Why it was returned", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="signed_off")
                | Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(confirmed_level=""),
                name="signed_off_assessment_is_decided",
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("author")) | Q(decided_by__isnull=True),
                name="no_sign_off_of_own_assessment",
            ),
        ]
        indexes = [models.Index(fields=["case", "status", "assessed_on"])]

    def __str__(self):
        return f"Risk assessment of {self.assessed_on}"

    @property
    def is_signed_off(self) -> bool:
        return self.status == AssessmentStatus.SIGNED_OFF

    @property
    def is_editable(self) -> bool:
        return self.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)

    @property
    def level(self) -> Level | None:
        return Level.from_code(self.confirmed_level) if self.confirmed_level else None


class RiskFactorEntry(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="factors")
    factor = models.CharField(max_length=20, choices=NamedRiskFactor.choices)
    description = models.CharField(
        max_length=200, blank=True, help_text="Name the risk when it is not one of the listed."
    )
    status = models.CharField(max_length=16, choices=FactorStatus.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        name = (
            self.description if self.factor == NamedRiskFactor.OTHER else self.get_factor_display()
        )
        return f"{name}: {self.get_status_display().lower()}"
