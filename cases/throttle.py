"""How often someone may ask for a password-reset email, and the address both that
limit and the sign-in limits (cases.sign_in) count by.

Requests are rows in the database (PasswordResetRequest), not cache entries, so
every gunicorn worker sees the same count, as django-axes does for sign-ins, and a
test's rollback takes its requests with it.
"""

import datetime
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min
from django.utils.crypto import salted_hmac

from cases.models import PasswordResetRequest
from reunification.clock import now


def client_address(request) -> str | None:
    """The address of whoever sent the request.

    Without proxies of ours in front (TRUSTED_PROXY_COUNT 0) it is the connecting
    address. Behind N of them, each appending the address it saw to
    X-Forwarded-For, it is the Nth entry from the right: the one the outermost
    proxy wrote. Entries to its left were written by the client and could say
    anything, so they are never read. A request that did not come through all N
    (too few entries, or not an address) is counted by its connecting address.
    """
    connecting = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return connecting
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return connecting
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return connecting


@dataclass(frozen=True)
class Refused:
    """Why no email was sent, and when one could be asked for again."""

    retry_at: datetime.datetime

    @property
    def minutes(self) -> int:
        return max(1, math.ceil((self.retry_at - now()).total_seconds() / 60))


def _email_digest(email: str) -> str:
    # Keyed, so the table cannot be checked against a list of addresses.
    return salted_hmac("cases.throttle.password-reset", email.strip().lower()).hexdigest()


def ask_for_password_reset(*, address: str | None, email: str) -> Refused | None:
    """Count one request for a reset email to `email` from `address`: None if it
    may be sent, Refused if that address, or that email address, already had its
    limit in the window. A refused request is not counted.

    The request is written (and, outside a transaction, committed) before counting,
    so two arriving together see each other: at the limit both may be refused,
    never both let through.
    Whether an account has that email plays no part, so the answer reveals nothing.
    """
    window = datetime.timedelta(minutes=settings.PASSWORD_RESET_LIMIT_MINUTES)
    moment = now()
    PasswordResetRequest.objects.filter(requested_at__lte=moment - window).delete()
    digest = _email_digest(email)
    request = PasswordResetRequest.objects.create(
        address=address, email_digest=digest, requested_at=moment
    )
    recent = PasswordResetRequest.objects.filter(requested_at__gt=moment - window)
    limits = [(recent.filter(email_digest=digest), settings.PASSWORD_RESET_LIMIT_PER_EMAIL)]
    if address is not None:
        limits.append((recent.filter(address=address), settings.PASSWORD_RESET_LIMIT_PER_ADDRESS))
    over = [requests for requests, limit in limits if requests.count() > limit]
    if not over:
        return None
    request.delete()
    # Free again when, for each limit reached, its oldest request leaves the window.
    oldest = max(requests.aggregate(oldest=Min("requested_at"))["oldest"] for requests in over)
    return Refused(retry_at=oldest + window)
