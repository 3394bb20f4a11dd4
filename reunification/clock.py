"""The one place the application reads the time.

Deadlines and six-month rules depend on "today"; reading it here, and only here,
lets tests move the clock by patching `now`.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    return timezone.localdate(now())
