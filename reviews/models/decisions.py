"""Decisions and the stage moves they make. Every row says who decided, in which
role, when and why; every one also writes an entry in the case's chronology."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from cases.models import ReunificationCase, Role, Stage
from cases.models.codes import CarePlanStep


class Decision(models.Model):
    """Who decided, in which role, when and why: common to every decision."""

    case = models.ForeignKey(ReunificationCase, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    decided_at = models.DateTimeField()
    rationale = models.TextField(blank=True)

    class Meta:
        abstract = True


class AcknowledgesIssues(models.Model):
    """A decision about the return taken while a parental issue was unresolved
    (not treated, disengaged, or with no matching service) keeps which issues
    they were, as the record showed them, and what will be done about them."""

    unresolved_issues = models.TextField("Unresolved parental issues", blank=True)
    unresolved_issues_plan = models.TextField(
        "What will be done about the unresolved parental issues", blank=True
    )

    class Meta:
        abstract = True


class CarePlanApproval(Decision):
    """One of the three approvals of the reunification care plan (stage 1)."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="care_plan_approvals"
    )
    step = models.CharField(max_length=12, choices=CarePlanStep.choices)
    approved_on = models.DateField("Date of approval")
    cic_review_on = models.DateField("Date of the Child in Care review", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["approved_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="one_approval_per_step"),
            models.CheckConstraint(
                condition=~Q(step="ratified") | Q(cic_review_on__isnull=False),
                name="ratified_at_a_review",
            ),
        ]

    def __str__(self):
        return self.get_step_display()


class ConsultationOutcome(models.TextChoices):
    POTENTIALLY_SUITED = "suited", "Potentially suited to reunification"
    NOT_SUITED = "not_suited", "Not suited to reunification"


class ViabilityConsultation(AcknowledgesIssues, Decision):
    """The Reunification Viability Consultation (stage 2), recorded by the team
    manager as management oversight."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="viability_consultations"
    )
    held_on = models.DateField("Date of the consultation")
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    team_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    head_of_service = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    iro = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="IRO", on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=ConsultationOutcome.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"Viability consultation, {self.held_on}"


class NotPursued(Decision):
    """Reunification is not pursued: the child stays looked after, and care
    planning and reviews go on."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="not_pursued_decisions"
    )
    decided_on = models.DateField("Date of the decision")
    explained_to_child_on = models.DateField("Date explained to the child")
    explained_to_family_on = models.DateField("Date explained to the family")
    care_plan_now = models.TextField("The care plan now")
    # Not a dead end: when reunification will be looked at again (a task for the
    # team manager and the social worker until the assessment is reopened).
    reconsider_on = models.DateField("Reunification to be reconsidered by", null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"Reunification not pursued, {self.decided_on}"


class MeetingOutcome(models.TextChoices):
    RETURN_DATE_CONFIRMED = "confirmed", "Return date confirmed"
    FURTHER_WORK = "further_work", "Further work needed before a return"
    NOT_PURSUED = "not_pursued", "Care plan changed away from reunification"


class ViabilityMeeting(AcknowledgesIssues, Decision):
    """The Reunification Viability Meeting at the end of the initial programme
    (stage 4): progress reviewed against a new signed-off risk assessment."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="viability_meetings"
    )
    held_on = models.DateField("Date of the meeting")
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    team_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    head_of_service = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    iro = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="IRO", on_delete=models.PROTECT, related_name="+"
    )
    risk_assessment = models.ForeignKey(
        "risk.RiskAssessment", on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=14, choices=MeetingOutcome.choices)
    return_date = models.DateField("Confirmed return date", null=True, blank=True)
    further_work = models.TextField("What further work is needed", blank=True)
    further_work_by = models.DateField("Further work to be done by", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="confirmed") | Q(return_date__isnull=False),
                name="confirmed_meeting_has_return_date",
            ),
            models.CheckConstraint(
                condition=Q(return_date__isnull=True) | Q(return_date__gte=F("held_on")),
                name="return_date_not_before_meeting",
            ),
        ]

    def __str__(self):
        return f"Viability meeting, {self.held_on}"


class CeasingCareRequest(models.Model):
    """Regulation 39: ceasing to look after a child who has been looked after for
    20 working days or more needs the nominated officer's approval (here the
    service director) before the return that ends the looked-after episode. The
    social worker or team manager asks; the director approves or refuses, with
    the reason. A refused request may be followed by a new one."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="ceasing_care_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_role = models.CharField(max_length=32, choices=Role.choices)
    requested_at = models.DateTimeField()
    proposed_on = models.DateField("Planned date the child stops being looked after")
    plan_after = models.TextField("The plan once the child is no longer looked after")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField("Date of the decision", null=True, blank=True)
    approved = models.BooleanField(null=True, blank=True)
    rationale = models.TextField("Reason for the decision", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(decided_at__isnull=True),
                name="one_open_ceasing_care_request",
            ),
            models.CheckConstraint(
                condition=Q(
                    decided_at__isnull=True,
                    decided_by__isnull=True,
                    decided_on__isnull=True,
                    approved__isnull=True,
                )
                | (
                    Q(decided_at__isnull=False)
                    & Q(decided_by__isnull=False)
                    & Q(decided_on__isnull=False)
                    & Q(approved__isnull=False)
                    & ~Q(rationale="")
                ),
                name="ceasing_care_decision_complete",
            ),
        ]

    def __str__(self):
        if self.approved is None:
            return f"Ceasing to look after: asked {self.requested_at:%-d %B %Y}"
        outcome = "approved" if self.approved else "refused"
        return f"Ceasing to look after {outcome} {self.decided_on:%-d %B %Y}"


class DisputeRoute(models.TextChoices):
    DRP = "drp", "Dispute Resolution Process"
    ESCALATION = "escalation", "Escalation procedure"
    IRO_ESCALATION = "iro_escalation", "IRO escalation"


class Dispute(models.Model):
    """A disagreement between professionals, the route taken and how it ended."""

    case = models.ForeignKey(ReunificationCase, on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_role = models.CharField(max_length=32, choices=Role.choices)
    raised_on = models.DateField("Date raised")
    route = models.CharField(max_length=16, choices=DisputeRoute.choices)
    subject = models.TextField("What the disagreement is about")
    resolved_on = models.DateField("Date resolved", null=True, blank=True)
    resolution = models.TextField("How it was resolved", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("raised_on")),
                name="dispute_resolved_after_raised",
            )
        ]

    def __str__(self):
        return f"{self.get_route_display()}, raised {self.raised_on}"


class StageMove(AcknowledgesIssues):
    """Every move between stages, with who made it and why."""

    case = models.ForeignKey(
        ReunificationCase, on_delete=models.PROTECT, related_name="stage_moves"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    moved_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["moved_at", "pk"]

    def __str__(self):
        return f"{self.get_from_stage_display()} to {self.get_to_stage_display()}"
