"""The practice's identity from content/site.yaml: name, consultant, contact, links, policies.

Also what earns a visitor's trust: the consultant's portrait (with its alt text), credentials and
short testimonials, each signed with a name and role or marked anonymous.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from consult.booking.policy import RefundTier, tier_problems
from consult.frontmatter import ContentFileError, read_text_file, read_yaml

log = logging.getLogger("consult.site")
MAX_NOTICE_HOURS = 24 * 366
MAX_RETENTION_MONTHS = 1200  # a century: keeping data longer is keeping it for good

# Testimonials are short by design: a line or two each, read at a glance.
MAX_QUOTE, MAX_NAME, MAX_CREDENTIAL, MAX_ALT_TEXT = 400, 120, 200, 300


class SiteIdentityError(ValueError):
    """site.yaml is missing, unreadable, or lacks a required value."""


@dataclass(frozen=True)
class SocialLink:
    label: str
    url: str


@dataclass(frozen=True)
class Portrait:
    """An image of the consultant: a site path (/static/…, /media/…) or https address, and alt."""

    src: str
    alt: str


@dataclass(frozen=True)
class Testimonial:
    """A client's short quotation: signed with a name and role, or anonymous (role optional)."""

    quote: str
    name: str | None
    role: str | None

    @property
    def attribution(self) -> str:
        """How it is signed: "Name, Role", or "Anonymous" with the role when there is one."""
        if self.name is None:
            return f"Anonymous, {self.role}" if self.role else "Anonymous"
        return f"{self.name}, {self.role}"


@dataclass(frozen=True)
class SiteIdentity:
    practice_name: str
    tagline: str
    consultant_name: str
    consultant_time_zone: str
    contact_email: str
    contact_phone: str | None
    social_links: tuple[SocialLink, ...]
    cancellation_policy: str
    reading_words_per_minute: int = 220
    refund_tiers: tuple[RefundTier, ...] = ()
    max_reschedules: int = 2
    portrait: Portrait | None = None
    credentials: tuple[str, ...] = ()
    testimonials: tuple[Testimonial, ...] = ()
    booking_retention_months: int = 24
    postal_address: str | None = None  # printed on receipts, as written (lines kept)
    tax_id: str | None = None  # a VAT or tax number printed on receipts

    @property
    def time_zone(self) -> ZoneInfo:
        return ZoneInfo(self.consultant_time_zone)


