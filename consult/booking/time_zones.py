"""The time-zone list of the booking pages: readable names such as "Central Time — Chicago
(UTC−06:00)", grouped by region and ordered by offset. No Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

# The IANA regions a person lives in (aliases such as US/Central and Etc/GMT+6 are left out).
REGIONS = {
    "Africa": "Africa",
    "America": "Americas",
    "Antarctica": "Antarctica",
    "Arctic": "Arctic",
    "Asia": "Asia",
    "Atlantic": "Atlantic",
    "Australia": "Australia",
    "Europe": "Europe",
    "Indian": "Indian Ocean",
    "Pacific": "Pacific",
}
# Everyday names of the zones' standard-time abbreviations (Python has no CLDR names without
# babel); the same letters mean other times in some regions, and a few zones differ again.
GENERIC_NAMES = {
    "AST": "Atlantic Time",
    "EST": "Eastern Time",
    "CST": "Central Time",
    "MST": "Mountain Time",
    "PST": "Pacific Time",
    "AKST": "Alaska Time",
    "HST": "Hawaii Time",
    "NST": "Newfoundland Time",
    "GMT": "Greenwich Mean Time",
    "WET": "Western European Time",
    "CET": "Central European Time",
    "EET": "Eastern European Time",
    "MSK": "Moscow Time",
    "WAT": "West Africa Time",
    "CAT": "Central Africa Time",
    "EAT": "East Africa Time",
    "SAST": "South Africa Time",
    "IST": "India Time",
    "PKT": "Pakistan Time",
    "WIB": "Western Indonesia Time",
    "WITA": "Central Indonesia Time",
    "WIT": "Eastern Indonesia Time",
    "HKT": "Hong Kong Time",
    "KST": "Korea Time",
    "JST": "Japan Time",
    "AWST": "Australian Western Time",
    "ACST": "Australian Central Time",
    "AEST": "Australian Eastern Time",
    "NZST": "New Zealand Time",
    "ChST": "Chamorro Time",
    "SST": "Samoa Time",
}
REGIONAL_NAMES = {("Asia", "CST"): "China Time", ("Asia", "PST"): "Philippine Time"}
ZONE_NAMES = {
    "Asia/Jerusalem": "Israel Time",
    "Asia/Taipei": "Taipei Time",
    "America/Havana": "Cuba Time",
}


@dataclass(frozen=True)
class ZoneChoice:
    value: str  # the IANA name, as the page's `tz` carries it
    label: str


@dataclass(frozen=True)
class ZoneGroup:
    label: str
    choices: tuple[ZoneChoice, ...]


def offset_text(offset: timedelta) -> str:
    """`UTC−06:00`, `UTC+05:30`, `UTC+00:00` (with a real minus sign)."""
    minutes = int(offset.total_seconds()) // 60
    sign = "−" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def place_name(zone_name: str) -> str:
    """`America/Argentina/Buenos_Aires` → `Buenos Aires, Argentina`."""
    parts = [part.replace("_", " ") for part in zone_name.split("/")[1:]]
    return ", ".join(reversed(parts)) or zone_name


def generic_name(zone_name: str, *, year: int) -> str | None:
    """The everyday name of the zone's standard time ("Central Time"), where one is known."""
    zone = ZoneInfo(zone_name)
    winter, summer = (datetime(year, month, 15, tzinfo=UTC).astimezone(zone) for month in (1, 7))
    standard = min(winter, summer, key=lambda moment: moment.utcoffset() or timedelta())
    abbreviation = standard.tzname() or ""
    region = zone_name.split("/")[0]
    return (
        ZONE_NAMES.get(zone_name)
        or REGIONAL_NAMES.get((region, abbreviation))
        or GENERIC_NAMES.get(abbreviation)
    )


def zone_label(zone_name: str, *, now: datetime) -> str:
    """`Central Time — Chicago (UTC−06:00)`, the offset as it is at `now`."""
    offset = offset_text(now.astimezone(ZoneInfo(zone_name)).utcoffset() or timedelta())
    generic = generic_name(zone_name, year=now.year)
    place = place_name(zone_name) if "/" in zone_name else zone_name
    return f"{generic} — {place} ({offset})" if generic else f"{place} ({offset})"


@cache
def _zone_groups(hour: datetime) -> tuple[ZoneGroup, ...]:
    by_region: dict[str, list[tuple[timedelta, str, ZoneChoice]]] = {}
    for zone_name in available_timezones():
        region = REGIONS.get(zone_name.split("/")[0])
        if region is None or "/" not in zone_name:
            continue
        offset = hour.astimezone(ZoneInfo(zone_name)).utcoffset() or timedelta()
        label = zone_label(zone_name, now=hour)
        by_region.setdefault(region, []).append((offset, label, ZoneChoice(zone_name, label)))
    return tuple(
        ZoneGroup(region, tuple(choice for _, _, choice in sorted(entries)))
        for region, entries in sorted(by_region.items())
    )


def zone_groups(*, now: datetime, including: str) -> tuple[ZoneGroup, ...]:
    """Every zone a guest may live in, by region, each region ordered by its offset at `now`
    (then by name), and first the zone `including` if no region lists it (UTC, say, or an old
    alias a link carried). Offsets change only on the hour, so the list is built once an hour.
    """
    groups = _zone_groups(now.astimezone(UTC).replace(minute=0, second=0, microsecond=0))
    if any(choice.value == including for group in groups for choice in group.choices):
        return groups
    return (ZoneGroup("Chosen", (ZoneChoice(including, zone_label(including, now=now)),)), *groups)
