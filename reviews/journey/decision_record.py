"""The journey page's decisions table: every decision and stage move on the
case in the order they happened, not grouped by kind."""

from django.utils import timezone

# Kinds on the same day in the order the journey makes them.
KIND_ORDER = ("approval", "consultation", "not_pursued", "meeting", "move")


def in_date_order(record: dict) -> list[dict]:
    """Rows of (kind, day, item) from selectors.journey_record, oldest first."""
    rows = [{"kind": "approval", "day": a.approved_on, "item": a} for a in record["approvals"]]
    rows += [{"kind": "consultation", "day": c.held_on, "item": c} for c in record["consultations"]]
    rows += [{"kind": "not_pursued", "day": n.decided_on, "item": n} for n in record["not_pursued"]]
    rows += [{"kind": "meeting", "day": m.held_on, "item": m} for m in record["meetings"]]
    rows += [
        {"kind": "move", "day": timezone.localdate(s.moved_at), "item": s} for s in record["moves"]
    ]
    return sorted(rows, key=lambda row: (row["day"], KIND_ORDER.index(row["kind"]), row["item"].pk))
