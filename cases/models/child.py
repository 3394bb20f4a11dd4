"""The child and the child's care history, which outlives any one case."""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .codes import (
    CategoryOfNeed,
    Ethnicity,
    LegalStatusCode,
    MissingKind,
    PlacementProvider,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonPlaceChange,
    ReviewParticipation,
    Sex,
)
from .versioned import Versioned

NHS_NUMBER = r"^[0-9]{10}\Z"
# A unique pupil number: a check letter and 12 characters, or UN1 to UN10 when the
# child has none (SSDA903 UPN).
UPN = r"^([A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]|UN(10|[1-9]))\Z"
POSTCODE = r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}\Z"


def nhs_number_checksum(value: str) -> None:
    from django.core.exceptions import ValidationError

    if not re.match(NHS_NUMBER, value):
        return  # not 10 digits: the RegexValidator says so
    digits = [int(d) for d in value]
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != digits[9]:
        raise ValidationError("Enter a valid NHS number; this one fails its check digit")


class Child(Versioned):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(
        max_length=1,
        choices=Sex.choices,
        help_text="As recorded at birth or as the child identifies, for the SSDA903 return;"
        " Not known where it is not known.",
    )
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices)
    local_identifier = models.CharField(
        "Local identifier",
        max_length=30,
        unique=True,
        help_text="The council's own identifier for the child.",
    )
    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        blank=True,
        validators=[
            RegexValidator(NHS_NUMBER, "Enter the NHS number as 10 digits"),
            nhs_number_checksum,
        ],
    )
    upn = models.CharField(
        "Unique pupil number (UPN)",
        max_length=13,
        blank=True,
        validators=[
            RegexValidator(
                UPN, "Enter the UPN as a letter and 12 characters, or UN1 to UN10 if there is none"
            )
        ],
        help_text="13 characters, for example A123456789012; UN1 to UN10 if the child has none.",
    )
    home_postcode = models.CharField(
        "Postcode of the child's home",
        max_length=8,
        blank=True,
        validators=[RegexValidator(POSTCODE, "Enter a real postcode, like SW1A 1AA")],
        help_text="The family home the child came into care from (SSDA903 HOME_POST).",
    )
    is_mother = models.BooleanField(
        "Is the child a mother?",
        null=True,
        blank=True,
        help_text="Recorded for girls looked after, for the SSDA903 return.",
    )
    mothers_child_born_on = models.DateField(
        "Date of birth of the child's first child", null=True, blank=True
    )
    behavioural_or_emotional_difficulties = models.BooleanField(
        "Has behavioural or emotional difficulties",
        default=False,
        help_text="Research links these to returns home breaking down.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "children"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mothers_child_born_on__isnull=True) | Q(is_mother=True),
                name="mothers_child_only_for_a_mother",
                violation_error_message="Only a child who is a mother has a child's date of birth",
            ),
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~Q(nhs_number=""),
                name="nhs_number_unique_when_given",
                violation_error_message="Another child already has this NHS number",
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.is_mother and self.sex != Sex.FEMALE:
            raise ValidationError({"is_mother": "Only a girl can be recorded as a mother"})
        if self.mothers_child_born_on and not self.is_mother:
            raise ValidationError(
                {
                    "mothers_child_born_on": "Only a child who is a mother has a child's "
                    "date of birth"
                }
            )
        if self.mothers_child_born_on and self.mothers_child_born_on <= self.date_of_birth:
            raise ValidationError(
                {"mothers_child_born_on": "Her child's date of birth must be after her own"}
            )


