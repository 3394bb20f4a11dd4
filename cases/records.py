"""The kinds of record a case holds, for the generic add and edit pages, and the
rules their values must keep.

Each entry says which model and form to use, whether the record belongs to the
child (care history carried between cases) or to this case, and what to call it.
Other apps register their own record types here from their AppConfig.ready(),
naming the page to return to with `return_to`; cases never imports them.

Saving goes through `cases.services.save_record` with plain values, never the
form. Its rules live in the record type's `validate` hook:

    validate(case, values, record) -> None

- `case`: the (locked) case the record is saved through;
- `values`: every editable field of the record (`RecordType.fields`) as it will
  be saved: for an edit, what is saved now overlaid with the values given;
- `record`: the record as saved now when editing, None when adding.

It raises ValidationError({field: message}) naming the field a message is about
(the page shows it on that field, in the words given), or a plain ValidationError
for the top of the page. The default, `no_rules`, accepts anything; the model's
own field checks (`full_clean`) still run after it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse

from reunification.clock import today

from . import forms, rules
from .dates import add_months, age_on
from .models import (
    CareEpisode,
    ChronologyEntry,
    FamilyMember,
    LegalStatus,
    MissingEpisode,
    ParentalIssue,
    Placement,
    PoliceCheck,
    PreviousReturn,
    ReunificationCase,
    Sibling,
    Stage,
)

Validator = Callable[[ReunificationCase, dict, object | None], None]


def no_rules(case: ReunificationCase, values: dict, record=None) -> None:
    """Any values the form and the model accept will do."""


@dataclass(frozen=True)
class RecordType:
    slug: str
    model: type
    form: type
    name: str
    owner: str  # "child", "case" or "member" (through a household member of the case)
    anchor: str  # the section of the overview to return to
    return_to: str = "cases:overview"  # the URL name, taking the case's pk, of that page
    validate: Validator = no_rules  # the rules of the values; see the module docstring
    # Fields an add page may take from its address (a link from the overview
    # saying whose check to record); never an edit page, never free text.
    prefill: tuple[str, ...] = ()
    # The rows its add-several page starts with when the address gives none (a
    # row for each parent): rows_for(case) -> [{field: value}]. A row left as it
    # was offered is not saved.
    rows_for: Callable[[ReunificationCase], list[dict]] | None = None

    @property
    def fields(self) -> list[str]:
        """The fields a person may set, as the form lists them."""
        return list(self.form._meta.fields)

    def return_url(self, case: ReunificationCase) -> str:
        return reverse(self.return_to, args=[case.pk]) + f"#{self.anchor}"

    def queryset(self, case: ReunificationCase) -> QuerySet:
        if self.owner == "child":
            return self.model.objects.filter(child=case.child)
        if self.owner == "member":
            return self.model.objects.filter(member__case=case)
        queryset = self.model.objects.filter(case=case)
        if self.model is ChronologyEntry:
            # Automatic entries record decisions; they are not edited by hand.
            queryset = queryset.filter(automatic=False)
        return queryset

    def new_instance(self, case: ReunificationCase, user=None):
        """A record not yet saved, tied to the case or its child (for the form of
        the add page, and for save_record to fill in)."""
        if self.owner == "child":
            return self.model(child=case.child)
        if self.owner == "member":
            return self.model()
        return self.model(case=case)

    def form_kwargs(self, case: ReunificationCase) -> dict:
        return {"case": case} if self.owner == "member" else {}

    def changed_cases(self, case: ReunificationCase) -> list[int]:
        """The cases whose derived data a change of this record may move: every
        open case of the child for the child's own records, else this case."""
        if self.owner != "child":
            return [case.pk]
        open_cases = ReunificationCase.objects.filter(child_id=case.child_id).exclude(
            stage=Stage.CLOSED
        )
        return list(open_cases.values_list("pk", flat=True))


# The rules of the cases records ----------------------------------------------------


def not_already_in_the_household(case, values: dict, record=None) -> None:
    """A sibling living at home is one person: recorded in the household (as a
    brother or sister living there), shown among the siblings from there, and not
    recorded a second time as a sibling at home."""
    name = (values.get("name") or "").strip().lower()
    if values.get("living_arrangement") != "at_home" or not name:
        return
    members = FamilyMember.objects.filter(
        case__child_id=case.child_id, lives_in_household=True
    ).exclude(case__stage=Stage.CLOSED)
    for member in members:
        if member.name.strip().lower() == name and rules.is_sibling(member.relationship):
            raise ValidationError(
                {
                    "name": f"{member.name} is recorded in the household, and shown among "
                    "the siblings from there"
                }
            )


END_BEFORE_START = "The end date must be on or after the start date"


def no_overlap(model: type, what: str) -> Validator:
    """A period (from `start_date` to an optional `end_date`) of the child's that
    ends on or after it starts and overlaps no other of the same kind. Periods are
    half-open: one ending the day the next starts does not overlap it."""

    def validate(case, values, record=None) -> None:
        start, end = values.get("start_date"), values.get("end_date")
        if not start:
            return
        if end and end < start:
            raise ValidationError({"end_date": END_BEFORE_START})
        others = model.objects.filter(child_id=case.child_id)
        if record is not None:
            others = others.exclude(pk=record.pk)
        for other in others:
            if rules.periods_overlap(start, end, other.start_date, other.end_date):
                until = f"{other.end_date:%-d %B %Y}" if other.end_date else "now"
                raise ValidationError(
                    {
                        "start_date": f"This {what} overlaps the {what} from "
                        f"{other.start_date:%-d %B %Y} to {until}"
                    }
                )

    return validate


