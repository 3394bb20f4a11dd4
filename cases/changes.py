"""Telling the apps that derive data from a case's records that the records changed.

Deadlines are derived from a case's placements, legal statuses, assessments,
reviews and visits, which several apps write. The services that write them call
`case_changed` explicitly, after validating and saving; the apps that derive data
register a listener from their AppConfig.ready() (reviews registers the deadline
refresh), so `cases` never imports them. Each listener runs once per case after
the transaction commits. A listener that fails is logged with its case, and the
scheduled sweep (`reviews.tasks.sweep_deadlines`) puts the rows right.
"""

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

logger = logging.getLogger(__name__)

_listeners: list[Callable[[int], None]] = []


def on_case_changed(listener: Callable[[int], None]) -> None:
    """Register `listener(case_id)` to run after a case's records change."""
    if listener not in _listeners:
        _listeners.append(listener)


def case_changed(*case_ids: int | Iterable[int] | None) -> None:
    """The records of these cases changed: run the listeners once per case when the
    transaction commits (at once outside a transaction)."""
    ids: set[int] = set()
    for item in case_ids:
        if isinstance(item, int):
            ids.add(item)
        elif item is not None:
            ids.update(item)
    connection = transaction.get_connection()
    # Already queued in this transaction? (A rolled-back transaction forgets its
    # queue, so this never skips a case whose change was kept.)
    queued = {getattr(entry[1], "changed_case_id", None) for entry in connection.run_on_commit}
    for case_id in sorted(ids - queued):
        transaction.on_commit(_runner(case_id))


def _runner(case_id: int):
    def run():
        for listener in list(_listeners):
            try:
                listener(case_id)
            except Exception:
                logger.exception("Refreshing what derives from case %s failed", case_id)

    run.changed_case_id = case_id
    return run
