"""After the return home: the step-down plan, concerns raised once the child is
home, and the assessment of the home an unplanned return calls for."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models import ReunificationCase


class StepDownPlan(models.Model):
    """How support steps down after the return: who leads it, and when support is
    expected to end. The services continuing are the case's support services for
    after the return (planning.SupportService), each with its planned end date.
    The team manager agrees the plan; a change to it or to a service after her
    agreement asks her again."""

    case = models.OneToOneField(
        ReunificationCase, on_delete=models.CASCADE, related_name="step_down_plan"
    )
    lead_professional = models.CharField("Lead professional", max_length=200)
    lead_professional_role = models.CharField("Their role", max_length=200)
    lead_professional_agency = models.CharField("Their agency", max_length=200)
    support_ends_on = models.DateField("Date support is expected to end")
    notes = models.TextField("How support steps down", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_on = models.DateField("Date agreed", null=True, blank=True)
    agreement_comments = models.TextField("The team manager's reasons", blank=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"Step-down plan: support until {self.support_ends_on:%-d %B %Y}"


class ConcernKind(models.TextChoices):
    REFERRAL = "referral", "A referral"
    INCIDENT = "incident", "An incident"
    NEW_RISK = "new_risk", "A new risk"


class ConcernAfterReturn(models.Model):
    """Something that raises concern once the child is home: it prompts a
    reassessment of the risk level."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="concerns_after_return"
    )
    kind = models.CharField("What kind of concern", max_length=10, choices=ConcernKind.choices)
    occurred_on = models.DateField("Date of the concern")
    details = models.TextField("What happened")
    source = models.CharField("Who raised it", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.occurred_on:%-d %B %Y}"


class HomeAssessment(models.Model):
    """An assessment of the home the child lives in, as an unplanned return needs."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="home_assessments"
    )
    assessed_on = models.DateField("Date of the assessment")
    findings = models.TextField("What the assessment found")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self):
        return f"Assessment of the home on {self.assessed_on:%-d %B %Y}"
