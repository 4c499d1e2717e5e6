"""What a signed-in member may book as: for one of their organisations (with a programme's credit
when one is left, or paying) or for themselves.

The booking form offers these as one choice, so an organisation and the credit that pays can
never disagree. A submitted choice is read back through `resolve_choice`, which checks the
membership again; whether a credit is still left is decided under the lock in `take_credit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from consult.accounts.models import User
from consult.booking.models import ConsultationType
from consult.db import id_of, looks_like_identifier
from consult.engagements.credits import MemberBooking, credits_left
from consult.portal.service import find_membership, memberships_of
from consult.receipts.document import money

FOR_MYSELF = "self"


@dataclass(frozen=True)
class BookAsOption:
    """One way a member can book: `value` is "credit:<organisation>", "org:<organisation>" or
    "self"; `organisation_name` fills the form's organisation field.
    """

    value: str
    label: str
    organisation_name: str | None
    use_credit: bool


class ChoiceNotAllowed(ValueError):
    """A submitted choice naming an organisation the person does not belong to, or nothing."""


def book_as_options(
    session: Session,
    *,
    user: User | None,
    consultation_type: ConsultationType,
    starts_at: datetime,
) -> list[BookAsOption]:
    """A signed-in client's choices for this session, organisations by name; [] for a guest
    (None), the consultant, and someone who belongs to none (they book as any guest does).
    """
    if user is None or user.is_consultant:
        return []
    memberships = memberships_of(session, user)
    if not memberships:
        return []
    price = (
        ""
        if consultation_type.is_free
        else f", paying {money(consultation_type.price_minor, consultation_type.currency)}"
    )
    options: list[BookAsOption] = []
    for _, organisation in memberships:
        left = (
            0
            if consultation_type.is_free
            else credits_left(
                session,
                organisation_id=id_of(organisation),
                consultation_type_id=id_of(consultation_type),
                session_starts_at=starts_at,
            )
        )
        if left:
            options.append(
                BookAsOption(
                    value=f"credit:{organisation.public_id}",
                    label=(
                        f"For {organisation.name}, with a session included in its programme "
                        f"({left} left), without paying"
                    ),
                    organisation_name=organisation.name,
                    use_credit=True,
                )
            )
        options.append(
            BookAsOption(
                value=f"org:{organisation.public_id}",
                label=f"For {organisation.name}{price}",
                organisation_name=organisation.name,
                use_credit=False,
            )
        )
    options.append(
        BookAsOption(
            value=FOR_MYSELF,
            label=f"For myself, not for an organisation{price}",
            organisation_name=None,
            use_credit=False,
        )
    )
    return options


def default_choice(options: list[BookAsOption], *, organisation_id: str | None = None) -> str:
    """The choice to start with: a credit first (of `organisation_id` if given), then that
    organisation, then the first organisation.
    """
    wanted = [
        option
        for option in options
        if organisation_id is None or option.value.endswith(f":{organisation_id}")
    ] or options
    return next((option.value for option in wanted if option.use_credit), wanted[0].value)


def resolve_choice(session: Session, *, user: User, value: str | None) -> MemberBooking | None:
    """The booking a submitted choice asks for (None: for themselves, as a guest would).

    Raises ChoiceNotAllowed for an empty choice or an organisation the user is not a member of.
    """
    if value == FOR_MYSELF:
        return None
    kind, _, organisation_id = (value or "").partition(":")
    found = (
        find_membership(session, user=user, organisation_public_id=organisation_id)
        if kind in ("credit", "org") and looks_like_identifier(organisation_id)
        else None
    )
    if found is None:
        raise ChoiceNotAllowed("Choose who this booking is for.")
    _, organisation = found
    return MemberBooking(
        organisation_id=id_of(organisation), user_id=id_of(user), use_credit=kind == "credit"
    )


def organisation_name_for(options: list[BookAsOption], value: str | None) -> str | None:
    """The organisation's name behind a choice, to fill the form's organisation field."""
    return next((option.organisation_name for option in options if option.value == value), None)