def came_back_after_returning(case, values, record=None) -> None:
    home, back = values.get("returned_home_on"), values.get("came_back_into_care_on")
    if home and back and back < home:
        raise ValidationError(
            {
                "came_back_into_care_on": "The date the child came back into care must be "
                "on or after the return home"
            }
        )


def _belongs_to_case(person, case) -> bool:
    return person is None or getattr(person, "case_id", None) == case.pk


def parent_in_household(case, values, record=None) -> None:
    if not _belongs_to_case(values.get("parent"), case):
        raise ValidationError({"parent": "Select a person from this case's household"})


def plausible_date_of_birth(born, field: str = "date_of_birth") -> None:
    """A date of birth is a day that has come, of someone no older than anyone
    lives to be (OLDEST_AGE): refused on `field` in the words of a GOV.UK date
    input's errors, whichever way in the value came."""
    if not born:
        return
    day = today()
    if born > day:
        raise ValidationError({field: "Date of birth must be today or in the past"})
    if age_on(born, day) > forms.OLDEST_AGE:
        earliest = add_months(day, -12 * (forms.OLDEST_AGE + 1)) + datetime.timedelta(days=1)
        raise ValidationError(
            {field: f"Date of birth must be the same as or after {earliest:%-d %B %Y}"}
        )


def has_an_age(case, values, record=None) -> None:
    """Someone's age is known from a date of birth or an age, and a person's age
    is a human one."""
    age = values.get("age_when_recorded")
    if not values.get("date_of_birth") and age is None:
        raise ValidationError({"date_of_birth": "Enter a date of birth or an age"})
    plausible_date_of_birth(values.get("date_of_birth"))
    if age is not None and not 0 <= age <= forms.OLDEST_AGE:
        raise ValidationError({"age_when_recorded": forms.AGE_OUT_OF_RANGE})


def police_check_dates(case, values, record=None) -> None:
    requested, returned = values.get("requested_on"), values.get("returned_on")
    outcome = values.get("outcome")
    if not _belongs_to_case(values.get("member"), case):
        raise ValidationError({"member": "Select who the check is for"})
    if requested and returned and returned < requested:
        raise ValidationError(
            {"returned_on": "The check cannot be returned before it was requested"}
        )
    if returned and not outcome:
        raise ValidationError({"outcome": "Select the outcome of the returned check"})
    if outcome and not returned:
        raise ValidationError({"returned_on": "Enter the date the check was returned"})


CONSIDERED_BEFORE_LOOKED_AFTER = (
    "Reunification cannot be considered before the child became looked after"
)


def case_details_rules(values: dict) -> None:
    """The case's own details (for opening a case and changing its details)."""
    looked_after = values.get("became_looked_after_on")
    considered = values.get("reunification_first_considered_on")
    if looked_after and considered and considered < looked_after:
        raise ValidationError({"reunification_first_considered_on": CONSIDERED_BEFORE_LOOKED_AFTER})


RECORD_TYPES = {
    record.slug: record
    for record in [
        RecordType(
            "sibling",
            Sibling,
            forms.SiblingForm,
            "sibling",
            "child",
            "siblings",
            validate=not_already_in_the_household,
        ),
        RecordType(
            "legal-status",
            LegalStatus,
            forms.LegalStatusForm,
            "legal status",
            "child",
            "legal",
            validate=no_overlap(LegalStatus, "legal status"),
        ),
        RecordType(
            "placement",
            Placement,
            forms.PlacementForm,
            "placement",
            "child",
            "legal",
            validate=no_overlap(Placement, "placement"),
        ),
        RecordType(
            "care-episode",
            CareEpisode,
            forms.CareEpisodeForm,
            "previous care episode",
            "child",
            "history",
            validate=no_overlap(CareEpisode, "care episode"),
        ),
        RecordType(
            "previous-return",
            PreviousReturn,
            forms.PreviousReturnForm,
            "previous return home",
            "child",
            "history",
            validate=came_back_after_returning,
        ),
        RecordType(
            "missing-episode",
            MissingEpisode,
            forms.MissingEpisodeForm,
            "missing episode",
            "child",
            "history",
            validate=no_overlap(MissingEpisode, "episode"),
        ),
        RecordType(
            "parental-issue",
            ParentalIssue,
            forms.ParentalIssueForm,
            "parental issue",
            "case",
            "reasons",
            validate=parent_in_household,
        ),
        RecordType(
            "household-member",
            FamilyMember,
            forms.FamilyMemberForm,
            "household or family member",
            "case",
            "household",
            validate=has_an_age,
        ),
        RecordType(
            "police-check",
            PoliceCheck,
            forms.PoliceCheckForm,
            "police check",
            "member",
            "household",
            validate=police_check_dates,
            prefill=("member",),  # limited by the form to this case's household
        ),
        RecordType(
            "chronology",
            ChronologyEntry,
            forms.ChronologyEntryForm,
            "chronology entry",
            "case",
            "chronology",
        ),
    ]
}
