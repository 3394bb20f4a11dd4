"""Case supervision: the team manager's reflective discussion of a case with its
social worker (stage 1 of the guidance names supervision as a place reunification
is considered). Each supervision keeps its reflection and decisions, whether
reunification was considered for a child still in care, and its actions, each
with an owner and a date, tracked until done."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from cases.models import ReunificationCase


class CaseSupervision(models.Model):
    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="supervisions"
    )
    held_on = models.DateField("Date of the supervision")
    reflection = models.TextField("Reflection")
    decisions = models.TextField("Decisions")
    # Asked only while the child is in care and not yet home; None otherwise.
    reunification_considered = models.BooleanField(
        "Was reunification considered?", null=True, blank=True
    )
    reunification_note = models.TextField("About reunification", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"Case supervision, {self.held_on}"


class SupervisionAction(models.Model):
    supervision = models.ForeignKey(
        CaseSupervision, on_delete=models.CASCADE, related_name="actions"
    )
    text = models.TextField("Action")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Owner"
    )
    due_on = models.DateField("Due by")
    done_on = models.DateField("Done on", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.text[:60]
