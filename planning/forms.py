"""Forms for the support and planning records, laid out with the GOV.UK Design
System through cases.forms.GOVUKModelForm."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Size
from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory

from cases.forms import (
    GOVUKDateField,
    GOVUKModelForm,
    users_with_role,
    version_error_to_summary,
    version_field,
)
from cases.models import ReunificationCase, Role
from cases.models.versioned import VERSION_FIELD
from reunification.clock import today

from .models import (
    AgreementGoal,
    ContingencyPlan,
    DirectWorkSession,
    FamilyTimeStep,
    GoalReview,
    InviteeKind,
    MeetingInvitee,
    NoSpecialistService,
    PlacementPlan,
    PlanningMeeting,
    PlanStep,
    PwPOutcome,
    SupportPlan,
    SupportService,
    WrittenAgreement,
)
from .services import GOAL_FIELDS


def _text(rows: int = 4):
    return forms.Textarea(attrs={"rows": rows})


# The planning meeting and who was invited


class PlanningMeetingForm(GOVUKModelForm):
    submit_label = None  # one button for the meeting and its invitees

    class Meta:
        model = PlanningMeeting
        fields = ["held_on", "led_by", "considerations"]
        error_messages = {
            "led_by": {"required": "Select the team manager who led the meeting"},
            "considerations": {"required": "Enter the considerations agreed at the meeting"},
        }

    def __init__(self, *args, case: ReunificationCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.fields["led_by"].queryset = users_with_role(Role.TEAM_MANAGER, team=case.team)
        self.fields["led_by"].label = "Led by (team manager)"
        self.fields["led_by"].empty_label = None
        self.fields["led_by"].widget = forms.RadioSelect(choices=self.fields["led_by"].choices)


class InviteeForm(forms.ModelForm):
    class Meta:
        model = MeetingInvitee
        fields = ["kind", "name", "invited", "attended"]
        widgets = {"kind": forms.HiddenInput}

    def clean(self):
        data = super().clean()
        if data.get("name", "").strip() and not (data.get("invited") or data.get("attended")):
            who = InviteeKind(data["kind"]).label if data.get("kind") else "this person"
            self.add_error(
                "name", f"Tick whether {who} was invited or came, or leave the name blank"
            )
        return data


def invitee_values(formset) -> list[dict]:
    """Every row of the invitee table as plain values for
    services.save_planning_meeting."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data and not form.has_changed():
            data = form.initial  # a row as it was offered
        kind = data.get("kind") or form["kind"].value()
        rows.append(
            {
                "kind": kind,
                "name": data.get("name", ""),
                "invited": bool(data.get("invited")),
                "attended": bool(data.get("attended")),
            }
        )
    return rows


KIND_ORDER = {kind: position for position, kind in enumerate(InviteeKind.values)}


def invitees_formset(data=None, *, meeting: PlanningMeeting, known: dict[str, str] | None = None):
    """One row for each kind of invitee the guidance lists, in its order. A new
    meeting starts from the people the case knows (`known`, names by kind),
    ticked as invited."""
    recorded = set(meeting.invitees.values_list("kind", flat=True)) if meeting.pk else set()
    known = known or {}
    initial = [
        {"kind": kind, "name": known[kind], "invited": True} if kind in known else {"kind": kind}
        for kind in InviteeKind.values
        if kind not in recorded
    ]
    formset_class = inlineformset_factory(
        PlanningMeeting,
        MeetingInvitee,
        form=InviteeForm,
        extra=len(initial),
        can_delete=False,
    )
    formset = formset_class(data, instance=meeting, initial=initial, prefix="invitees")
    labels = dict(InviteeKind.choices)
    for form in formset.forms:
        form.kind_label = labels.get(form["kind"].value(), "")
    formset.forms.sort(key=lambda form: KIND_ORDER.get(form["kind"].value(), len(KIND_ORDER)))
    return formset


# The written agreement and its goals