def _required_text(data: Mapping[str, object], key: str, where: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SiteIdentityError(f"{where}{key} is required and must be text")
    return value.strip()


def _short_text(value: object, where: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SiteIdentityError(f"{where} is required and must be text")
    if len(value.strip()) > limit:
        raise SiteIdentityError(f"{where} is too long: keep it under {limit} characters")
    return " ".join(value.split())


def _portrait(value: object) -> Portrait | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SiteIdentityError("consultant.portrait must have src and alt")
    src = _short_text(value.get("src"), "consultant.portrait.src", 500)
    parts = urlsplit(src)
    if not (parts.scheme == "https" and parts.netloc) and not (
        src.startswith("/") and not src.startswith("//") and not parts.scheme
    ):
        raise SiteIdentityError(
            "consultant.portrait.src must be a path on this site (/static/img/…) or https://"
        )
    alt = value.get("alt")
    if not isinstance(alt, str) or not alt.strip():
        raise SiteIdentityError(
            "consultant.portrait.alt is required: describe the picture for people who cannot see it"
        )
    return Portrait(src=src, alt=_short_text(alt, "consultant.portrait.alt", MAX_ALT_TEXT))


def _credentials(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SiteIdentityError("consultant.credentials must be a list of short lines")
    return tuple(
        _short_text(line, f"consultant.credentials[{index}]", MAX_CREDENTIAL)
        for index, line in enumerate(value)
    )


def _testimonial(index: int, value: object) -> Testimonial:
    where = f"testimonials[{index}]"
    if not isinstance(value, dict):
        raise SiteIdentityError(f"{where} must have quote, and name and role or anonymous: true")
    unknown = set(value) - {"quote", "name", "role", "anonymous"}
    if unknown:
        raise SiteIdentityError(
            f"{where} has unknown fields: {', '.join(sorted(map(str, unknown)))}"
        )
    quote = _short_text(value.get("quote"), f"{where}.quote", MAX_QUOTE)
    anonymous = value.get("anonymous", False)
    if not isinstance(anonymous, bool):
        raise SiteIdentityError(f"{where}.anonymous must be true or false")
    role = value.get("role")
    if anonymous:
        if value.get("name") is not None:
            raise SiteIdentityError(f"{where} is anonymous: leave out its name")
        return Testimonial(
            quote, None, None if role is None else _short_text(role, f"{where}.role", MAX_NAME)
        )
    if value.get("name") is None:
        raise SiteIdentityError(f"{where} needs a name and role, or anonymous: true")
    return Testimonial(
        quote,
        _short_text(value.get("name"), f"{where}.name", MAX_NAME),
        _short_text(role, f"{where}.role", MAX_NAME),
    )


def _testimonials(value: object) -> tuple[Testimonial, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SiteIdentityError("testimonials must be a list of {quote, name, role}")
    return tuple(_testimonial(index, item) for index, item in enumerate(value))


def parse_site_identity(data: object) -> SiteIdentity:
    """Validate the parsed YAML of site.yaml; raise SiteIdentityError naming the first problem."""
    if not isinstance(data, dict):
        raise SiteIdentityError("site.yaml must be a mapping of settings")
    consultant = data.get("consultant")
    contact = data.get("contact")
    if not isinstance(consultant, dict):
        raise SiteIdentityError("consultant is required, with name and time_zone")
    if not isinstance(contact, dict):
        raise SiteIdentityError("contact is required, with email")
    time_zone = _required_text(consultant, "time_zone", "consultant.")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: keys too long for a file name
        raise SiteIdentityError(
            f"consultant.time_zone {time_zone!r} is not a known time zone"
        ) from None
    email = _required_text(contact, "email", "contact.")
    if "@" not in email:
        raise SiteIdentityError(f"contact.email {email!r} is not an e-mail address")

    links = []
    for index, link in enumerate(data.get("social_links") or []):
        if not isinstance(link, dict):
            raise SiteIdentityError(f"social_links[{index}] must have label and url")
        url = _required_text(link, "url", f"social_links[{index}].")
        if urlsplit(url).scheme != "https":
            raise SiteIdentityError(f"social_links[{index}].url must be an https:// address")
        links.append(
            SocialLink(label=_required_text(link, "label", f"social_links[{index}]."), url=url)
        )

    reading_speed = data.get("reading_words_per_minute", 220)
    if (
        not isinstance(reading_speed, int)
        or isinstance(reading_speed, bool)
        or not 50 <= reading_speed <= 1000
    ):
        raise SiteIdentityError("reading_words_per_minute must be a whole number from 50 to 1000")
    tiers = data.get("cancellation_refunds") or []
    if not isinstance(tiers, list):
        raise SiteIdentityError(
            "cancellation_refunds must be a list of {notice_hours, refund_percent}"
        )
    problems = tier_problems(tiers)
    if problems:
        raise SiteIdentityError(problems[0])
    if any(tier["notice_hours"] > MAX_NOTICE_HOURS for tier in tiers):
        raise SiteIdentityError(
            f"cancellation_refunds notice_hours must be at most {MAX_NOTICE_HOURS} (a year)"
        )
    max_reschedules = data.get("max_reschedules", 2)
    if (
        not isinstance(max_reschedules, int)
        or isinstance(max_reschedules, bool)
        or max_reschedules < 0
    ):
        raise SiteIdentityError("max_reschedules must be a whole number, 0 or more")
    retention = data.get("booking_retention_months", 24)
    if (
        not isinstance(retention, int)
        or isinstance(retention, bool)
        or not 1 <= retention <= MAX_RETENTION_MONTHS
    ):
        raise SiteIdentityError(
            f"booking_retention_months must be a whole number from 1 to {MAX_RETENTION_MONTHS}"
        )
    phone = contact.get("phone")
    address, tax_id = contact.get("address"), contact.get("tax_id")
    if address is not None and not isinstance(address, str):
        raise SiteIdentityError("contact.address must be text (lines kept as written)")
    if tax_id is not None and (isinstance(tax_id, bool) or not isinstance(tax_id, (str, int))):
        raise SiteIdentityError("contact.tax_id must be text")
    return SiteIdentity(
        practice_name=_required_text(data, "practice_name"),
        tagline=_required_text(data, "tagline"),
        consultant_name=_required_text(consultant, "name", "consultant."),
        consultant_time_zone=time_zone,
        contact_email=email,
        contact_phone=str(phone).strip() if phone else None,
        social_links=tuple(links),
        cancellation_policy=_required_text(data, "cancellation_policy"),
        reading_words_per_minute=reading_speed,
        refund_tiers=tuple(
            RefundTier(tier["notice_hours"], tier["refund_percent"]) for tier in tiers
        ),
        max_reschedules=max_reschedules,
        portrait=_portrait(consultant.get("portrait")),
        credentials=_credentials(consultant.get("credentials")),
        testimonials=_testimonials(data.get("testimonials")),
        booking_retention_months=retention,
        postal_address=(address or "").strip() or None,
        tax_id=str(tax_id if tax_id is not None else "").strip() or None,
    )


def load_site_identity(path: Path) -> SiteIdentity:
    """Read and validate site.yaml; whatever it holds, the only exception is SiteIdentityError,
    whose message names the file (and the line, for YAML that cannot be read).
    """
    try:
        text = read_text_file(path)
    except ContentFileError as error:
        raise SiteIdentityError(f"{path}: {error}") from None
    try:
        data = read_yaml(text)
    except ContentFileError as error:
        line = f" line {error.line}" if error.line else ""
        raise SiteIdentityError(f"{path}{line}: not valid YAML ({error})") from None
    try:
        return parse_site_identity(data)
    except SiteIdentityError as error:
        raise SiteIdentityError(f"{path}: {error}") from None
    except Exception as error:  # a case the checks do not know yet: still the file's problem
        log.exception("%s could not be read", path)
        raise SiteIdentityError(f"{path}: could not be read ({type(error).__name__})") from None
