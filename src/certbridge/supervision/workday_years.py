"""Entering a year's official holiday notice, recomputing the deadlines that were provisional, and the year list.

A deadline counted through a year whose notice nobody entered is provisional (``licensing.deadlines``).
When a regulator enters that notice, every stored deadline still marked provisional — spot-check result
publication, penalty and licensing publication and withdrawal — is counted again from its own start with
the new calendar, in the same transaction, each change with its ledger event; those that no longer run
through a provisional year lose the mark. Entering the notice is itself an event (`workdays.notice_entered`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from certbridge.credit.models import Penalty
from certbridge.errors import InvalidInput
from certbridge.ledger.journal import record_event
from certbridge.kit.workdays import WorkdayCalendar, WorkdayCalendarError, parse_notice
from certbridge.licensing import case_flow
from certbridge.licensing.case_deadlines import recompute_case_deadlines
from certbridge.licensing.case_models import LicensingCase
from certbridge.licensing.deadlines import calendar_for, workday_deadline
from certbridge.licensing.models import LicensingRecord
from certbridge.licensing.parameters import publicity_setting
from certbridge.licensing.workday_notices import WorkdayNotice, effective_calendar
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.supervision.models import InspectionTask, SpotCheckBatch

FIRST_ENTERABLE_YEAR, LAST_ENTERABLE_YEAR = 2025, 2100


@dataclass(frozen=True)
class DeadlineKind:
    """One stored deadline: where it lives, what it counts from, and how many working days."""

    name: str
    model: type
    subject_type: str
    due: str
    provisional: str
    start: str
    workdays: Callable[[Session, Any], int]


def _task_workdays(session: Session, task: InspectionTask) -> int:
    return session.get(SpotCheckBatch, task.batch_id).plan.publication_workdays


def _penalty_workdays(session: Session, penalty: Penalty) -> int:
    return publicity_setting(session, "penalty_publication_workdays_samr" if penalty.samr
                             else "penalty_publication_workdays")


KINDS = (
    DeadlineKind("inspection_result", InspectionTask, "inspection_task", "publication_due_on",
                 "deadline_provisional_year", "completed_on", _task_workdays),
    DeadlineKind("penalty_publication", Penalty, "penalty", "publication_due_on", "deadline_provisional_year",
                 "decided_on", _penalty_workdays),
    DeadlineKind("penalty_withdrawal", Penalty, "penalty", "withdrawal_due_on", "withdrawal_provisional_year",
                 "decision_changed_on", lambda s, _: publicity_setting(s, "withdrawal_workdays")),
    DeadlineKind("licensing_publication", LicensingRecord, "licensing_record", "publication_due_on",
                 "deadline_provisional_year", "decided_on",
                 lambda s, _: publicity_setting(s, "licensing_publication_workdays")),
    DeadlineKind("licensing_withdrawal", LicensingRecord, "licensing_record", "withdrawal_due_on",
                 "withdrawal_provisional_year", "decision_changed_on",
                 lambda s, _: publicity_setting(s, "withdrawal_workdays")),
)


def _pending(kind: DeadlineKind):
    """Rows whose deadline is provisional, or was left uncomputed by the calendar before provisional years."""
    model = kind.model
    start, due, mark = (getattr(model, a) for a in (kind.start, kind.due, kind.provisional))
    return select(model).where(start.is_not(None), or_(mark.is_not(None), due.is_(None))).order_by(model.id)


def recompute_deadlines(session: Session, *, principal: Principal,
                        calendar: WorkdayCalendar | None = None) -> dict[str, int]:
    """Count every provisional (or uncomputed) stored deadline again; return how many changed, by kind."""
    require_regulator(principal)
    calendar = effective_calendar(session, calendar or calendar_for())
    changed: dict[str, int] = {}
    for kind in KINDS:
        if kind.model is InspectionTask:
            query = _pending(kind).where(InspectionTask.status != "assigned")
        else:
            query = _pending(kind)
        for row in session.scalars(query):
            deadline = workday_deadline(calendar, getattr(row, kind.start), kind.workdays(session, row))
            before = (getattr(row, kind.due), getattr(row, kind.provisional))
            if before == (deadline.due_on, deadline.provisional_year):
                continue
            setattr(row, kind.due, deadline.due_on)
            setattr(row, kind.provisional, deadline.provisional_year)
            session.flush()
            record_event(session, type="deadline.recomputed", subject_type=kind.subject_type, subject_id=row.id,
                         actor=principal.actor, public=kind.model is not InspectionTask,
                         data={"state": {kind.due: deadline.due_on, kind.provisional: deadline.provisional_year},
                               "deadline": kind.name, "was": before[0]})
            changed[kind.name] = changed.get(kind.name, 0) + 1
    return changed


def notice_state(row: WorkdayNotice) -> dict[str, Any]:
    """Return an entered notice as its event carries it."""
    return {"year": row.year, "holidays": row.holidays, "workdays": row.workdays, "names": row.names,
            "source": row.source, "revision": row.revision}


def set_year_notice(session: Session, *, principal: Principal, year: int, table: dict[str, Any],
                    calendar: WorkdayCalendar | None = None) -> tuple[WorkdayNotice, dict[str, int]]:
    """Enter (or correct) a year's official holiday notice and recompute the provisional deadlines.

    ``table`` has the override file's shape: ``holidays`` (every rest day of the notice, weekends included),
    ``workdays`` (the make-up weekends), optional ``names`` (date → name) and ``source`` (the notice).
    """
    require_regulator(principal)
    if not isinstance(year, int) or not FIRST_ENTERABLE_YEAR <= year <= LAST_ENTERABLE_YEAR:
        raise InvalidInput("field.range", field="year", min=FIRST_ENTERABLE_YEAR, max=LAST_ENTERABLE_YEAR)
    _check_table(year, table)
    try:
        notice, source = parse_notice(year, table, origin=f"{year}")
    except WorkdayCalendarError as exc:
        raise InvalidInput("workdays.notice_invalid", field="holidays", detail=str(exc)) from None
    row = session.get(WorkdayNotice, year)
    if row is None:
        row = WorkdayNotice(year=year, revision=0)
        session.add(row)
    row.holidays = sorted(d.isoformat() for d in notice.holidays)
    row.workdays = sorted(d.isoformat() for d in notice.workdays)
    row.names = {d.isoformat(): n for d, n in sorted(notice.names.items())}
    row.source, row.revision, row.entered_by = source, (row.revision or 0) + 1, principal.actor[:80]
    session.flush()
    record_event(session, type="workdays.notice_entered", subject_type="workday_notice", subject_id=year,
                 actor=principal.actor, data={"state": notice_state(row)})
    changed = recompute_deadlines(session, principal=principal, calendar=calendar)
    cases = recompute_case_deadlines(session, principal=principal, year=year, source=source,
                                     calendar=effective_calendar(session, calendar or calendar_for()))
    if cases:
        changed["licensing_case_step"] = cases
    return row, changed


def _dates(year: int, field: str, values: Any) -> set[date]:
    if not isinstance(values, list):
        raise InvalidInput("workdays.dates_format", field=field, value=str(values)[:40])
    out = set()
    for value in values:
        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value).strip())
            except ValueError:
                raise InvalidInput("workdays.dates_format", field=field, value=str(value)[:40]) from None
        if day.year != year:
            raise InvalidInput("workdays.date_outside_year", field=field, value=day.isoformat(), year=year)
        out.add(day)
    return out


def _check_table(year: int, table: Any) -> None:
    """Refuse a schedule that is not one, with a translated message naming the field and the date."""
    if not isinstance(table, dict):
        raise InvalidInput("workdays.no_holidays", field="holidays", year=year)
    unknown = sorted(set(table) - {"holidays", "workdays", "names", "source"})
    if unknown:
        raise InvalidInput("workdays.unknown_keys", field="file", keys=", ".join(unknown))
    holidays = _dates(year, "holidays", table.get("holidays", []))
    workdays = _dates(year, "workdays", table.get("workdays", []))
    if not holidays:
        raise InvalidInput("workdays.no_holidays", field="holidays", year=year)
    if holidays & workdays:
        raise InvalidInput("workdays.date_both", field="workdays", value=min(holidays & workdays).isoformat())
    weekday = sorted(d for d in workdays if d.weekday() < 5)
    if weekday:
        raise InvalidInput("workdays.makeup_not_weekend", field="workdays", value=weekday[0].isoformat())


def calendar_years(session: Session, *, calendar: WorkdayCalendar | None = None, today: date | None = None,
                   ahead: int = 2) -> list[dict[str, Any]]:
    """Return the years from last year to ``ahead`` years on (and every entered one, and every one a stored
    deadline runs into provisionally) with their source."""
    today = today or date.today()
    calendar = effective_calendar(session, calendar or calendar_for())
    rows = {row.year: row for row in session.scalars(select(WorkdayNotice))}
    years = sorted(set(range(today.year - 1, today.year + ahead + 1)) | set(rows) | provisional_years(session))
    out = []
    for year in years:
        row = rows.get(year)
        out.append({"year": year, "source": calendar.year_source(year), "notice": row.source if row else None,
                    "entered_by": row.entered_by if row else None,
                    "entered_at": row.entered_at if row else None, "revision": row.revision if row else None,
                    "provisional_deadlines": provisional_count(session, year)})
    return out


def _provisional_columns():
    """Every stored provisional mark: the publication deadlines, and the current step of each open case."""
    for kind in KINDS:
        yield kind.model, getattr(kind.model, kind.provisional), ()
    yield LicensingCase, LicensingCase.due_provisional_year, (LicensingCase.state.in_(case_flow.OPEN_STATES),)


def provisional_count(session: Session, year: int | None = None) -> int:
    """Return how many stored deadlines are provisional (through ``year``, or any year), open cases' included."""
    total = 0
    for model, column, scope in _provisional_columns():
        condition = column.is_not(None) if year is None else column == year
        total += session.scalar(select(func.count()).select_from(model).where(condition, *scope)) or 0
    return total


def provisional_years(session: Session) -> set[int]:
    """Return the years some stored deadline runs into without an entered notice."""
    out: set[int] = set()
    for model, column, scope in _provisional_columns():
        out.update(session.scalars(select(column).where(column.is_not(None), *scope).distinct()))
    return out
