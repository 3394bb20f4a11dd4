"""The assessment-stage records (the child's and parents' views, the single
assessment), added and changed through the generic record pages of cases.
RiskConfig.ready() registers them; each returns to the risk page."""

from django.core.exceptions import ValidationError

from cases.records import RECORD_TYPES, RecordType

from . import forms
from .models import AdvocateOffer, ChildViews, ParentViews, SingleAssessment

# The rules each record's values must keep, run by cases.services.save_record
# through RecordType.validate: validate(case, values, record) raises a
# ValidationError keyed by the field it is about.


def child_views_or_why_not(case, values: dict, record=None) -> None:
    """The child's views are recorded, or why they could not be."""
    if not (values.get("views") or "").strip() and not (
        (values.get("not_recorded_reason") or "").strip()
    ):
        raise ValidationError(
            {"views": "Record the child's views, or why they could not be recorded"}
        )


def advocate_offer_recorded(values: dict) -> None:
    """An advocate offered (to the child or a parent) says when; one accepted
    says who. One not offered keeps no date or name."""
    offer = values.get("advocate")
    if offer in (AdvocateOffer.OFFERED_ACCEPTED, AdvocateOffer.OFFERED_DECLINED):
        errors = {}
        if not values.get("advocate_offered_on"):
            errors["advocate_offered_on"] = "Enter the date the advocate was offered"
        if offer == AdvocateOffer.OFFERED_ACCEPTED and not (
            (values.get("advocate_name") or "").strip()
        ):
            errors["advocate_name"] = "Enter who the advocate is"
        if errors:
            raise ValidationError(errors)
    elif offer == AdvocateOffer.NOT_OFFERED and (
        values.get("advocate_offered_on") or (values.get("advocate_name") or "").strip()
    ):
        raise ValidationError(
            {"advocate": "An advocate not offered has no date or name: select how it was offered"}
        )


def child_views_and_advocate(case, values: dict, record=None) -> None:
    child_views_or_why_not(case, values, record)
    advocate_offer_recorded(values)


def parent_views_and_advocate(case, values: dict, record=None) -> None:
    one_views_record_per_parent(case, values, record)
    advocate_offer_recorded(values)


def one_views_record_per_parent(case, values: dict, record=None) -> None:
    """Each parent's views are recorded once per case, and changed after that."""
    parent = values.get("parent")
    others = ParentViews.objects.filter(case=case, parent=parent)
    if getattr(record, "pk", None):
        others = others.exclude(pk=record.pk)
    if parent is not None and others.exists():
        raise ValidationError(
            {"parent": "This parent's views are already recorded; change them instead"}
        )


def parents_still_to_hear(case) -> list[dict]:
    """A row for each person with parental responsibility whose views are not
    yet recorded."""
    heard = ParentViews.objects.filter(case=case).values_list("parent_id", flat=True)
    parents = case.family_members.filter(has_parental_responsibility=True).exclude(pk__in=heard)
    return [{"parent": pk} for pk in parents.order_by("pk").values_list("pk", flat=True)]


def _assessment(slug, model, form, name, anchor, validate=None, **extra) -> RecordType:
    if validate:
        extra["validate"] = validate
    return RecordType(slug, model, form, name, "case", anchor, return_to="risk:overview", **extra)


ASSESSMENT_RECORD_TYPES = [
    _assessment(
        "child-views",
        ChildViews,
        forms.ChildViewsForm,
        "record of the child's views",
        "views",
        child_views_and_advocate,
    ),
    _assessment(
        "parent-views",
        ParentViews,
        forms.ParentViewsForm,
        "record of a parent's views",
        "views",
        parent_views_and_advocate,
        rows_for=parents_still_to_hear,
    ),
    _assessment(
        "single-assessment",
        SingleAssessment,
        forms.SingleAssessmentForm,
        "single assessment",
        "single-assessment",
    ),
]


def register() -> None:
    for record_type in ASSESSMENT_RECORD_TYPES:
        RECORD_TYPES[record_type.slug] = record_type
