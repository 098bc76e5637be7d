"""The 双公示 publication lifecycle, written once for every kind of public record (licensing records, penalties).

A record is decided on `decided_on`, published on the portal once (`published_on`, late if after
`publication_due_on`), and withdrawn once when its decision is changed or annulled, within the withdrawal
deadline in working days (`withdrawal_due_on`). Each step checks the same rules, sets the same columns and
appends its ledger event (`<event_prefix>.published` / `.withdrawn`) in the caller's transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.kit.workdays import WorkdayCalendar
from certbridge.licensing.deadlines import calendar_for, workday_deadline
from certbridge.licensing.parameters import publicity_setting
from certbridge.principal import Principal


class Disclosed(Protocol):
    """What a 双公示 record carries: its decision date and the publication and withdrawal columns."""

    id: int
    decided_on: date
    publication_due_on: date | None
    published_on: date | None
    decision_changed_on: date | None
    withdrawal_due_on: date | None
    withdrawal_provisional_year: int | None
    withdrawn_on: date | None
    withdrawal_reason: str | None


def publish(session: Session, record: Any, *, principal: Principal, event_prefix: str, subject_type: str,
            on: date | None = None) -> None:
    """Publish a decided record on the public portal once, noting whether it came after its deadline."""
    if record.withdrawn_on is not None:
        raise RuleViolation("publicity.already_withdrawn", on=record.withdrawn_on)
    if record.published_on is not None:
        raise RuleViolation("publicity.already_published", on=record.published_on)
    on = on or date.today()
    if on < record.decided_on:
        raise InvalidInput("publicity.before_decision", field="on", date=on, decided_on=record.decided_on)
    record.published_on = on
    session.flush()
    late = record.publication_due_on is not None and on > record.publication_due_on
    record_event(session, type=f"{event_prefix}.published", subject_type=subject_type, subject_id=record.id,
                 actor=principal.actor, data={"state": {"published_on": on}, "late": late,
                                              "due_on": record.publication_due_on})


def withdraw(session: Session, record: Any, *, principal: Principal, event_prefix: str, subject_type: str,
             decision_changed_on: date, reason: str, on: date | None = None,
             calendar: WorkdayCalendar | None = None) -> None:
    """Withdraw a record's publication because its decision was changed or annulled, by the withdrawal deadline."""
    if record.withdrawn_on is not None:
        raise RuleViolation("publicity.already_withdrawn", on=record.withdrawn_on)
    on = on or date.today()
    if decision_changed_on < record.decided_on or decision_changed_on > on:
        raise InvalidInput("publicity.change_date", field="decision_changed_on", date=decision_changed_on,
                           decided_on=record.decided_on)
    deadline = workday_deadline(calendar or calendar_for(), decision_changed_on,
                                publicity_setting(session, "withdrawal_workdays"), session)
    record.decision_changed_on, record.withdrawal_due_on = decision_changed_on, deadline.due_on
    record.withdrawal_provisional_year = deadline.provisional_year
    record.withdrawn_on, record.withdrawal_reason = on, reason.strip()
    session.flush()
    late = deadline.due_on is not None and on > deadline.due_on
    record_event(session, type=f"{event_prefix}.withdrawn", subject_type=subject_type, subject_id=record.id,
                 actor=principal.actor,
                 data={"state": {"decision_changed_on": decision_changed_on, "withdrawal_due_on": deadline.due_on,
                                 "withdrawn_on": on, "withdrawal_reason": record.withdrawal_reason}, "late": late})