class WrittenAgreementForm(GOVUKModelForm):
    submit_label = None  # one button for the agreement and its goals

    class Meta:
        model = WrittenAgreement
        fields = ["agreed_on", "consequences_explained", "review_dates", "parents_agreed"]
        widgets = {"consequences_explained": _text(), "review_dates": _text(2)}
        error_messages = {
            "consequences_explained": {
                "required": "Enter the consequences that were explained to the family"
            },
            "review_dates": {"required": "Enter when the agreement will be reviewed"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False


class AgreementGoalForm(GOVUKModelForm):
    submit_label = None
    future_dates = ("due_on",)

    class Meta:
        model = AgreementGoal
        fields = GOAL_FIELDS
        widgets = {
            "goal": _text(2),
            "measure": _text(2),
            "responsible": _text(2),
            "services": _text(2),
        }
        error_messages = {
            "goal": {"required": "Enter the goal"},
            "measure": {"required": "Enter how success on this goal is measured"},
            "responsible": {"required": "Enter who does what for this goal"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False


class BaseGoalFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.has_changed() or f.instance.pk]
        if not kept:
            raise ValidationError("Add at least one goal", code="no_goals")


def goal_values(formset) -> list[dict]:
    """The goals typed or changed, as plain values for services.save_written_agreement:
    a blank row left as it was is not a goal."""
    goals = []
    for form in formset.forms:
        if not form.has_changed():
            continue
        data = form.cleaned_data
        goals.append({"id": form.instance.pk, **{name: data.get(name) for name in GOAL_FIELDS}})
    return goals


def goals_formset(data=None, *, agreement: WrittenAgreement):
    """The goals already agreed, then blank ones to add (three for a new agreement)."""
    formset_class = inlineformset_factory(
        WrittenAgreement,
        AgreementGoal,
        form=AgreementGoalForm,
        formset=BaseGoalFormSet,
        extra=1 if agreement.pk else 3,
        can_delete=False,
    )
    return formset_class(data, instance=agreement, prefix="goals")


class GoalReviewForm(GOVUKModelForm):
    class Meta:
        model = GoalReview
        fields = ["reviewed_on", "outcome", "evidence"]
        widgets = {"evidence": _text()}
        error_messages = {
            "outcome": {"required": "Select whether the goal is on track, not on track or met"},
            "evidence": {"required": "Enter the evidence for the outcome"},
        }


# Simple records, added and changed through the generic record pages of cases


class FamilyTimeStepForm(GOVUKModelForm):
    rules_in_service = True  # records.ends_after_start words the constraint
    future_dates = ("starts_on", "ends_on")

    class Meta:
        model = FamilyTimeStep
        fields = [
            "starts_on",
            "ends_on",
            "frequency",
            "duration",
            "supervised",
            "overnight",
            "how_it_went",
        ]
        widgets = {"how_it_went": _text()}
        error_messages = {
            "frequency": {"required": "Enter how often family time happens"},
            "duration": {"required": "Enter how long each time lasts"},
        }


class ContingencyPlanForm(GOVUKModelForm):
    class Meta:
        model = ContingencyPlan
        fields = ["scenarios", "actions", "carers_roles", "agreed_on"]
        error_messages = {
            "scenarios": {"required": 'Enter the "what if" scenarios'},
            "actions": {"required": "Enter what will happen in each scenario"},
            "carers_roles": {"required": "Enter the carers' roles"},
        }


class SupportServiceForm(GOVUKModelForm):
    rules_in_service = True  # records.ends_after_start words the constraint
    future_dates = ("starts_on", "ends_on")

    class Meta:
        model = SupportService
        fields = ["kind", "provider", "description", "starts_on", "ends_on", "timing"]
        widgets = {"description": _text(3)}
        error_messages = {
            "kind": {"required": "Select the type of support"},
            "provider": {"required": "Enter the provider or agency"},
            "timing": {"required": "Select whether the service is before or after the return"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Eight kinds: more than GOV.UK's seven for radios, but each is worth reading.
        kind = self.fields["kind"]
        kind.choices = [choice for choice in kind.choices if choice[0] != ""]
        kind.widget = forms.RadioSelect(choices=kind.choices)


class SupportPlanForm(GOVUKModelForm):
    class Meta:
        model = SupportPlan
        fields = [
            "fgc_held",
            "fgc_held_on",
            "fgc_not_held_reason",
            "siblings_considered",
            "life_story_work",
        ]
        error_messages = {
            "siblings_considered": {"required": "Enter how the child's siblings were considered"},
        }


class DirectWorkSessionForm(GOVUKModelForm):
    class Meta:
        model = DirectWorkSession
        fields = ["held_on", "kind", "notes"]
        error_messages = {
            "kind": {"required": "Select the type of session"},
            "notes": {"required": "Enter notes on the session"},
        }


# The placement plan, and the service director's decision on it


class PlacementPlanForm(GOVUKModelForm):
    class Meta:
        model = PlacementPlan
        fields = ["lives_with", "arrangements", "support", "contact", "agreed_on"]
        widgets = {
            "lives_with": _text(2),
            "arrangements": _text(),
            "support": _text(),
            "contact": _text(3),
        }
        error_messages = {
            "lives_with": {"required": "Enter who the child will live with"},
            "arrangements": {"required": "Enter the day-to-day arrangements"},
            "support": {"required": "Enter the support to be provided"},
            "contact": {"required": "Enter the arrangements for contact with others"},
        }


class PlacementWithParentsDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=PwPOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve, refuse or send it back"},
    )
    decided_on = GOVUKDateField(label="Date of the decision")
    reason = forms.CharField(
        label="Reasons",
        widget=_text(),
        help_text="What you considered: the placement plan and the suitability of every adult "
        "in the household. If you send it back, what the social worker needs to do.",
        error_messages={"required": "Enter the reasons for your decision"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = today()
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.MEDIUM
        self.helper.layout.append(Button.primary("submit", "Record the decision"))


# Parts of the plan not appropriate for the child


class NotAppropriateForm(forms.Form):
    decided_on = GOVUKDateField(label="Date decided")
    reason = forms.CharField(
        label="Why it is not appropriate for the child",
        widget=_text(),
        help_text="For example, a baby too young to take part in a restorative meeting.",
    )

    def __init__(self, *args, step: str, child_name: str, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        label = PlanStep(step).label
        self.fields["reason"].error_messages["required"] = (
            f"Enter why {label[0].lower()}{label[1:]} is not appropriate for {child_name}"
        )
        self.fields["decided_on"].initial = record.decided_on if record else today()
        if record:
            self.fields["reason"].initial = record.reason
        self.fields[VERSION_FIELD] = version_field(record.version if record else None)
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout.append(Button.primary("submit", "Save"))

    def clean(self):
        data = super().clean()
        version_error_to_summary(self)
        return data


class NoSpecialistServiceForm(GOVUKModelForm):
    """Why a parental issue has no specialist adult service of its kind."""

    rules_in_service = True  # records.issue_of_this_case words the one-per-issue rule

    class Meta:
        model = NoSpecialistService
        fields = ["issue", "reason", "decided_on"]
        widgets = {"reason": _text(3)}
        error_messages = {
            "issue": {"required": "Select the parental issue"},
            "reason": {"required": "Say why there is no specialist service"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = self.instance.case.parental_issues.select_related("parent")
        self.fields[
            "issue"
        ].help_text = "With a reason recorded, the issue is not counted as a gap in services."
