"""The case supervision form, with a row for each action ("add another"), and
marking an action done."""

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.db.models import Q

from cases.forms import GOVUKDateField
from cases.models import User
from reviews.journey.forms import DecisionForm
from reviews.supervision.selectors import asks_about_reunification

YES_NO = [("yes", "Yes"), ("no", "No")]
MOST_ACTIONS = 20


def action_rows(data) -> int:
    """How many action rows the page shows: what it showed, one more when
    "Add another action" was pressed."""
    try:
        rows = int((data or {}).get("rows", 1))
    except (TypeError, ValueError):
        rows = 1
    if data and "add_another" in data:
        rows += 1
    return max(1, min(rows, MOST_ACTIONS))


class SupervisionForm(DecisionForm):
    submit_label = "Record the supervision"
    held_on = GOVUKDateField(label="Date of the supervision")
    reflection = forms.CharField(
        label="Reflection",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was discussed and reflected on: the child's progress, the risks, "
        "what the worker brought. It is shared with the social worker.",
        error_messages={"required": "Enter the reflection"},
    )
    decisions = forms.CharField(
        label="Decisions",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the decisions"},
    )

    def __init__(self, *args, **kwargs):
        data = args[0] if args else kwargs.get("data")
        self.rows = action_rows(data)
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # The page shows (and sends back next time) the rows it now has.
            self.data = self.data.copy()
            self.data["rows"] = str(self.rows)
        self.asks_reunification = bool(self.case and asks_about_reunification(self.case))
        reunification = []
        if self.asks_reunification:
            reunification = [
                Fieldset(
                    Field.radios("reunification_considered", legend_size=Size.SMALL),
                    Field("reunification_note"),
                    legend="Reunification",
                    legend_size=Size.MEDIUM,
                )
            ]
        actions = [
            Fieldset(
                Field(f"action_{n}"),
                Field(f"owner_{n}"),
                Field(f"due_{n}"),
                legend=f"Action {n}",
                legend_size=Size.SMALL,
            )
            for n in range(1, self.rows + 1)
        ]
        self.helper.layout = Layout(
            Field("held_on"),
            Field("reflection"),
            Field("decisions"),
            *reunification,
            HTML(
                '<h2 class="govuk-heading-m">Actions</h2><p class="govuk-body">Each action '
                "has an owner and a date; it becomes their task until it is marked done. "
                "Leave a row blank if there is nothing more.</p>"
            ),
            *actions,
            Field("rows"),
            HTML(
                '<div class="govuk-button-group">'
                + (
                    '<button type="submit" name="add_another" value="1" class="govuk-button '
                    'govuk-button--secondary" data-module="govuk-button">Add another action'
                    "</button>"
                    if self.rows < MOST_ACTIONS
                    else ""
                )
                + '<button type="submit" name="submit" value="1" class="govuk-button" '
                f'data-module="govuk-button">{self.submit_label}</button></div>'
            ),
        )
        if data and "add_another" in data:
            # Asking for another row is not sending the form: no errors yet.
            self._errors = forms.utils.ErrorDict()
            self.cleaned_data = {}

    def add_fields(self) -> None:
        case = self.case
        if case is not None and asks_about_reunification(case):
            self.fields["reunification_considered"] = forms.ChoiceField(
                label="The child is in care: was reunification considered?",
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": "Select whether reunification was considered"},
            )
            self.fields["reunification_note"] = forms.CharField(
                label="What was decided about reunification (or why it was not considered)",
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": "Say what was decided about reunification"},
            )
        self.fields["rows"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=self.rows, required=False
        )
        people = User.objects.none()
        if case is not None:
            people = User.objects.filter(
                Q(team_id=case.team_id) | Q(pk__in=[pk for pk in (case.iro_id,) if pk]),
                is_active=True,
            ).order_by("first_name", "last_name", "pk")
        for n in range(1, self.rows + 1):
            self.fields[f"action_{n}"] = forms.CharField(
                label="What is to be done", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"owner_{n}"] = forms.ModelChoiceField(
                people, label="Who will do it", required=False
            )
            self.fields[f"due_{n}"] = GOVUKDateField(
                label="Due by", required=False, allow_future=True
            )

    def is_valid(self):
        if self.data and "add_another" in self.data:
            return False
        return super().is_valid()

    def clean(self):
        data = super().clean()
        for n in range(1, self.rows + 1):
            text = (data.get(f"action_{n}") or "").strip()
            owner, due = data.get(f"owner_{n}"), data.get(f"due_{n}")
            if not text:
                if owner or due:
                    self.add_error(f"action_{n}", f"Say what action {n} is")
                continue
            if not owner:
                self.add_error(f"owner_{n}", f"Select who will do action {n}")
            if not due and f"due_{n}" not in self.errors:
                self.add_error(f"due_{n}", f"Enter when action {n} is due")
            elif due and data.get("held_on") and due < data["held_on"]:
                self.add_error(f"due_{n}", f"Action {n} cannot be due before the supervision")
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        considered = data.get("reunification_considered")
        return {
            "held_on": data["held_on"],
            "reflection": data["reflection"],
            "decisions": data["decisions"],
            "reunification_considered": {"yes": True, "no": False}.get(considered),
            "reunification_note": data.get("reunification_note", ""),
            "actions": [
                {
                    "text": data[f"action_{n}"].strip(),
                    "owner": data[f"owner_{n}"],
                    "due_on": data[f"due_{n}"],
                }
                for n in range(1, self.rows + 1)
                if (data.get(f"action_{n}") or "").strip()
            ],
        }


class ActionDoneForm(DecisionForm):
    submit_label = "Mark as done"
    done_on = GOVUKDateField(label="Date done")
