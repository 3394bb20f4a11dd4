from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Size
from django import forms

from cases import policy
from cases.forms import GOVUKDateField
from cases.models import ReunificationCase, Role
from reunification.clock import today
from reviews.evidence import PLAN_FIELD
from reviews.journey.decisions import default_reconsider_on
from reviews.models import CarePlanStep, ConsultationOutcome, DisputeRoute, MeetingOutcome


class DecisionForm(forms.Form):
    """Base for decision forms: GOV.UK layout and one primary button."""

    submit_label = "Record decision"

    def __init__(self, *args, case: ReunificationCase | None = None, evidence=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.evidence = (
            evidence  # reviews.evidence.DecisionEvidence, on a decision about the return
        )
        self.add_fields()
        if evidence is not None and evidence.unresolved:
            self.fields[PLAN_FIELD] = forms.CharField(
                label="What will be done about the unresolved parental issues",
                help_text="Unresolved: " + evidence.unresolved_summary() + ". The decision "
                "record and the chronology keep this.",
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "required": "Say what will be done about the unresolved parental issues"
                },
            )
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout.append(Button.primary("submit", self.submit_label))

    def add_fields(self) -> None:
        """Fields that depend on the case, added before the layout is built."""


class ParticipantsMixin:
    """The four who take part in viability consultations and meetings, defaulting
    to those allocated to the case (or to `initial_participants`, a record whose
    participants come first), offering only those who may take part."""

    initial_participants = None

    def add_fields(self) -> None:
        case = self.case
        start = self.initial_participants or case
        for name, role, label in [
            ("social_worker", Role.SOCIAL_WORKER, "Social worker"),
            ("team_manager", Role.TEAM_MANAGER, "Team manager"),
            ("head_of_service", Role.HEAD_OF_SERVICE, "Head of service"),
            ("iro", Role.IRO, "Independent Reviewing Officer"),
        ]:
            self.fields[name] = forms.ModelChoiceField(
                policy.participant_choices(case, role),
                label=label,
                initial=getattr(start, f"{name}_id") or getattr(case, f"{name}_id"),
                error_messages={"required": f"Select who took part as {label.lower()}"},
            )

    def participants(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("social_worker", "team_manager", "head_of_service", "iro")
        }


class MoveToConfirmationForm(DecisionForm):
    """Support and planning to confirmation: nothing to enter unless a parental
    issue is unresolved."""

    submit_label = "Move to confirmation"


class CarePlanApprovalForm(DecisionForm):
    submit_label = "Record approval"
    approved_on = GOVUKDateField(label="Date of approval")
    rationale = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, step: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        if step == CarePlanStep.RATIFIED:
            self.fields["cic_review_on"] = GOVUKDateField(label="Date of the Child in Care review")
            self.fields["cic_review_attended"] = forms.CharField(
                label="Who attended the review",
                required=False,
                help_text="The review is recorded with the ratification. Leave this "
                "blank if the review held that day is already recorded.",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.helper = FormHelper(self)
            self.helper.label_size = Size.SMALL
            self.helper.layout.append(Button.primary("submit", self.submit_label))


class ViabilityConsultationForm(ParticipantsMixin, DecisionForm):
    held_on = GOVUKDateField(label="Date of the consultation")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ConsultationOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the consultation"},
    )
    rationale = forms.CharField(
        label="Management oversight: the decision and its rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the rationale for the decision"},
    )


class NotPursuedForm(DecisionForm):
    submit_label = "Record that reunification is not pursued"
    decided_on = GOVUKDateField(label="Date of the decision")
    explained_to_child_on = GOVUKDateField(label="Date the outcome was explained to the child")
    explained_to_family_on = GOVUKDateField(label="Date the outcome was explained to the family")
    rationale = forms.CharField(
        label="The reasons, as explained to the child and family",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reasons"},
    )
    care_plan_now = forms.CharField(
        label="The care plan now",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Care planning and reviews continue for the child.",
        error_messages={"required": "Enter what the care plan now is"},
    )
    reconsider_on = GOVUKDateField(
        label="Reconsider reunification by",
        required=False,
        allow_future=True,
        help_text="Leave blank for the earliest date the risk step rules allow a move.",
    )

    def add_fields(self) -> None:
        if self.case is not None and self.case.pk:
            day = default_reconsider_on(self.case, today())
            self.fields["reconsider_on"].help_text = (
                f"Leave blank for {day:%-d %B %Y}, the earliest date the risk step rules "
                "allow the level to move."
            )

    def clean(self):
        data = super().clean()
        decided = data.get("decided_on")
        for name in ("explained_to_child_on", "explained_to_family_on"):
            if decided and data.get(name) and data[name] < decided:
                self.add_error(name, "It cannot be explained before the decision was made")
        reconsider = data.get("reconsider_on")
        if decided and reconsider and reconsider <= decided:
            self.add_error("reconsider_on", "Reconsider reunification after the decision")
        return data


class ReopenAssessmentForm(DecisionForm):
    submit_label = "Reopen the assessment"
    rationale = forms.CharField(
        label="Why reunification is reconsidered now",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason for reconsidering reunification"},
    )


class ViabilityMeetingForm(ParticipantsMixin, DecisionForm):
    """Starts from who took part in the case's latest viability consultation."""

    def add_fields(self) -> None:
        self.initial_participants = self.case.viability_consultations.order_by(
            "-held_on", "-pk"
        ).first()
        super().add_fields()

    held_on = GOVUKDateField(label="Date of the meeting")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=MeetingOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the meeting"},
    )
    return_date = GOVUKDateField(label="Confirmed return date", required=False, allow_future=True)
    further_work = forms.CharField(
        label="What further work is needed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    further_work_by = GOVUKDateField(
        label="Further work to be done by", required=False, allow_future=True
    )
    rationale = forms.CharField(
        label="The decision and its rationale",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the rationale for the decision"},
    )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        needs_date = outcome == MeetingOutcome.RETURN_DATE_CONFIRMED
        if needs_date and not data.get("return_date") and "return_date" not in self.errors:
            self.add_error("return_date", "Enter the confirmed return date")
        if outcome == MeetingOutcome.FURTHER_WORK:
            if not data.get("further_work", "").strip():
                self.add_error("further_work", "Say what further work is needed")
            if not data.get("further_work_by") and "further_work_by" not in self.errors:
                self.add_error("further_work_by", "Enter the date the further work is due")
        return data


class DisputeForm(DecisionForm):
    submit_label = "Record the disagreement"
    raised_on = GOVUKDateField(label="Date raised")
    route = forms.ChoiceField(
        label="Route",
        choices=DisputeRoute.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the route used"},
    )
    subject = forms.CharField(
        label="What the disagreement is about",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the disagreement is about"},
    )


class ResolveDisputeForm(DecisionForm):
    submit_label = "Record the resolution"
    resolved_on = GOVUKDateField(label="Date resolved")
    resolution = forms.CharField(
        label="How it was resolved",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say how it was resolved"},
    )
