"""Every capability's tables, imported in one place: Alembic's and the tests' single entry point."""

from sqlmodel import SQLModel

from consult.accounts.models import Invitation, PasswordResetToken, User
from consult.blog.models import NewsletterDelivery, Subscriber
from consult.mail.models import OutboxEmail

metadata = SQLModel.metadata

__all__ = ["Invitation", "NewsletterDelivery", "OutboxEmail", "PasswordResetToken", "Subscriber", "User", "metadata"]
