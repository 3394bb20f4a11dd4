"""The planning records added and changed through the generic record pages of
cases (cases:add_record, cases:edit_record). PlanningConfig.ready() registers them
in cases.records.RECORD_TYPES; each returns to its section of the planning page."""

from cases.records import RecordType

from . import forms
from .models import ContingencyPlan, DirectWorkSession, FamilyTimeStep, SupportPlan, SupportService


def _planning(slug, model, form, name, anchor) -> RecordType:
    return RecordType(slug, model, form, name, "case", anchor, return_to="planning:overview")


PLANNING_RECORD_TYPES = [
    _planning(
        "family-time-step",
        FamilyTimeStep,
        forms.FamilyTimeStepForm,
        "family time step",
        "family-time",
    ),
    _planning(
        "contingency-plan",
        ContingencyPlan,
        forms.ContingencyPlanForm,
        "contingency and safety plan",
        "contingency",
    ),
    _planning(
        "support-service", SupportService, forms.SupportServiceForm, "support service", "services"
    ),
    _planning("support-plan", SupportPlan, forms.SupportPlanForm, "support plan", "support"),
    _planning(
        "direct-work-session",
        DirectWorkSession,
        forms.DirectWorkSessionForm,
        "direct work session",
        "direct-work",
    ),
]


def register() -> None:
    from cases.records import RECORD_TYPES

    for record_type in PLANNING_RECORD_TYPES:
        if RECORD_TYPES.get(record_type.slug, record_type) != record_type:
            raise RuntimeError(f"Record type {record_type.slug!r} is registered twice")
        RECORD_TYPES[record_type.slug] = record_type
