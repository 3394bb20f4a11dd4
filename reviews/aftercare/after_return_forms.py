"""Forms for after the return: the step-down plan and its agreement, a concern,
an assessment of the home."""

from django import forms

from cases.forms import GOVUKDateField
from reviews.journey.forms import DecisionForm
from reviews.models import ConcernKind


def _text(label, required_message, *, max_length=200, **kwargs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


class StepDownPlanForm(DecisionForm):
    submit_label = "Save the step-down plan"
    lead_professional = _text("Lead professional", "Enter the lead professional's name")
    lead_professional_role = _text(
        "Their role",
        "Enter the lead professional's role",
        help_text="For example, family support worker or social worker.",
    )
    lead_professional_agency = _text(
        "Their agency", "Enter their agency", help_text="For example, Early Help."
    )
    support_ends_on = GOVUKDateField(
        label="Date support is expected to end",
        allow_future=True,
        help_text="Support lasts at least six months after the return; research advises a year.",
    )
    notes = forms.CharField(
        label="How support steps down",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What changes as services end, and who the family can turn to.",
    )


class StepDownAgreementForm(DecisionForm):
    submit_label = "Agree the step-down plan"
    agreed_on = GOVUKDateField(label="Date agreed")
    comments = forms.CharField(
        label="Your reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the services may end when planned, or what was changed.",
        error_messages={"required": "Give your reasons for agreeing the plan"},
    )


class ConcernForm(DecisionForm):
    submit_label = "Record the concern"
    kind = forms.ChoiceField(
        label="What kind of concern",
        choices=ConcernKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of concern it is"},
    )
    occurred_on = GOVUKDateField(label="Date of the concern")
    details = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what happened"},
    )
    source = _text(
        "Who raised it",
        "",
        required=False,
        help_text="For example, the school, the police or a neighbour.",
    )


class HomeAssessmentForm(DecisionForm):
    submit_label = "Record the assessment"
    assessed_on = GOVUKDateField(label="Date of the assessment")
    findings = forms.CharField(
        label="What the assessment found",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The home's conditions, who lives there and visits, and whether the child "
        "is safe to stay.",
        error_messages={"required": "Say what the assessment found"},
    )
