"""Tables of accounts: users, password-reset tokens, invitations and recovery codes."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from consult.db import AwareDateTime

ROLES = ("consultant", "client")


class User(SQLModel, table=True):
    """A person who can sign in: the consultant, or a member of a client organisation."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('consultant', 'client')", name="role"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, description="Always stored lower-cased.")
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)
    is_active: bool = Field(default=True)
    session_token: str = Field(
        max_length=64,
        unique=True,
        description="Identifies the user in session and remember-me cookies; replaced at "
        "sign-out and when the password changes, which ends every session of the account.",
    )
    created_at: datetime = Field(sa_type=AwareDateTime)
    last_signed_in_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    # Two-step sign-in: the app's secret (kept from the setup page until confirmed, never shown
    # again after), when it was turned on, and the last 30-second step whose code was accepted.
    two_factor_secret: str | None = Field(default=None, max_length=64)
    two_factor_enabled_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    two_factor_last_used_step: int | None = Field(default=None)

    # What Flask-Login asks of a user object.
    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_consultant(self) -> bool:
        return self.role == "consultant"

    @property
    def has_two_factor(self) -> bool:
        """True once two-step sign-in is confirmed: every sign-in then asks for a code."""
        return self.two_factor_enabled_at is not None


class PasswordResetToken(SQLModel, table=True):
    """A one-hour, single-use password reset; only the token's SHA-256 is stored."""

    __tablename__ = "password_reset_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class Invitation(SQLModel, table=True):
    """An invitation to create an account, accepted through /accounts/invitation/<token>.

    An invitation into a client organisation also says the role there and the role group.
    """

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("role IN ('consultant', 'client')", name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    accepted_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    # What joining grants, for an invitation into a client organisation (the portal's).
    organisation_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    organisation_role: str | None = Field(default=None, max_length=10)
    role_group: str | None = Field(default=None, max_length=60)
    organisation_name: str | None = Field(
        default=None,
        max_length=200,
        description="A portal start waiting for its address to be confirmed: the organisation "
        "made when the invitation is accepted (organisation_id stays NULL until then).",
    )


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the app's code; only its SHA-256 is stored."""

    __tablename__ = "two_factor_recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=AwareDateTime)
    used_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
