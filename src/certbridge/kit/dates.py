"""Calendar arithmetic that the standard library lacks."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day (2024-01-31 + 1 month = 2024-02-29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def iso_or_none(value: date | None) -> str | None:
    """Return a date as ISO 8601 text, or None."""
    return value.isoformat() if value is not None else None
