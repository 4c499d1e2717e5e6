"""The subscribe form, shown in every page's footer and at the end of each post."""

from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from consult.forms import SiteForm


class SubscribeForm(SiteForm):
    email = EmailField(
        "Your e-mail address",
        validators=[
            DataRequired("Enter your e-mail address."),
            Email("Enter a valid e-mail address, like name@example.org."),
            Length(max=254),
        ],
    )
