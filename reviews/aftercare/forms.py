"""Forms for stage 5 and for reviews and visits."""

from django import forms

from cases import policy
from cases.forms import GOVUKDateField
from cases.models import LegalStatusCode, PlacementType, ReasonEpisodeCeased, User
from cases.models.codes import ReviewParticipation
from cases.selectors import current_legal_status
from reviews.aftercare.rules import episode_end_contradiction
from reviews.journey.forms import DecisionForm
from reviews.models import ClosureReason, LegalStatusAfterReturn, ReviewType


class ReturnHomeForm(DecisionForm):
    submit_label = "Record the return home"
    returned_on = GOVUKDateField(label="Date the child returned home")
    planned = forms.TypedChoiceField(
        label="Was the return planned?",
        choices=[("yes", "Yes, as confirmed at the viability meeting"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the return was planned"},
    )
    unplanned_reason = forms.CharField(
        label="If not planned, why not",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A child who went home without a plan is still recorded here.",
    )
    returned_to = forms.CharField(
        label="Who the child returned to",
        max_length=200,
        error_messages={
            "required": "Enter who the child returned to",
            "max_length": "Who the child returned to must be 200 characters or fewer",
        },
    )
    legal_status_after = forms.ChoiceField(
        label="Legal status after the return",
        choices=LegalStatusAfterReturn.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the legal status after the return"},
    )
    episode_end_reason = forms.ChoiceField(
        label="Reason the care episode ended (SSDA903)",
        required=False,
        choices=[("", "The episode continues (care order)")]
        + [
            (c.value, c.label)
            for c in (ReasonEpisodeCeased.E4A, ReasonEpisodeCeased.E4B, ReasonEpisodeCeased.E13)
        ],
        widget=forms.RadioSelect,
        help_text="E4A for a planned return, E4B for one that was not planned.",
    )

    def clean(self):
        data = super().clean()
        if data.get("planned") is False and not data.get("unplanned_reason", "").strip():
            self.add_error("unplanned_reason", "Say why the return was not planned")
        if data.get("planned") is not None and "episode_end_reason" not in self.errors:
            contradiction = episode_end_contradiction(
                data["planned"], data.get("episode_end_reason", "")
            )
            if contradiction:
                self.add_error("episode_end_reason", contradiction)
        return data


YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class CeasingCareRequestForm(DecisionForm):
    submit_label = "Ask the service director"
    proposed_on = GOVUKDateField(
        label="Planned date the child stops being looked after",
        allow_future=True,
        help_text="The planned date of the return home.",
    )
    plan_after = forms.CharField(
        label="The plan once the child is no longer looked after",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, a Child in Need plan: who supports the family, and how.",
        error_messages={"required": "Say what the plan is once care ends"},
    )


class CeasingCareDecisionForm(DecisionForm):
    submit_label = "Record the decision"
    approved = forms.TypedChoiceField(
        label="Do you approve ceasing to look after the child?",
        choices=[("yes", "Yes, approve"), ("no", "No, refuse")],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you approve"},
    )
    decided_on = GOVUKDateField(label="Date of the decision")
    rationale = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for the decision"},
    )


class BreakdownForm(DecisionForm):
    submit_label = "Record that the return broke down"
    came_back_on = GOVUKDateField(label="Date the child came back into care")
    reason = forms.CharField(
        label="Why the return broke down",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the return broke down"},
    )
    placement_type = forms.ChoiceField(
        label="Where the child now lives",
        choices=[("", "Select where the child now lives")]
        + [c for c in PlacementType.choices if c[0] != PlacementType.P1],
        error_messages={"required": "Select where the child now lives"},
    )
    carer = forms.CharField(
        label="Carer or provider",
        max_length=200,
        error_messages={
            "required": "Enter the carer or provider",
            "max_length": "The carer or provider must be 200 characters or fewer",
        },
    )
    legal_status = forms.ChoiceField(
        label="Legal status now",
        choices=[("", "Select the legal status")] + LegalStatusCode.choices,
        help_text="A care order runs on until the court ends it.",
        error_messages={"required": "Select the child's legal status now"},
    )

    def add_fields(self) -> None:
        current = current_legal_status(self.case.child) if self.case else None
        if current is not None:
            self.fields["legal_status"].initial = current.code


class ClosureForm(DecisionForm):
    submit_label = "Close the case"
    closed_on = GOVUKDateField(label="Date closed")
    reason = forms.ChoiceField(
        label="Reason for closing",
        choices=[c for c in ClosureReason.choices if c[0] != ClosureReason.BREAKDOWN],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the reason for closing"},
    )
    permanence_plan = forms.CharField(
        label="The permanence plan",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when reunification was not pursued.",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    override_reason = forms.CharField(
        label="Team manager's override: why close before the rules allow",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    warning_acknowledged = forms.BooleanField(
        label="I understand the child has been home less than twelve months",
        required=False,
    )

    def clean(self):
        data = super().clean()
        permanence = data.get("reason") == ClosureReason.NOT_PURSUED_PERMANENCE
        if permanence and not data.get("permanence_plan", "").strip():
            self.add_error("permanence_plan", "Describe the permanence plan")
        return data


class ReviewForm(DecisionForm):
    submit_label = "Record the review"
    held_on = GOVUKDateField(label="Date of the review")
    review_type = forms.ChoiceField(
        label="Type of review",
        choices=ReviewType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of review"},
    )
    chair = forms.ModelChoiceField(
        User.objects.none(),
        label="Chair",
        error_messages={"required": "Select who chaired the review"},
    )
    attended = forms.CharField(
        label="Who attended",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter who attended"},
    )
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the outcome of the review"},
    )
    next_review_requested_by = GOVUKDateField(
        label="The IRO asks for the next review by",
        required=False,
        allow_future=True,
        help_text="Only if sooner than the regulations require.",
    )
    reunification_considered = forms.TypedChoiceField(
        label="Child in Care review: was reunification considered?",
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="At every Child in Care review of a child in care. Without it the review "
        "shows as incomplete.",
    )
    reunification_outcome = forms.CharField(
        label="What was decided about reunification (or why it was not considered)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    participation = forms.ChoiceField(
        label="Child in Care review: how the child took part",
        choices=[("", "Select how the child took part"), *ReviewParticipation.choices],
        required=False,
        help_text="For the SSDA903 return.",
    )

    def add_fields(self) -> None:
        self.fields["chair"].queryset = policy.review_chair_choices(self.case)
        self.fields["chair"].initial = self.case.iro_id
        if self.case.iro_id:  # a child in care: reviewed at Child in Care reviews
            self.fields["review_type"].initial = ReviewType.CHILD_IN_CARE
        people = User.objects.filter(
            is_active=True, team_id=self.case.team_id
        ) | User.objects.filter(pk__in=[pk for pk in (self.case.iro_id,) if pk])
        for index in range(1, 4):
            self.fields[f"recommendation_{index}"] = forms.CharField(
                label=f"IRO recommendation {index}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"owner_{index}"] = forms.ModelChoiceField(
                people.distinct(), label="Who will do it", required=False
            )
            self.fields[f"due_{index}"] = GOVUKDateField(
                label="Due by", required=False, allow_future=True
            )

    def clean(self):
        data = super().clean()
        for index in range(1, 4):
            text = data.get(f"recommendation_{index}", "").strip()
            if not text:
                continue
            if not data.get(f"owner_{index}"):
                self.add_error(f"owner_{index}", f"Select who will do recommendation {index}")
            if not data.get(f"due_{index}") and f"due_{index}" not in self.errors:
                self.add_error(f"due_{index}", f"Enter when recommendation {index} is due")
        return data

    def recommendations(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "text": data[f"recommendation_{i}"].strip(),
                "owner": data[f"owner_{i}"],
                "due_on": data[f"due_{i}"],
            }
            for i in range(1, 4)
            if data.get(f"recommendation_{i}", "").strip()
        ]


class VisitForm(DecisionForm):
    submit_label = "Record the visit"
    visited_on = GOVUKDateField(label="Date of the visit")
    seen_alone = forms.TypedChoiceField(
        label="Was the child seen alone?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the child was seen alone"},
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ReviewReunificationForm(DecisionForm):
    submit_label = "Record it"
    considered = forms.TypedChoiceField(
        label="Was reunification considered at this review?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether reunification was considered"},
    )
    outcome = forms.CharField(
        label="What was decided about reunification (or why it was not considered)",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what was decided about reunification"},
    )


class RecommendationDoneForm(DecisionForm):
    submit_label = "Mark as done"
    done_on = GOVUKDateField(label="Date done")
