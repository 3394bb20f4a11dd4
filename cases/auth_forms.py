"""Sign-in and password forms, laid out with the GOV.UK Design System."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Size
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.validators import MaxLengthValidator


def _helper(form, label: str) -> FormHelper:
    helper = FormHelper(form)
    helper.label_size = Size.SMALL
    helper.layout.append(Button.primary("submit", label))
    return helper


class GOVUKAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        # Django sets max_length without its validator: a longer name reached the
        # sign-in log (django-axes) and failed there on PostgreSQL, a server error.
        username = self.fields["username"]
        username.validators.append(
            MaxLengthValidator(username.max_length, self.error_messages["invalid_login"])
        )
        self.helper = _helper(self, "Sign in")


class GOVUKPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.gov.uk"
        )
        self.helper = _helper(self, "Send reset link")


class GOVUKSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"
        self.helper = _helper(self, "Change password")
