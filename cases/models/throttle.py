"""What the password-reset limit counts (cases.throttle)."""

from django.db import models


class PasswordResetRequest(models.Model):
    """One password-reset email asked for and let through. Rows older than the
    limit's window are deleted as new ones come in, so the table holds about an
    hour of requests. The email address is kept only as a keyed digest: the
    table says how often an address was asked for, not who was."""

    address = models.GenericIPAddressField(null=True)
    email_digest = models.CharField(max_length=64)
    requested_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"password reset asked for at {self.requested_at:%Y-%m-%d %H:%M}"
