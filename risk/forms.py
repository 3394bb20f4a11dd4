from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.db import models
from django.forms import inlineformset_factory

from cases.forms import GOVUKModelForm

from .models import (
    ANSWER_FIELDS,
    ChildViews,
    NamedRiskFactor,
    ParentViews,
    RiskAssessment,
    RiskFactorEntry,
    SingleAssessment,
)
from .tool import RiskLevel


def evidence(name: str):
    return Field.textarea(name, label_size=Size.SMALL, rows=3)


class RiskAssessmentForm(GOVUKModelForm):
    """The five judgements of the tool, each with its evidence."""

    submit_label = None  # the page has one button for this form and the factors

    class Meta:
        model = RiskAssessment
        fields = ANSWER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].required = True
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("assessed_on"),
            Fieldset(
                Field.radios("risk_factors", legend_size=Size.SMALL),
                evidence("risk_factors_evidence"),
                evidence("factors_disagreement_reason"),
                legend="1. Risk factors",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.radios("protective_factors", legend_size=Size.SMALL),
                evidence("protective_factors_evidence"),
                evidence("protective_factors_named"),
                legend="2. Protective factors",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.radios("capacity_for_change", legend_size=Size.SMALL),
                evidence("capacity_for_change_evidence"),
                legend="3. Parents' sustained capacity for actual change",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.radios("wishes", legend_size=Size.SMALL),
                evidence("wishes_evidence"),
                legend="4. Wishes about return home",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.radios("recurrence", legend_size=Size.SMALL),
                evidence("recurrence_evidence"),
                legend="5. Likelihood abuse recurs if the child returns home",
                legend_size=Size.MEDIUM,
            ),
        )


class RiskFactorForm(forms.ModelForm):
    class Meta:
        model = RiskFactorEntry
        fields = ["factor", "description", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False
        self.fields["status"].choices = [("", "Not a factor here")] + [
            c for c in self.fields["status"].choices if c[0]
        ]

    def clean(self):
        data = super().clean()
        if not data.get("status") and not data.get("DELETE"):
            if self.instance.pk:
                data["DELETE"] = True
                return data
            self.add_error("status", "Select whether this risk factor is addressed")
        if data.get("factor") == NamedRiskFactor.OTHER and not data.get("description", "").strip():
            self.add_error("description", "Name the other risk factor")
        return data


LISTED_FACTORS = [
    NamedRiskFactor.DOMESTIC_ABUSE,
    NamedRiskFactor.SUBSTANCE_MISUSE,
    NamedRiskFactor.MENTAL_ILL_HEALTH,
    NamedRiskFactor.NEGLECT,
]


def factors_formset(data=None, *, instance: RiskAssessment, carried: dict | None = None):
    """The factors already recorded, then a row for each listed factor not yet
    recorded and two for other factors. A new assessment starts each listed
    factor at its status in the last signed-off one (`carried`, status by
    factor), to be changed where it has moved on."""
    recorded = set(instance.factors.values_list("factor", flat=True)) if instance.pk else set()
    carried = carried or {}
    initial = [
        {"factor": f, "status": carried[f]} if f in carried else {"factor": f}
        for f in LISTED_FACTORS
        if f not in recorded
    ]
    initial += [{"factor": NamedRiskFactor.OTHER}, {"factor": NamedRiskFactor.OTHER}]
    formset_class = inlineformset_factory(
        RiskAssessment,
        RiskFactorEntry,
        form=RiskFactorForm,
        extra=len(initial),
        can_delete=True,
    )
    formset = formset_class(data, instance=instance, initial=initial, prefix="factors")
    labels = dict(NamedRiskFactor.choices)
    for form in formset.forms:
        form.factor_label = labels.get(form["factor"].value(), "")
    return formset


def factor_values(formset) -> list[dict]:
    """The named factors the table says apply, as plain values for
    services.save_draft: a row left at "Not a factor here" or deleted is not one."""
    factors = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data and not form.has_changed():
            data = form.initial  # a row left as it was offered
        if not data.get("status") or data.get("DELETE"):
            continue
        factors.append(
            {
                "id": form.instance.pk,
                "factor": data["factor"],
                "description": data.get("description", ""),
                "status": data["status"],
            }
        )
    return factors


class ConfirmLevelForm(forms.Form):
    confirmed_level = forms.ChoiceField(
        label="What level do you confirm?",
        choices=RiskLevel.choices(),
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level you confirm"},
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when your level differs from the suggested level.",
    )
    departure_rationale = forms.CharField(
        label="Rationale for departing from the step rules",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when the level you confirm is below what the step rules allow yet.",
    )

    def __init__(self, *args, departs: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not departs:
            # No level below the current one departs from the rules on this date.
            del self.fields["departure_rationale"]
        self.helper = FormHelper(self)
        self.helper.legend_size = Size.MEDIUM
        self.helper.label_size = Size.SMALL
        self.helper.form_tag = False
        self.helper.layout.append(Button.primary("submit", "Submit for sign-off"))


class Decision(models.TextChoices):
    SIGN_OFF = "sign_off", "Sign off"
    RETURN = "return", "Return to the social worker"


class DecisionForm(forms.Form):
    """The team manager's decision on an assessment: the comment, then a button for
    each decision (sign off, or return it), so deciding is one click."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=Decision.choices,
        widget=forms.HiddenInput,  # given by the button pressed
        required=False,
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you return it: say what needs to change.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.legend_size = Size.MEDIUM
        self.helper.label_size = Size.SMALL
        self.helper.form_tag = False
        self.helper.layout = Layout("comment")

    def clean(self):
        data = super().clean()
        if not data.get("decision") and "decision" not in self.errors:
            self.add_error(None, "Select whether you sign off or return the assessment")
        if data.get("decision") == Decision.RETURN and not data.get("comment", "").strip():
            self.add_error("comment", "Say what needs to change before it can be signed off")
        return data


class ChildViewsForm(GOVUKModelForm):
    rules_in_service = True  # records.child_views_or_why_not words the constraint

    class Meta:
        model = ChildViews
        fields = [
            "recorded_on",
            "views",
            "not_recorded_reason",
            "advocate",
            "advocate_offered_on",
            "advocate_name",
        ]
        error_messages = {"advocate": {"required": "Select whether an advocate was offered"}}


class ParentViewsForm(GOVUKModelForm):
    class Meta:
        model = ParentViews
        fields = [
            "parent",
            "recorded_on",
            "views",
            "advocate",
            "advocate_offered_on",
            "advocate_name",
        ]
        error_messages = {
            "parent": {"required": "Select the parent"},
            "views": {"required": "Record the parent's views"},
            "advocate": {
                "required": "Select whether an advocate or independent person was offered"
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = self.instance.case.family_members.filter(has_parental_responsibility=True)
        self.fields["parent"].queryset = parents
        # Blank only on records made before it was asked: asked of every new one.
        self.fields["advocate"].required = True
        self.fields["parent"].help_text = (
            "People in the household record with parental responsibility. "
            "Record each parent's views separately."
        )


class SingleAssessmentForm(GOVUKModelForm):
    class Meta:
        model = SingleAssessment
        fields = [
            "housing_financial_education",
            "parenting_capacity",
            "chronology_and_genogram_reviewed",
            "significant_events",
            "barriers_to_change",
            "sustained_change_and_relapse",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SingleAssessment.SECTIONS:
            self.fields[name].required = False
