"""Legal deadlines in Chinese working days, and the translated error when a year is not configured.

Every deadline of supervision, credit and 双公示 goes through here, so an unconfigured year (the
holiday calendar covers up to 2026; 2027 needs the State Council notice copied into the override file)
reaches the regulator as a clear message naming the year and the file — never a 500, never a silent
"weekends only" guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from certbridge.errors import RuleViolation
from certbridge.i18n.catalog import render
from certbridge.kit.workdays import DEFAULT_OVERRIDES_PATH, WorkdayCalendar, WorkdayCalendarError


class CalendarNotConfigured(RuleViolation):
    """A deadline crosses into a year the holiday calendar does not cover."""

    default_code = "workdays.year_not_configured"


@dataclass(frozen=True)
class Deadline:
    """A computed deadline, or the year that kept it from being computed."""

    due_on: date | None
    missing_year: int | None = None
    overrides_path: str | None = None

    def problem(self) -> CalendarNotConfigured | None:
        """Return the error to show when the deadline could not be computed."""
        if self.due_on is not None:
            return None
        return CalendarNotConfigured("workdays.year_not_configured", year=self.missing_year,
                                     file=self.overrides_path)

    def message(self, lang: str = "zh") -> str | None:
        """Return the translated warning, or None when the deadline is known."""
        problem = self.problem()
        return problem.message(lang) if problem else None


@cache
def calendar_for(overrides_path: Path | None = None) -> WorkdayCalendar:
    """Return the working-day calendar for an override file (the packaged one by default)."""
    return WorkdayCalendar(overrides_path or DEFAULT_OVERRIDES_PATH)


def _missing_year(calendar: WorkdayCalendar, start: date, horizon_years: int = 3) -> int:
    for year in range(start.year, start.year + horizon_years + 1):
        try:
            calendar.is_workday(date(year, 1, 1))
        except WorkdayCalendarError:
            return year
    return start.year + horizon_years


def workday_deadline(calendar: WorkdayCalendar, start: date, workdays: int) -> Deadline:
    """Return the n-th working day after a date, or which year must be configured first."""
    try:
        return Deadline(calendar.add_workdays(start, workdays))
    except WorkdayCalendarError:
        return Deadline(None, _missing_year(calendar, start), str(calendar.overrides_path))


def require_deadline(calendar: WorkdayCalendar, start: date, workdays: int) -> date:
    """Return the n-th working day after a date or raise the translated configuration error."""
    deadline = workday_deadline(calendar, start, workdays)
    problem = deadline.problem()
    if problem is not None:
        raise problem
    return deadline.due_on


def missing_year_message(year: int, calendar: WorkdayCalendar, lang: str = "zh") -> str:
    """Return the warning for a year the calendar cannot answer for."""
    return render("workdays.year_not_configured", lang, year=year, file=str(calendar.overrides_path))
