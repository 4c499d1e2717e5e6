"""Forms of the personal-data pages: deleting one's account, erasing a guest's data."""

from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from consult.accounts.policy import PASSWORD_MAX_LENGTH
from consult.forms import SiteForm


class DeleteAccountForm(SiteForm):
    """Deleting an account: the password again, and an explicit confirmation."""

    password = PasswordField(
        "Your password",
        validators=[
            DataRequired("Enter your password to confirm it is you."),
            Length(max=PASSWORD_MAX_LENGTH),
        ],
    )
    confirm = BooleanField(
        "I understand that my account and my personal data are deleted for good",
        validators=[DataRequired("Tick the box to confirm you want your account deleted.")],
    )


class EraseGuestForm(SiteForm):
    """The consultant erases a guest's personal data from a past booking."""

    confirm = BooleanField(
        "Erase this guest's personal data for good",
        validators=[DataRequired("Tick the box to confirm the erasure.")],
    )
