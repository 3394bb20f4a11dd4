"""The assessment-stage records (the child's and parents' views, the single
assessment), added and changed through the generic record pages of cases.
RiskConfig.ready() registers them; each returns to the risk page."""

from cases.records import RECORD_TYPES, RecordType

from . import forms
from .models import ChildViews, ParentViews, SingleAssessment

ASSESSMENT_RECORD_TYPES = [
    RecordType(
        "child-views",
        ChildViews,
        forms.ChildViewsForm,
        "record of the child's views",
        "case",
        "views",
        return_to="risk:overview",
    ),
    RecordType(
        "parent-views",
        ParentViews,
        forms.ParentViewsForm,
        "record of a parent's views",
        "case",
        "views",
        return_to="risk:overview",
    ),
    RecordType(
        "single-assessment",
        SingleAssessment,
        forms.SingleAssessmentForm,
        "single assessment",
        "case",
        "single-assessment",
        return_to="risk:overview",
    ),
]


def register() -> None:
    for record_type in ASSESSMENT_RECORD_TYPES:
        RECORD_TYPES[record_type.slug] = record_type
