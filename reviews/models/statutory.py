"""Statutory reviews (Child in Care, Child in Need, Pathway Plan), the IRO's
recommendations, and social worker visits."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from cases.models import ReunificationCase
from cases.models.codes import ReviewParticipation


class ReviewType(models.TextChoices):
    CHILD_IN_CARE = "cic", "Child in Care review"
    CHILD_IN_NEED = "cin", "Child in Need review"
    PATHWAY_PLAN = "pathway", "Pathway Plan review"


class Review(models.Model):
    case = models.ForeignKey(ReunificationCase, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField("Date of the review")
    review_type = models.CharField("Type of review", max_length=8, choices=ReviewType.choices)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Chair"
    )
    attended = models.TextField("Who attended")
    outcome = models.TextField("Outcome")
    next_review_requested_by = models.DateField(
        "The IRO asks for the next review by",
        null=True,
        blank=True,
        help_text="Only if the IRO wants it sooner than the regulations require.",
    )
    # Stage 1 of the guidance: at every Child in Care review of a child in care,
    # reunification is reconsidered, so that no child drifts. Blank (None) until
    # the IRO records it; such a review shows as incomplete.
    reunification_considered = models.BooleanField(
        "Was reunification considered at this review?", null=True, blank=True
    )
    reunification_outcome = models.TextField(
        "What was decided about reunification",
        blank=True,
        help_text="If it was not considered, say why.",
    )
    participation = models.CharField(
        "How the child took part (SSDA903)",
        max_length=3,
        blank=True,
        choices=ReviewParticipation.choices,
        help_text="Child in Care reviews, for the statutory return.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_requested_by__isnull=True)
                | Q(next_review_requested_by__gt=F("held_on")),
                name="next_review_after_this_one",
            )
        ]

    def __str__(self):
        return f"{self.get_review_type_display()}, {self.held_on}"


class Recommendation(models.Model):
    """An IRO's recommendation from a review, tracked until done."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField("Recommendation")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Owner"
    )
    due_on = models.DateField("Due by")
    done_on = models.DateField("Done on", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.text[:60]


class Visit(models.Model):
    case = models.ForeignKey(ReunificationCase, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("Date of the visit")
    seen_alone = models.BooleanField("The child was seen alone")
    notes = models.TextField(blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"Visit {self.visited_on}"
