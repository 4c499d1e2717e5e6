"""Every capability's tables, imported in one place: Alembic's and the tests' single entry point."""

from sqlmodel import SQLModel

from consult.accounts.models import Invitation, PasswordResetToken, User
from consult.mail.models import OutboxEmail

metadata = SQLModel.metadata

__all__ = ["Invitation", "OutboxEmail", "PasswordResetToken", "User", "metadata"]
