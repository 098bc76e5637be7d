"""Times as people in China read them: China Standard Time (UTC+8, no daylight saving) with the zone shown.

Stored times are UTC; the API keeps ISO-8601 with an offset. Pages and PDFs show `2026-12-06 20:15 (UTC+8)`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")
ZONE_LABEL = "UTC+8"


def to_cst(value: datetime) -> datetime:
    """Return a datetime in China Standard Time (a naive value is taken as UTC, as the database stores it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CST)


def show_time(value: datetime | str | date | None, *, seconds: bool = False, zone: bool = True) -> str:
    """Return a time as `YYYY-MM-DD HH:MM (UTC+8)`; ISO strings are parsed, dates and None pass through."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return value.isoformat()
    text = to_cst(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} ({ZONE_LABEL})" if zone else text


def show_day(value: datetime | date | None) -> str:
    """Return the calendar day of a time in China (a UTC evening is already the next day in Beijing)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_cst(value).date().isoformat()
    return value.isoformat()
