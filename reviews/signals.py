"""Keep Deadline rows in line with the records they come from.

Deadlines are derived data, so unlike a decision they are not written by the
services: whichever app saves a placement, a risk assessment or a review, the
case's deadlines are refreshed once, after the transaction commits.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cases.models import LegalStatus, Placement, ReunificationCase, Stage
from reviews.models import Recommendation, ReturnHome, Review, Visit
from risk.models import RiskAssessment


def schedule_refresh(case_id: int) -> None:
    connection = transaction.get_connection()
    for entry in connection.run_on_commit:
        if getattr(entry[1], "deadline_case_id", None) == case_id:
            return  # already queued in this transaction

    def run():
        from reviews.deadlines.refresh import refresh

        if ReunificationCase.objects.filter(pk=case_id).exists():
            refresh(ReunificationCase(pk=case_id))

    run.deadline_case_id = case_id
    # robust: the user's record is saved by now; a failed refresh is logged, and
    # the next change (or `refresh_deadlines`) puts the rows right.
    transaction.on_commit(run, robust=True)


def _cases_of(instance) -> list[int]:
    if isinstance(instance, ReunificationCase):
        return [instance.pk]
    if isinstance(instance, LegalStatus | Placement):
        return list(
            ReunificationCase.objects.filter(child_id=instance.child_id)
            .exclude(stage=Stage.CLOSED)
            .values_list("pk", flat=True)
        )
    if isinstance(instance, Recommendation):
        return [instance.review.case_id]
    return [instance.case_id]


def on_change(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    for case_id in _cases_of(instance):
        schedule_refresh(case_id)


WATCHED = [
    ReunificationCase,
    LegalStatus,
    Placement,
    RiskAssessment,
    Review,
    Recommendation,
    Visit,
    ReturnHome,
]


def connect() -> None:
    for model in WATCHED:
        post_save.connect(on_change, sender=model, dispatch_uid=f"deadlines-{model.__name__}")
        post_delete.connect(on_change, sender=model, dispatch_uid=f"deadlines-del-{model.__name__}")
