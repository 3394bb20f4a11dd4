"""What is due: every deadline is a row, and every reminder email is claimed
before it is sent, so no one is reminded twice."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import ReunificationCase


class DeadlineKind(models.TextChoices):
    CIC_REVIEW = "cic_review", "Child in Care review"
    REVIEW_AFTER_RETURN = "review_after_return", "Review after the return home"
    VISIT = "visit", "Social worker visit"
    VISIT_AFTER_CARE_ORDER_AT_HOME = "visit_care_order", "Visit after a care order made at home"
    RECOMMENDATION = "recommendation", "IRO recommendation"
    RISK_REASSESS = "risk_reassess", "Reassess the risk level"
    RISK_RECONSIDER_SEVERE = "risk_severe", "Reconsider High risk for Severe"
    RISK_SEVERE_NOW = "risk_severe_now", "Move to Severe now (no protective factors at High)"
    RISK_AT_HOME = "risk_at_home", "High or Severe risk at home: decide about care"
    RISK_STEP_DOWN = "risk_step_down", "Risk level may step down"
    RISK_CLOSURE = "risk_closure", "Case may close (Low risk held)"
    SIGN_OFF = "sign_off", "Sign off a risk assessment"
    RECONSIDER_REUNIFICATION = "reconsider", "Reconsider reunification (not pursued)"
    REVIEW_REUNIFICATION = "review_reunif", "Record reunification at a Child in Care review"
    SERVICE_GAP = "service_gap", "Match a parental issue to a specialist service"
    PLANNING_MEETING = "planning_meeting", "Hold the Reunification Planning Meeting"
    GOAL_REVIEW = "goal_review", "Review a written-agreement goal"
    FURTHER_WORK = "further_work", "Further work decided at the viability meeting"
    SERVICE_ENDS_EARLY = "service_ends_early", "Support ends before six months at home"
    SERVICE_ENDS_BEFORE_YEAR = "service_ends_year", "Support ends before a year at home"
    CIN_VISIT = "cin_visit", "Child in Need visit"
    CONCERN_REASSESS = "concern_reassess", "Reassess the risk after a concern"
    HOME_ASSESSMENT = "home_assessment", "Assess the home after an unplanned return"
    POLICE_CHECKS_AFTER_RETURN = "police_after_return", "Police checks after an unplanned return"
    SUPERVISION_ACTION = "supervision_action", "Action from case supervision"
    REUNIFICATION_PROMPT = "reunif_prompt", "Consider reunification (an event prompts it)"


# A step-down or a closure the rules now allow is a chance, not a duty, and support
# ending within the first year at home a softer warning: shown, never late, on the
# pages and in the emails alike.
NEVER_LATE = frozenset(
    {
        DeadlineKind.RISK_STEP_DOWN,
        DeadlineKind.RISK_CLOSURE,
        DeadlineKind.SERVICE_ENDS_BEFORE_YEAR,
    }
)


class Deadline(models.Model):
    """One thing due on a case. Rows are derived from the case's records by
    `deadlines.refresh`, keyed so a refresh updates rather than duplicates."""

    case = models.ForeignKey(ReunificationCase, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=24, choices=DeadlineKind.choices)
    key = models.CharField(max_length=40, default="", blank=True)
    what = models.CharField(max_length=200)
    due_on = models.DateField()
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="deadlines"
    )
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "key"], name="one_deadline_per_key")
        ]
        indexes = [
            models.Index(
                fields=["responsible", "due_on"],
                condition=Q(done_on__isnull=True),
                name="open_deadlines_by_person",
            ),
            models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="open_by_due"),
        ]

    def __str__(self):
        return f"{self.what} by {self.due_on}"

    @property
    def can_be_overdue(self) -> bool:
        return self.kind not in NEVER_LATE


class DigestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Everything the person had was on cases they may no longer see: no email.
    NOTHING_TO_SEND = "nothing", "Nothing to send"


class ReminderDigest(models.Model):
    """One person's reminder email for one day. The nightly run creates the row,
    then claims it with a conditional update before sending; a second run, a
    retry or another worker finds it claimed or sent and leaves it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    for_date = models.DateField()
    status = models.CharField(
        max_length=8, choices=DigestStatus.choices, default=DigestStatus.PENDING
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Stamped on the batch of digests one worker claimed in one UPDATE.
    claim_token = models.UUIDField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "for_date"], name="one_digest_per_day")
        ]

    def __str__(self):
        return f"Reminders for {self.user} on {self.for_date}"
