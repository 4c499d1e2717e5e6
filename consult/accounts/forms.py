"""Forms of the account pages; every one carries a CSRF token through Flask-WTF."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from consult.accounts.policy import PASSWORD_MAX_LENGTH, password_problem


class SignInForm(FlaskForm):
    email = EmailField(
        "E-mail address", validators=[DataRequired("Enter your e-mail address."), Length(max=254)]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=PASSWORD_MAX_LENGTH)],
    )
    remember = BooleanField("Keep me signed in on this device for 30 days")


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[
            DataRequired("Enter the e-mail address of your account."),
            Email("Enter a valid e-mail address."),
            Length(max=254),
        ],
    )


class NewPasswordForm(FlaskForm):
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
        )
        if problem:
            raise ValidationError(problem)


class SecondStepForm(FlaskForm):
    """The code of the second step: six digits from the app, or a recovery code."""

    code = StringField(
        "Code",
        validators=[
            DataRequired("Enter the code from your app, or a recovery code."),
            Length(max=40),
        ],
    )


class ConfirmTwoFactorForm(FlaskForm):
    code = StringField(
        "Code from the app",
        validators=[DataRequired("Enter the six-digit code the app shows."), Length(max=20)],
    )


class TurnOffTwoFactorForm(FlaskForm):
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
