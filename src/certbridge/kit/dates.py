"""Calendar arithmetic that the standard library lacks."""

from __future__ import annotations

import calendar
import time
from datetime import date, datetime, timedelta
from functools import lru_cache


# Pure on immutable arguments, and the same few thousand (day, months) pairs recur by the million in bulk
# validation and the demo generator: the cache costs a dict lookup where the arithmetic costs a calendar call.
@lru_cache(maxsize=1 << 16)
def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day (2024-01-31 + 1 month = 2024-02-29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def iso_or_none(value: date | None) -> str | None:
    """Return a date as ISO 8601 text, or None."""
    return value.isoformat() if value is not None else None


_today: tuple[float, float, date] = (0.0, 0.0, date.min)  # from, until (epoch seconds, local midnights), the day


def today() -> date:
    """Return `date.today()`, remembered until the next local midnight (it reads the clock and the zone each call,
    a few microseconds on the busiest paths; this reads the clock only)."""
    global _today
    now = time.time()
    start, end, day = _today
    if start <= now < end:
        return day
    day = date.today()
    midnight = datetime.combine(day, datetime.min.time())
    _today = (midnight.timestamp(), (midnight + timedelta(days=1)).timestamp(), day)
    return day
