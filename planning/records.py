"""The planning records added and changed through the generic record pages of
cases (cases:add_record, cases:edit_record). PlanningConfig.ready() registers them
in cases.records.RECORD_TYPES; each returns to its section of the planning page."""

from django.core.exceptions import ValidationError

from cases.records import RecordType

from . import forms
from .models import (
    ContingencyPlan,
    DirectWorkSession,
    FamilyTimeStep,
    NoSpecialistService,
    PlacementPlan,
    SupportPlan,
    SupportService,
)

# The rules each record's values must keep, run by cases.services.save_record
# through RecordType.validate: validate(case, values, record) raises a
# ValidationError keyed by the field it is about.


def ends_after_start(case, values: dict, record=None) -> None:
    """A period (a family time step, a support service) ends on or after it starts."""
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError({"ends_on": "The end date must be on or after the start date"})


def family_group_conference(case, values: dict, record=None) -> None:
    """A Family Group Conference held has its date; one not held, why not."""
    held, held_on = values.get("fgc_held"), values.get("fgc_held_on")
    errors = {}
    if held and not held_on:
        errors["fgc_held_on"] = "Enter the date the Family Group Conference was held"
    if not held and not (values.get("fgc_not_held_reason") or "").strip():
        errors["fgc_not_held_reason"] = "Enter why a Family Group Conference was not held"
    if not held and held_on:
        errors["fgc_held_on"] = (
            "Leave the date blank, or tick that the Family Group Conference was held"
        )
    if errors:
        raise ValidationError(errors)


def one_placement_plan(case, values: dict, record=None) -> None:
    """A case has one placement plan, changed as it is revised (a change after the
    director's decision asks her again)."""
    if record is None and PlacementPlan.objects.filter(case=case).exists():
        raise ValidationError("This case has a placement plan already: change that one")


def issue_of_this_case(case, values: dict, record=None) -> None:
    """The reason is about one of this case's parental issues, once per issue."""
    issue = values.get("issue")
    if issue is None or issue.case_id != case.pk:
        raise ValidationError({"issue": "Select one of this case's parental issues"})
    others = NoSpecialistService.objects.filter(issue=issue)
    if record is not None and record.pk:
        others = others.exclude(pk=record.pk)
    if others.exists():
        raise ValidationError(
            {"issue": "A reason is already recorded for this issue: change that one"}
        )


def _planning(slug, model, form, name, anchor, validate=None, prefill=()) -> RecordType:
    extra = {"validate": validate} if validate else {}
    if prefill:
        extra["prefill"] = prefill
    return RecordType(
        slug, model, form, name, "case", anchor, return_to="planning:overview", **extra
    )


PLANNING_RECORD_TYPES = [
    _planning(
        "family-time-step",
        FamilyTimeStep,
        forms.FamilyTimeStepForm,
        "family time step",
        "family-time",
        ends_after_start,
    ),
    _planning(
        "contingency-plan",
        ContingencyPlan,
        forms.ContingencyPlanForm,
        "contingency and safety plan",
        "contingency",
    ),
    _planning(
        "support-service",
        SupportService,
        forms.SupportServiceForm,
        "support service",
        "services",
        ends_after_start,
        prefill=("kind",),  # the kind an unmet parental issue needs
    ),
    _planning(
        "support-plan",
        SupportPlan,
        forms.SupportPlanForm,
        "support plan",
        "support",
        family_group_conference,
    ),
    _planning(
        "placement-plan",
        PlacementPlan,
        forms.PlacementPlanForm,
        "placement plan",
        "pwp",
        one_placement_plan,
    ),
    _planning(
        "direct-work-session",
        DirectWorkSession,
        forms.DirectWorkSessionForm,
        "direct work session",
        "direct-work",
    ),
    _planning(
        "no-specialist-service",
        NoSpecialistService,
        forms.NoSpecialistServiceForm,
        "reason there is no specialist service",
        "services",
        issue_of_this_case,
        prefill=("issue",),  # from the planning page's "record why there is none"
    ),
]


def register() -> None:
    from cases.records import RECORD_TYPES

    for record_type in PLANNING_RECORD_TYPES:
        if RECORD_TYPES.get(record_type.slug, record_type) != record_type:
            raise RuntimeError(f"Record type {record_type.slug!r} is registered twice")
        RECORD_TYPES[record_type.slug] = record_type
