"""Forms for the case record, rendered with the GOV.UK Design System.

Every date is a GOV.UK date input (day, month, year). Errors name the field in
plain words and appear in the error summary at the top of the page.
"""

import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Size
from django import forms
from django.core.exceptions import ValidationError

from reunification.clock import today

from .models import (
    ALLOCATED_ROLES,
    CareEpisode,
    Child,
    ChronologyEntry,
    ChronologyKind,
    FamilyMember,
    LegalStatus,
    LegalStatusCode,
    MissingEpisode,
    ParentalIssue,
    Placement,
    PlacementType,
    PoliceCheck,
    PreviousReturn,
    ReunificationCase,
    Role,
    Sibling,
    SocialWorkerChangeReason,
    User,
)
from .models.versioned import VERSION_FIELD, StaleRecord, Versioned


class GOVUKDateField(DateInputField):
    """A date input whose messages name the date being asked for."""

    def __init__(self, *, label: str, allow_future: bool = False, **kwargs):
        super().__init__(label=label, **kwargs)
        self.allow_future = allow_future
        what = "the " + label[0].lower() + label[1:]
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = f"Enter {what} as a day, month and year"
        self.error_messages["invalid"] = f"{label} must be a real date"

    def clean(self, value):
        if isinstance(value, list | tuple):
            # A box holding only spaces is empty: otherwise a required date typed
            # as "0 0 space" came out blank without an error, and a server error.
            value = [part.strip() if isinstance(part, str) else part for part in value]
            filled = [part for part in value if part not in self.empty_values]
            if filled and len(filled) < len(value):
                # A date half typed is a mistake to show, not a blank to accept.
                raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            day = super().clean(value)
        except (ValueError, TypeError, OverflowError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if day is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if day and not self.allow_future and day > today():
            raise ValidationError(f"{self.label} must be today or in the past", code="future")
        return day

    def compress(self, data_list):
        if not data_list or not all(data_list):
            return None
        day, month, year = (int(part) for part in data_list)
        if year < 1900:
            raise ValidationError(f"{self.label} must be after 1900", code="invalid")
        try:
            return datetime.date(year, month, day)
        except (ValueError, OverflowError):  # OverflowError: a number too big for C
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


STALE_RECORD_MESSAGE = (
    "Someone else changed this record while you were editing it. "
    "Check their changes below, then save again."
)
DELETED_RECORD_MESSAGE = (
    "Someone else deleted this record while you were editing it, so your changes were not saved."
)


class GOVUKModelForm(forms.ModelForm):
    """A model form laid out by crispy-forms-gds with GOV.UK date inputs.

    Subclasses may list `future_dates` for dates that may lie ahead (due dates).

    The form only turns what was typed into values (cleaned_data) and shows
    errors; a service saves them (never form.save()). Editing a Versioned record,
    the form carries the version it showed in a hidden field, for the service to
    claim (see cases.models.versioned): if someone else saved in between, the
    service raises StaleRecord and the page calls show_conflict() to offer the
    form again. A blank version is the service's to refuse.

    With `rules_in_service`, the model's constraints are left to the service too:
    they back rules the service words and places on their fields itself, which
    the form would otherwise show first, unplaced, at the top.
    """

    future_dates: tuple[str, ...] = ()
    submit_label: str | None = "Save"
    rules_in_service = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_now = None
        self.versioned = isinstance(self.instance, Versioned) and self.instance.pk is not None
        if self.versioned:
            self.fields[VERSION_FIELD] = version_field(self.instance.version)
        for name, field in list(self.fields.items()):
            if isinstance(field, forms.DateField):
                replacement = GOVUKDateField(
                    label=field.label,
                    required=field.required,
                    help_text=field.help_text or "For example, 27 3 2024",
                    allow_future=name in self.future_dates,
                )
                replacement.initial = field.initial
                self.fields[name] = replacement
            elif isinstance(field, forms.IntegerField) and not isinstance(
                field.widget, forms.HiddenInput
            ):
                # GOV.UK asks numbers as text with a numeric keypad: a number
                # input is unstyled here, and its browser limits (min="0" from
                # the column) would contradict the rule the form and service give.
                field.widget = forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "spellcheck": "false",
                        "class": "govuk-input--width-3",
                    }
                )
            elif isinstance(field, forms.TypedChoiceField):
                # Short lists read better as radios (GOV.UK guidance); radios need
                # no blank "choose one" entry.
                choices = [c for c in field.choices if c[0] != ""]
                if len(choices) <= 7:
                    field.choices = choices
                    field.widget = forms.RadioSelect(choices=choices)
        self.helper = FormHelper(self)
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        # Keep the version in the form when a subclass lays out its own fields.
        self.helper.render_hidden_fields = self.versioned
        if self.submit_label:
            self.helper.layout.append(Button.primary("submit", self.submit_label))

    def clean(self):
        data = super().clean()
        if self.versioned:
            version_error_to_summary(self)
        return data

    def _post_clean(self):
        if not self.rules_in_service:
            return super()._post_clean()
        # The model's own field checks and uniqueness stay here (in the form's
        # words); its constraints are checked, and placed, by the service.
        self.instance.validate_constraints = _no_constraints
        try:
            return super()._post_clean()
        finally:
            del self.instance.validate_constraints

    def values(self) -> dict:
        """What was typed, as the values of the model's fields, for a service."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}

    @property
    def shown_version(self) -> int | None:
        """The version of the record the page showed (None if the page sent none)."""
        return self.cleaned_data.get(VERSION_FIELD) if self.versioned else None

    def show_refusal(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the form (see apply_errors)."""
        apply_errors(self, error)

    def show_conflict(self, conflict: StaleRecord) -> None:
        """Offer the form again, as typed, over what is saved now: the error, the
        saved values to compare, and the saved version so that saving again
        replaces it."""
        current = conflict.current
        if current is None:
            self.add_error(None, DELETED_RECORD_MESSAGE)
            return
        self.add_error(None, STALE_RECORD_MESSAGE)
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = str(current.version)
        self.data = data
        shown = [self[name] for name in self.fields if name != VERSION_FIELD]
        self.saved_now = SavedNow(current, shown)


