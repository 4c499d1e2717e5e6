"""The admin's form for adding an external calendar feed."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from consult.calendars.addresses import FeedAddressError, normalise_feed_url
from consult.forms import SiteForm


class CalendarFeedForm(SiteForm):
    name = StringField("Name", validators=[Length(max=120)])
    url = StringField(
        "Calendar address",
        validators=[DataRequired("Paste the calendar's address (it starts with https://).")],
    )

    def validate_url(self, field: StringField) -> None:
        try:
            normalise_feed_url(field.data or "")
        except FeedAddressError as error:
            raise ValidationError(str(error)) from None
