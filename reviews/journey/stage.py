"""Moving a case between stages: the one write that changes `stage`. Each move is
a StageMove row (who, in which role, when, why) and a chronology entry; the
caller has locked the case and checked the guard."""

from cases.models import ChronologyKind, ReunificationCase, Stage, User
from cases.services import add_chronology_entry
from reunification.clock import now, today
from reviews.models import StageMove


def move_stage(
    case: ReunificationCase,
    *,
    to: str,
    by: User,
    role: str,
    reason: str,
    also_saving: tuple[str, ...] = (),
    acknowledged: dict | None = None,
) -> None:
    """`acknowledged`: the unresolved parental issues the move was made with, and
    what will be done (reviews.evidence.acknowledgement), kept on the StageMove."""
    StageMove.objects.create(
        **(acknowledged or {}),
        case=case,
        from_stage=case.stage,
        to_stage=to,
        moved_by=by,
        role=role,
        moved_at=now(),
        reason=reason,
    )
    moved_from = Stage(case.stage).label
    case.stage = to
    case.stage_entered_on = today()
    case._history_user = by
    case.save(update_fields=["stage", "stage_entered_on", *also_saving])
    add_chronology_entry(
        case=case,
        by=by,
        occurred_on=today(),
        kind=ChronologyKind.DECISION,
        description=f"Moved from {moved_from} to {Stage(to).label} by {by}. {reason}".strip(),
        automatic=True,
    )