def _no_constraints(exclude=None) -> None:
    """Stands in for Model.validate_constraints while a form cleans (see
    GOVUKModelForm.rules_in_service)."""


def version_field(initial: int | None) -> forms.IntegerField:
    """The hidden field carrying the version of the record a page showed."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        initial=initial,
        # Blank is not a field error anyone could put right: the service
        # refuses it as a stale edit and the page offers the record again.
        required=False,
        min_value=1,
        max_value=2**31 - 1,
    )


def version_error_to_summary(form) -> None:
    """A bad version is not a field anyone sees (a page altered by hand, or
    broken): say so at the top of the page, in the error summary."""
    if VERSION_FIELD in form._errors:
        del form._errors[VERSION_FIELD]
        form.add_error(None, "This page could not be saved. Open the record again to change it")


def apply_errors(form, error: ValidationError, *, also=()) -> None:
    """Put a service's ValidationError on the page: a message keyed by a field of
    `form` (or of one of the forms in `also`, on a page of several) on that field,
    the rest at the top of `form`, in the error summary."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        owner = next((f for f in (form, *also) if name in f.fields), None)
        if owner is None:
            form.add_error(None, errors)
        else:
            owner.add_error(name, errors)


class SavedNow:
    """What a record holds now, to show beside a form whose save was refused."""

    def __init__(self, record, fields):
        self.record = record
        self.rows = [(field.label, _shown(record, field.name)) for field in fields]
        change = record.history.first() if hasattr(record, "history") else None
        self.changed_by = change.history_user if change else None
        self.changed_at = change.history_date if change else None


def _shown(record, name: str) -> str:
    field = record._meta.get_field(name)
    value = getattr(record, name)
    if value is None or value == "":
        return "Not recorded"
    if field.choices:
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    return str(value)


class ChildForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "local_identifier",
            "nhs_number",
            "upn",
            "home_postcode",
            "is_mother",
            "mothers_child_born_on",
            "behavioural_or_emotional_difficulties",
        ]
        error_messages = {
            "first_name": {"required": "Enter the child's first name"},
            "last_name": {"required": "Enter the child's last name"},
            "sex": {"required": "Select the child's sex"},
            "ethnicity": {"required": "Select the child's ethnicity"},
            "local_identifier": {
                "required": "Enter the child's local identifier",
                "unique": "Another child already has this local identifier",
            },
        }


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the inward code: "sw1a1aa" is "SW1A 1AA"."""
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact


ChildForm.clean_home_postcode = lambda self: normalise_postcode(self.cleaned_data["home_postcode"])
ChildForm.clean_upn = lambda self: self.cleaned_data["upn"].strip().upper()


class NewChildForm(ChildForm):
    """The child's part of the new-case page, which has one button for both parts."""

    submit_label = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False


class CaseDetailsForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = ReunificationCase
        fields = [
            "became_looked_after_on",
            "reunification_first_considered_on",
            "category_of_need",
            "abuse_category",
            "reason_for_care_notes",
            "family_isolated",
            "risk_step_months",
        ]
        error_messages = {
            "category_of_need": {"required": "Select the reason the child entered care"},
            "risk_step_months": {
                "required": "Enter the number of months a risk level must be held",
                "invalid": "Enter the number of months as a whole number, like 6",
                "min_value": "The period must be at least 1 month",
                "max_value": "The period must be 24 months or fewer",
            },
        }


def users_with_role(role: str, **filters):
    return User.objects.filter(is_active=True, role_grants__role=role, **filters).distinct()


class NewCaseForm(CaseDetailsForm):
    """The case's part of the new-case page: its details and first allocations."""

    submit_label = "Open case"

    social_worker = forms.ModelChoiceField(
        User.objects.none(),
        label="Social worker",
        error_messages={"required": "Select the social worker for this case"},
    )
    iro = forms.ModelChoiceField(
        User.objects.none(),
        label="Independent Reviewing Officer (IRO)",
        required=False,
        help_text="Leave blank if no IRO is allocated yet.",
    )

    # A child already in care: her legal status and placement now, recorded from
    # the date she became looked after (added on the case page if they started
    # later), so they are not added again on two more pages.
    legal_status_code = forms.ChoiceField(
        label="Legal status now",
        choices=[("", "Select the legal status"), *LegalStatusCode.choices],
        required=False,
        help_text="Recorded from the date the child became looked after. Leave blank to "
        "add it on the case page.",
    )
    placement_type = forms.ChoiceField(
        label="Placement now",
        choices=[("", "Select the placement type"), *PlacementType.choices],
        required=False,
        help_text="Recorded from the date the child became looked after.",
    )
    carer = forms.CharField(label="Carer or provider", max_length=200, required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.fields["social_worker"].queryset = users_with_role(Role.SOCIAL_WORKER, team=team)
        self.fields["iro"].queryset = users_with_role(Role.IRO)

    def clean(self):
        data = super().clean()
        if data.get("placement_type") and not data.get("carer", "").strip():
            self.add_error("carer", "Enter the carer or provider of the placement")
        return data

    def in_care_now(self) -> dict:
        """The legal status and placement given, for services.open_case."""
        data = self.cleaned_data
        return {
            "legal_status": {"code": data["legal_status_code"]}
            if data.get("legal_status_code")
            else None,
            "placement": {"placement_type": data["placement_type"], "carer": data["carer"].strip()}
            if data.get("placement_type")
            else None,
        }


class AllocationForm(forms.Form):
    role = forms.ChoiceField(
        choices=[(r.value, r.label) for r in ALLOCATED_ROLES],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role to allocate"},
    )
    user = forms.ModelChoiceField(
        User.objects.none(),
        label="Person",
        error_messages={"required": "Select who to allocate"},
    )
    # Today or earlier: the case changes hands when the allocation is recorded.
    start_date = GOVUKDateField(label="Start date")
    change_reason = forms.ChoiceField(
        label="Why the social worker changed (SSDA903)",
        choices=[("", "Select the reason"), *SocialWorkerChangeReason.choices],
        required=False,
        help_text="When a social worker takes over from another.",
    )

    def __init__(self, *args, case: ReunificationCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, role_grants__role__in=[r.value for r in ALLOCATED_ROLES]
        ).distinct()
        self.fields["start_date"].initial = today()
        self.helper = FormHelper(self)
        self.helper.legend_size = Size.SMALL
        self.helper.label_size = Size.SMALL
        self.helper.layout.append(Button.primary("submit", "Allocate"))

    def clean(self):
        from .services import check_allocatable

        data = super().clean()
        if data.get("role") and data.get("user"):
            try:
                check_allocatable(self.case, data["role"], data["user"])
            except ValidationError as error:
                self.add_error("user", error)
        return data


class SiblingForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = Sibling
        fields = ["name", "date_of_birth", "living_arrangement", "notes"]
        error_messages = {
            "name": {"required": "Enter the sibling's name"},
            "living_arrangement": {"required": "Select where the sibling lives"},
        }


class LegalStatusForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = LegalStatus
        fields = ["code", "start_date", "end_date", "reason_ceased"]
        error_messages = {"code": {"required": "Select the legal status"}}

    def clean(self):
        data = super().clean()
        if data.get("reason_ceased") and not data.get("end_date"):
            self.add_error("end_date", "Enter the date the child stopped being looked after")
        return data


class PlacementForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = Placement
        fields = [
            "placement_type",
            "carer",
            "start_date",
            "end_date",
            "provider",
            "postcode",
            "urn",
            "reason_changed",
        ]
        error_messages = {
            "placement_type": {"required": "Select the placement type"},
            "carer": {"required": "Enter the carer or provider"},
        }


PlacementForm.clean_postcode = lambda self: normalise_postcode(self.cleaned_data["postcode"])
PlacementForm.clean_urn = lambda self: self.cleaned_data["urn"].strip().upper()


class CareEpisodeForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = CareEpisode
        fields = ["start_date", "end_date", "reason_ceased", "notes"]
        error_messages = {"reason_ceased": {"required": "Select why the episode ceased"}}


class PreviousReturnForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = PreviousReturn
        fields = ["returned_home_on", "came_back_into_care_on", "reason_for_breakdown"]


class MissingEpisodeForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = MissingEpisode
        fields = ["kind", "start_date", "end_date", "to_family_home", "notes"]


class ParentalIssueForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = ParentalIssue
        fields = ["kind", "parent", "description", "treatment"]
        error_messages = {
            "kind": {"required": "Select the parental issue"},
            "treatment": {"required": "Select whether treatment was offered and taken up"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = self.instance.case.family_members.all()
        self.fields["parent"].label = "Person"


OLDEST_AGE = 120
AGE_OUT_OF_RANGE = f"Enter an age between 0 and {OLDEST_AGE}"


class FamilyMemberForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = FamilyMember
        fields = [
            "name",
            "relationship",
            "date_of_birth",
            "age_when_recorded",
            "has_parental_responsibility",
            "lives_in_household",
            "regular_visitor",
            "extended_family",
        ]
        error_messages = {
            "name": {"required": "Enter the person's name"},
            "relationship": {"required": "Enter the person's relationship to the child"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Most people recorded here live in the household; and one who does is
            # police checked, so the safer answer is the one already given.
            self.initial["lives_in_household"] = kwargs.get("initial", {}).get(
                "lives_in_household", True
            )
        self.fields["date_of_birth"].help_text = "If you know it. For example, 27 3 1985"
        self.fields["age_when_recorded"].label = "Age, if the date of birth is not known"
        age = self.fields["age_when_recorded"]
        age.error_messages["invalid"] = "Enter the age as a number"
        # Too old is the service's to refuse (cases.records.has_an_age), in the
        # same words as a negative age here.
        age.error_messages["min_value"] = AGE_OUT_OF_RANGE


class PoliceCheckForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = PoliceCheck
        fields = ["member", "requested_on", "returned_on", "outcome", "notes"]
        error_messages = {"member": {"required": "Select who the check is for"}}

    def __init__(self, *args, case: ReunificationCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = case.family_members.all()
        self.fields["member"].label = "Person checked"
        self.fields["outcome"].widget = forms.RadioSelect(choices=self.fields["outcome"].choices)


class ChronologyEntryForm(GOVUKModelForm):
    rules_in_service = True

    class Meta:
        model = ChronologyEntry
        fields = ["occurred_on", "kind", "description", "source"]
        error_messages = {
            "kind": {"required": "Select the type of event"},
            "description": {"required": "Describe what happened"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        manual = [
            ChronologyKind.SIGNIFICANT_EVENT,
            ChronologyKind.RELAPSE,
            ChronologyKind.SUSTAINED_CHANGE,
        ]
        self.fields["kind"].widget = forms.RadioSelect()
        self.fields["kind"].choices = [(k.value, k.label) for k in manual]
