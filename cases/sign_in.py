"""Sign-in throttling and the pages that say what happened.

django-axes records each failed sign-in (username, address) in the database and
refuses a pair with AXES_FAILURE_LIMIT failures in the cool-off minutes. That alone
lets one address try a few passwords on every username, so SignInHandler also
refuses every sign-in from an address with AXES_ADDRESS_FAILURE_LIMIT failures
across all usernames. axes has one limit for all its lockout parameters; the
address limit is higher, hence a handler rather than a second parameter. A
successful sign-in clears only that username's failures from that address, so
signing in to one's own account does not wipe the count of a spray.

`locked_out` (AXES_LOCKOUT_CALLABLE) shows the page for whichever limit was met;
`PasswordResetView` refuses reset emails beyond the limits in cases.throttle.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db.models import Sum
from django.shortcuts import render

from cases import throttle
from cases.auth_forms import GOVUKPasswordResetForm

ADDRESS = "address"
USERNAME = "username"


def address_failures(request) -> int:
    """Failed sign-ins from the request's address within the cool-off, any username."""
    address = getattr(request, "axes_ip_address", None)
    if address is None:
        return 0
    recent = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler with the per-address limit added (see the module)."""

    def lockout_reason(self, request, credentials=None) -> str | None:
        """ADDRESS or USERNAME when that limit has been met, else None. The address
        comes first: trying another username will not help."""
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return ADDRESS
        if self.get_failures(request, credentials) >= settings.AXES_FAILURE_LIMIT:
            return USERNAME
        return None

    def is_locked(self, request, credentials=None) -> bool:
        return self.lockout_reason(request, credentials) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes has locked the pair if it reached its limit; this failure may
        # instead have filled the address's.
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def locked_out(request, original_response=None, credentials=None):
    reason = SignInHandler().lockout_reason(request, credentials)
    minutes = settings.AXES_COOLOFF_MINUTES
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "from_this_address": reason == ADDRESS},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, sending no email once the address or the email address
    has had its limit (cases.throttle). The refusal is the same whether or not an
    account has that email."""

    form_class = GOVUKPasswordResetForm

    def form_valid(self, form):
        refused = throttle.ask_for_password_reset(
            address=throttle.client_address(self.request), email=form.cleaned_data["email"]
        )
        if refused is None:
            return super().form_valid(form)
        response = render(
            self.request,
            "registration/password_reset_limited.html",
            {"minutes": refused.minutes},
            status=429,
        )
        response["Retry-After"] = str(refused.minutes * 60)
        return response
