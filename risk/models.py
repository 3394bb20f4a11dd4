"""Risk assessments with the classification tool, and their sign-off."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cases.models import ReunificationCase, Versioned

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


# The history's change reason on every save that changes an assessment's answers,
# evidence or factors: whoever made one may not sign the assessment off.
ANSWERS_CHANGED = "answers changed"

# The fields of an assessment its draft holds: the answers, their evidence, the
# date and the protective factors named (the level is confirmed on submitting).
ANSWER_FIELDS = [
    "assessed_on",
    "risk_factors",
    "risk_factors_evidence",
    "protective_factors",
    "protective_factors_evidence",
    "protective_factors_named",
    "capacity_for_change",
    "capacity_for_change_evidence",
    "wishes",
    "wishes_evidence",
    "recurrence",
    "recurrence_evidence",
    "factors_disagreement_reason",
]


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


class RiskAssessment(Versioned):
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

    factors_disagreement_reason = models.TextField(
        "Why a named risk factor is not addressed when the risk factors are fully addressed",
        blank=True,
        help_text="Required when you answer that the risk factors are fully addressed and "
        "mark a named risk factor as not addressed.",
    )
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
    departure_rationale = models.TextField(
        "Why the level steps down sooner than the step rules allow",
        blank=True,
        help_text="Required when the level you confirm is below what the step rules allow yet.",
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
                condition=~Q(status=AssessmentStatus.SIGNED_OFF)
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
    def is_awaiting_sign_off(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED

    @property
    def is_returned(self) -> bool:
        return self.status == AssessmentStatus.RETURNED

    def contributor_ids(self) -> set[int]:
        """Who wrote it, changed its answers or submitted it, and so may not sign it
        off (four eyes). Queries the history for those who changed the answers."""
        ids = {self.author_id, self.submitted_by_id}
        if self.pk:
            ids.update(self.answer_editor_ids())
        return {pk for pk in ids if pk}

    def answer_editor_ids(self) -> set[int]:
        """Everyone who saved a change to the answers, evidence or factors."""
        editors = self.history.filter(history_change_reason=ANSWERS_CHANGED)
        return set(editors.values_list("history_user_id", flat=True))

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


class AdvocateOffer(models.TextChoices):
    OFFERED_ACCEPTED = "accepted", "Offered and accepted"
    OFFERED_DECLINED = "declined", "Offered and declined"
    NOT_OFFERED = "not_offered", "Not offered"


class ChildViews(Versioned):
    """The child's views, wishes and feelings about going home (stage 2, direct work),
    or why they could not be recorded."""

    case = models.OneToOneField(
        ReunificationCase, on_delete=models.CASCADE, related_name="child_views"
    )
    recorded_on = models.DateField("Date recorded")
    views = models.TextField(
        "The child's views, wishes and feelings",
        blank=True,
        help_text="In the child's words where you can.",
    )
    not_recorded_reason = models.TextField(
        "Why the child's views could not be recorded",
        blank=True,
        help_text="For example, because of age or understanding.",
    )
    advocate = models.CharField(
        "Was an advocate offered?", max_length=12, choices=AdvocateOffer.choices
    )
    advocate_offered_on = models.DateField("Date the advocate was offered", null=True, blank=True)
    advocate_name = models.CharField(
        "Who the advocate is",
        max_length=200,
        blank=True,
        help_text="Their name and service, if the offer was accepted.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "child's views"
        constraints = [
            models.CheckConstraint(
                condition=~Q(views="") | ~Q(not_recorded_reason=""),
                name="child_views_or_reason",
                violation_error_message="Record the child's views, or why they could not be",
            )
        ]

    def __str__(self):
        return f"Child's views, {self.recorded_on}"


class ParentViews(Versioned):
    """One parent's views, recorded separately from the other's."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.CASCADE, related_name="parent_views"
    )
    parent = models.ForeignKey(
        "cases.FamilyMember", on_delete=models.PROTECT, related_name="views_recorded"
    )
    recorded_on = models.DateField("Date recorded")
    views = models.TextField("Their views about the child returning home")
    # Each parent is offered an advocate or independent person of their own, as
    # the child is (blank on records made before it was asked).
    advocate = models.CharField(
        "Was an advocate or independent person offered to this parent?",
        max_length=12,
        blank=True,
        choices=AdvocateOffer.choices,
    )
    advocate_offered_on = models.DateField("Date it was offered", null=True, blank=True)
    advocate_name = models.CharField(
        "Who the advocate or independent person is",
        max_length=200,
        blank=True,
        help_text="Their name and service, if the offer was accepted.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "parents' views"
        constraints = [
            models.UniqueConstraint(fields=["case", "parent"], name="one_views_record_per_parent")
        ]

    def __str__(self):
        return f"Views of {self.parent.name}"


class SingleAssessment(Versioned):
    """The sections of the single assessment the guidance asks for at stage 2."""

    case = models.OneToOneField(
        ReunificationCase, on_delete=models.CASCADE, related_name="single_assessment"
    )
    # Each section may be left blank while the assessment is written: the risk
    # page lists the incomplete ones (incomplete_sections), and so does the journey.
    housing_financial_education = models.TextField(
        "Housing, financial and education issues", blank=True
    )
    parenting_capacity = models.TextField("Parenting capacity and capacity to change", blank=True)
    chronology_and_genogram_reviewed = models.BooleanField(
        "The chronology and genogram have been reviewed", default=False
    )
    significant_events = models.TextField("Significant events", blank=True)
    barriers_to_change = models.TextField("Barriers to change", blank=True)
    sustained_change_and_relapse = models.TextField("Sustained change and relapse", blank=True)
    history = HistoricalRecords()

    SECTIONS = [
        "housing_financial_education",
        "parenting_capacity",
        "significant_events",
        "barriers_to_change",
        "sustained_change_and_relapse",
    ]

    def __str__(self):
        return "Single assessment"

    def incomplete_sections(self) -> list[str]:
        missing = [
            str(self._meta.get_field(name).verbose_name).lower()
            for name in self.SECTIONS
            if not getattr(self, name).strip()
        ]
        if not self.chronology_and_genogram_reviewed:
            missing.append("the review of the chronology and genogram")
        return missing
