"""Optimistic locking for the records people edit in the browser.

Each such record carries a version number. The edit page sends the version it
showed; saving claims the next version only if the row still holds the one
shown, with a conditional UPDATE inside the saving transaction. If someone else
saved in between, nothing is written and StaleRecord says what is saved now.
"""

from django.db import models, transaction

VERSION_FIELD = "version"


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class StaleRecord(Exception):
    """The record changed after the person opened it; `current` is what is saved
    now, or None if it was deleted."""

    def __init__(self, current):
        super().__init__(f"{current!r} changed since it was opened")
        self.current = current


def claim_version(instance: Versioned, expected: int) -> None:
    """Move the saved row of `instance` from version `expected` to the next, and
    give `instance` that version for its own save. Call it inside the transaction
    that saves the record: the UPDATE holds the row until the transaction ends, so
    a second claim on the same version waits and then finds nothing to update."""
    model = type(instance)
    if not transaction.get_connection(instance._state.db or "default").in_atomic_block:
        raise RuntimeError("claim_version must run inside the transaction that saves the record")
    claimed = model._default_manager.filter(pk=instance.pk, version=expected).update(
        version=expected + 1
    )
    if not claimed:
        raise StaleRecord(model._default_manager.filter(pk=instance.pk).first())
    instance.version = expected + 1
