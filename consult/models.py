"""Every capability's tables, imported in one place: Alembic's and the tests' single entry point."""

from sqlmodel import SQLModel

from consult.accounts.models import Invitation, PasswordResetToken, RecoveryCode, User
from consult.audit.models import AuditEntry
from consult.blog.models import NewsletterDelivery, Subscriber
from consult.booking.models import (
    Booking,
    BookingAccessToken,
    BookingSettings,
    BookingTimeBlock,
    ConsultationType,
    DateOverride,
    TimeOff,
    WeeklyHours,
)
from consult.calendars.models import BookingsFeedKey, CalendarBusyInterval, CalendarFeed
from consult.engagements.models import (
    Programme,
    ProgrammeCredit,
    ProgrammeInclusion,
    ProgrammePurchase,
)
from consult.mail.models import OutboxEmail
from consult.nudges.models import NudgeOptOut, NudgeSent
from consult.payments.models import ProcessedWebhookEvent, TestCheckout
from consult.portal.models import (
    ActionItem,
    ActionNote,
    AssessmentRound,
    Membership,
    Organisation,
    OrganisationNote,
    Response,
)

metadata = SQLModel.metadata

__all__ = [
    "ActionItem",
    "ActionNote",
    "AssessmentRound",
    "AuditEntry",
    "Membership",
    "Organisation",
    "OrganisationNote",
    "Response",
    "Booking",
    "BookingAccessToken",
    "BookingSettings",
    "BookingTimeBlock",
    "TimeOff",
    "BookingsFeedKey",
    "CalendarBusyInterval",
    "CalendarFeed",
    "ConsultationType",
    "DateOverride",
    "Invitation",
    "NewsletterDelivery",
    "NudgeOptOut",
    "NudgeSent",
    "OutboxEmail",
    "PasswordResetToken",
    "RecoveryCode",
    "Programme",
    "ProgrammeCredit",
    "ProgrammeInclusion",
    "ProgrammePurchase",
    "ProcessedWebhookEvent",
    "Subscriber",
    "TestCheckout",
    "User",
    "WeeklyHours",
    "metadata",
]
