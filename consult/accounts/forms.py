"""Forms of the account pages; every one carries a CSRF token through Flask-WTF."""

from urllib.parse import urlsplit

from flask import current_app
from wtforms import BooleanField, EmailField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from consult.accounts.idle import remember_me_hint
from consult.accounts.policy import PASSWORD_MAX_LENGTH, password_problem
from consult.forms import SiteForm


def site_words() -> tuple[str, ...]:
    """The words of this site a password must not be: the practice, the consultant, the host."""
    site = current_app.extensions["consult.site"]
    settings = current_app.extensions["consult.settings"]
    host = urlsplit(settings.site_url).hostname or ""
    return (site.practice_name, site.consultant_name, host, *host.split(".")[:-1])


class SignInForm(SiteForm):
    email = EmailField(
        "E-mail address", validators=[DataRequired("Enter your e-mail address."), Length(max=254)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=PASSWORD_MAX_LENGTH)],
    )
    remember = BooleanField("Keep me signed in on this device", description=remember_me_hint())


class ResetRequestForm(SiteForm):
    email = EmailField(
        "E-mail address",
        validators=[
            DataRequired("Enter the e-mail address of your account."),
            Email("Enter a valid e-mail address."),
            Length(max=254),
        ],
    )


class NewPasswordForm(SiteForm):
    """Choosing a password: checked against the policy, typed twice."""

    password = PasswordField("New password", validators=[DataRequired("Choose a password.")])
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The two passwords differ."),
        ],
    )
    # Set by the view so the policy can refuse a password equal to the person's own name or address.
    account_email = ""

    def validate_password(self, field: Field) -> None:
        name_field = getattr(self, "name", None)
        problem = password_problem(
            field.data or "",
            email=self.account_email,
            name=name_field.data or "" if name_field else "",
            site_words=site_words(),
        )
        if problem:
            raise ValidationError(problem)


class SecondStepForm(SiteForm):
    """The code of the second step: six digits from the app, or a recovery code."""

    code = StringField(
        "Code",
        validators=[
            DataRequired("Enter the code from your app, or a recovery code."),
            Length(max=40),
        ],
    )


class ConfirmTwoFactorForm(SiteForm):
    code = StringField(
        "Code from the app",
        validators=[DataRequired("Enter the six-digit code the app shows."), Length(max=20)],
    )


class TurnOffTwoFactorForm(SiteForm):
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password."), Length(max=PASSWORD_MAX_LENGTH)],
    )
    code = StringField(
        "Code from the app",
        validators=[DataRequired("Enter the code from your app."), Length(max=40)],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )


class AcceptInvitationForm(NewPasswordForm):
    name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=120)])
