"""Official holiday notices entered for years the packaged calendar does not cover, and the calendar they make.

The State Council publishes each year's schedule (国务院办公厅关于YYYY年部分节假日安排的通知) in the autumn
before. A regulator enters it once (`certbridge workdays set-year`, or the console's working-days page);
the row is shared by every process, so the next deadline any of them computes uses it. Until then the year
is provisional (``kit.workdays``). Entering a notice is a service in ``supervision.workday_years``, which
also recomputes the deadlines that depended on the provisional year.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import JSON, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from certbridge.db import Base, UTCDateTime, utcnow
from certbridge.kit.workdays import DEFAULT_OVERRIDES_PATH, WorkdayCalendar, YearNotice


class WorkdayNotice(Base):
    """A year's official schedule as entered: rest days, make-up working days, names, the notice it is from."""

    __tablename__ = "workday_notice"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list] = mapped_column(JSON)  # ISO dates
    workdays: Mapped[list] = mapped_column(JSON)  # ISO dates of the make-up weekends (调休上班)
    names: Mapped[dict] = mapped_column(JSON, default=dict)  # ISO date → Chinese name
    source: Mapped[str | None] = mapped_column(Text)  # the notice's title, number and date
    revision: Mapped[int] = mapped_column(Integer, default=1)
    entered_by: Mapped[str] = mapped_column(String(80))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def notice_of(row: WorkdayNotice) -> YearNotice:
    """Return an entered row as the calendar's YearNotice."""
    return YearNotice(frozenset(date.fromisoformat(d) for d in row.holidays),
                      frozenset(date.fromisoformat(d) for d in row.workdays),
                      {date.fromisoformat(d): n for d, n in (row.names or {}).items()})


_CALENDARS: dict[tuple, WorkdayCalendar] = {}


def effective_calendar(session: Session, base: WorkdayCalendar | None = None) -> WorkdayCalendar:
    """Return ``base`` (the packaged calendar by default) with every notice entered in the database.

    One small query per call (year, revision and time of each entered notice); the calendar itself is built once
    per distinct set of notices and kept, so another process's entry is seen by the next deadline here.
    """
    path = base.overrides_path if base is not None else DEFAULT_OVERRIDES_PATH
    # Year, revision and entry time identify an entered notice (also across databases sharing this process).
    stamp = tuple(session.execute(select(WorkdayNotice.year, WorkdayNotice.revision, WorkdayNotice.entered_at)
                                  .order_by(WorkdayNotice.year)))
    if base is not None and base.notices:  # a caller's own notices (tests) win; the database adds the rest
        key = None
    else:
        key = (str(path), tuple(tuple(r) for r in stamp))
        cached = _CALENDARS.get(key)
        if cached is not None:
            return cached
    notices = {row.year: notice_of(row) for row in session.scalars(select(WorkdayNotice))} if stamp else {}
    if base is not None:
        notices.update(base.notices)
    calendar = WorkdayCalendar(Path(path) if path is not None else None, notices)
    if key is not None:
        if len(_CALENDARS) > 32:
            _CALENDARS.clear()
        _CALENDARS[key] = calendar
    return calendar
