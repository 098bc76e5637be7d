"""Legal deadlines in Chinese working days, and whether one is provisional.

Every deadline of supervision, credit and 双公示 goes through here. A deadline that runs through a year
whose official holiday notice has not been entered is still computed — with that year's statutory holidays
by rule (``kit.workdays``) — and carries the first such year, so every page and API shows it as
provisional and ``supervision.workday_years`` recomputes it when the notice is entered. Nothing here fails
because a year is not configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session

from certbridge.i18n.catalog import render
from certbridge.kit.workdays import DEFAULT_OVERRIDES_PATH, WorkdayCalendar
from certbridge.licensing.workday_notices import effective_calendar


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and the first provisional year it was counted through (None: official)."""

    due_on: date
    provisional_year: int | None = None

    @property
    def provisional(self) -> bool:
        """True when the deadline may still move once the year's notice is entered."""
        return self.provisional_year is not None


@cache
def calendar_for(overrides_path: Path | None = None) -> WorkdayCalendar:
    """Return the working-day calendar for an override file (the packaged one by default), without notices."""
    return WorkdayCalendar(overrides_path or DEFAULT_OVERRIDES_PATH)


def workday_deadline(calendar: WorkdayCalendar, start: date, workdays: int,
                     session: Session | None = None) -> Deadline:
    """Return the n-th working day after a date, with the first provisional year it ran through.

    With a session, the notices entered in the database are part of the calendar.
    """
    if session is not None:
        calendar = effective_calendar(session, calendar)
    due = calendar.add_workdays(start, workdays)
    years = calendar.provisional_years(start, due)
    return Deadline(due, years[0] if years else None)


def provisional_message(year: int | None, lang: str = "zh") -> str | None:
    """Return the explanation shown next to a provisional deadline (None for an official one)."""
    if year is None:
        return None
    return render("workdays.provisional_deadline", lang, year=year)