class Sibling(Versioned):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="siblings")
    name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    living_arrangement = models.CharField(
        max_length=20,
        choices=[
            ("at_home", "At home with parents"),
            ("placed_together", "Placed with this child"),
            ("placed_elsewhere", "Looked after, placed elsewhere"),
            ("independent", "Living independently"),
            ("other", "Other"),
        ],
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date_of_birth", "name"]

    def __str__(self):
        return self.name


def _period_constraint(name: str):
    return models.CheckConstraint(
        condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
        name=name,
        violation_error_message="The end date must be on or after the start date",
    )


class LegalStatus(Versioned):
    """A period under one legal status. Periods are half-open: a status that ends on
    a day and the next that starts that day do not overlap (the SSDA903 convention)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="legal_statuses")
    code = models.CharField("Legal status", max_length=2, choices=LegalStatusCode.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason_ceased = models.CharField(
        "Reason the child stopped being looked after (SSDA903)",
        max_length=3,
        blank=True,
        choices=ReasonEpisodeCeased.choices,
        help_text="Only when care ends with this legal status.",
    )
    category_of_need = models.CharField(
        "Category of need (SSDA903)",
        max_length=2,
        blank=True,
        choices=CategoryOfNeed.choices,
        help_text="Loaded from an earlier return, for care no case of the service covers.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "legal statuses"
        ordering = ["-start_date"]
        constraints = [_period_constraint("legal_status_ends_after_start")]

    def __str__(self):
        return self.get_code_display()

    @property
    def is_care_order(self) -> bool:
        return self.code in LegalStatusCode.care_orders()

    @property
    def is_section_20(self) -> bool:
        return self.code in LegalStatusCode.section_20()


class Placement(Versioned):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements")
    placement_type = models.CharField(max_length=3, choices=PlacementType.choices)
    carer = models.CharField("Carer or provider", max_length=200)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    provider = models.CharField(
        "Who provides the placement (SSDA903)",
        max_length=3,
        blank=True,
        choices=PlacementProvider.choices,
    )
    postcode = models.CharField(
        "Postcode of the placement",
        max_length=8,
        blank=True,
        validators=[RegexValidator(POSTCODE, "Enter a real postcode, like SW1A 1AA")],
    )
    urn = models.CharField(
        "Ofsted unique reference number",
        max_length=8,
        blank=True,
        help_text="For placements Ofsted registers: children's homes, supported accommodation.",
    )
    reason_changed = models.CharField(
        "Why the placement ended (SSDA903)",
        max_length=6,
        blank=True,
        choices=ReasonPlaceChange.choices,
        help_text="When the child moved to another placement and stayed looked after.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        constraints = [_period_constraint("placement_ends_after_start")]

    def __str__(self):
        return f"{self.get_placement_type_display()} ({self.carer})"


class CareEpisode(Versioned):
    """An earlier period of being looked after, before the present one."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_episodes")
    start_date = models.DateField()
    end_date = models.DateField()
    reason_ceased = models.CharField(
        "Reason the episode ceased", max_length=3, choices=ReasonEpisodeCeased.choices
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        constraints = [_period_constraint("care_episode_ends_after_start")]

    def __str__(self):
        return f"{self.start_date} to {self.end_date}"


class PreviousReturn(Versioned):
    """An earlier return home; when the child came back into care, it failed."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="previous_returns")
    returned_home_on = models.DateField("Date returned home")
    came_back_into_care_on = models.DateField("Date came back into care", null=True, blank=True)
    reason_for_breakdown = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-returned_home_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(came_back_into_care_on__isnull=True)
                | Q(came_back_into_care_on__gte=F("returned_home_on")),
                name="previous_return_breakdown_after_return",
                violation_error_message="The child cannot come back into care before returning",
            )
        ]

    def __str__(self):
        return f"Returned home {self.returned_home_on}"

    @property
    def failed(self) -> bool:
        return self.came_back_into_care_on is not None


class MissingEpisode(Versioned):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="missing_episodes")
    kind = models.CharField(
        "Missing or away", max_length=1, choices=MissingKind.choices, default=MissingKind.MISSING
    )
    start_date = models.DateField("Date went missing")
    end_date = models.DateField("Date found or returned", null=True, blank=True)
    # The child "voting with their feet": a moment to consider reunification.
    to_family_home = models.BooleanField(
        "The child went to the family home",
        default=False,
        help_text="Found at, or went to, a parent's home without agreement.",
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        constraints = [_period_constraint("missing_episode_ends_after_start")]

    def __str__(self):
        return f"Missing from {self.start_date}"


class LoadedReview(Versioned):
    """A Child in Care review held before the child's record was in the service,
    loaded from the council's earlier SSDA903 return: only its date and how the
    child took part (the rest of the review stays in the council's old system).
    Reviews held since are recorded on the child's case."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="loaded_reviews")
    held_on = models.DateField("Date of the review")
    participation = models.CharField(
        "How the child took part (SSDA903)", max_length=3, choices=ReviewParticipation.choices
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["child", "held_on"], name="one_loaded_review_a_day")
        ]

    def __str__(self):
        return f"Child in Care review, {self.held_on}"
