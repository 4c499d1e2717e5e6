"""Where a consultation happens: a video room, a phone call or a place, and the per-booking video
link made from a template. No Flask, no database.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

LOCATION_KINDS = {"video": "Video call", "phone": "Phone call", "place": "In person"}
# What a video link template may contain, and what each stands for.
PLACEHOLDERS = {
    "practice": "the practice's name, as letters, digits and hyphens",
    "type": "the consultation type's address (slug)",
    "booking": "a random code made for each booking",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def location_problems(kind: str, value: str) -> list[str]:
    """Problems with a type's location, in words an admin can act on; empty when usable."""
    value = value.strip()
    if kind not in LOCATION_KINDS:
        return ["Choose a video call, a phone call or a place."]
    if _CONTROL.search(value):
        return ["Write the location on one line, without control characters."]
    if kind == "phone":
        if value:
            return ["A phone call uses the number the guest gives when booking: leave this empty."]
        return []
    if not value:
        what = "the video link (or its template)" if kind == "video" else "the address"
        return [f"Enter {what}."]
    if kind == "place":
        return [] if "{" not in value and "}" not in value else ["An address has no { } fields."]
    return _video_problems(value)


def _video_problems(template: str) -> list[str]:
    unknown = sorted({name for name in _PLACEHOLDER.findall(template) if name not in PLACEHOLDERS})
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        return [f"{', '.join(f'{{{name}}}' for name in unknown)} is not known: use {known}."]
    if "{" in _PLACEHOLDER.sub("", template) or "}" in _PLACEHOLDER.sub("", template):
        return ["A { or } is not closed: fields are written like {booking}."]
    link = meeting_link(template, practice="practice", consultation_type="type", booking="code")
    try:
        parts = urlsplit(link)
    except ValueError:
        return ["This is not a web address."]
    if parts.scheme != "https" or not parts.hostname:
        return ["Use an https:// address, like https://meet.example.org/{practice}-{booking}."]
    if any(character.isspace() for character in link):
        return ["A web address has no spaces."]
    return []


def meeting_link(template: str, *, practice: str, consultation_type: str, booking: str) -> str:
    """The video link of one booking: each {placeholder} replaced by its value, made safe for a
    URL path. The template has been validated (`location_problems`).
    """
    values = {"practice": practice, "type": consultation_type, "booking": booking}
    return _PLACEHOLDER.sub(lambda match: quote(values[match.group(1)], safe=""), template)


def meeting_location(
    kind: str,
    value: str,
    *,
    practice: str,
    consultation_type: str,
    booking_code: str,
    guest_phone: str | None,
) -> str:
    """What to store on a booking at confirmation: the video link, the guest's number or the
    address.
    """
    if kind == "video":
        return meeting_link(
            value, practice=practice, consultation_type=consultation_type, booking=booking_code
        )
    if kind == "phone":
        return (guest_phone or "").strip()
    return value.strip()


def describe_meeting(kind: str, location: str) -> str:
    """One line for e-mails and invitations: `Video call: https://…`, `Phone call: we call you
    on …`.
    """
    if kind == "phone":
        return f"Phone call: we call you on {location}" if location else "Phone call"
    return f"{LOCATION_KINDS.get(kind, 'Where')}: {location}"


def invite_location(kind: str | None, location: str | None) -> tuple[str, str]:
    """A booking's calendar event LOCATION and URL (the video link); empty when none was fixed."""
    if not kind or not location:
        return "", ""
    return describe_meeting(kind, location), location if kind == "video" else ""
