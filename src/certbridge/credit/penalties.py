"""Penalty decisions: recorded with the 双公示 fields, published within 7 (SAMR 20) working days, withdrawn
within 3 if changed or annulled, public 3 years (3 months for minor ones), repairable after 6 months
(1 year for food, drugs and special equipment)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.credit.models import Penalty
from certbridge.credit.schemas import PenaltyIn
from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.kit.dates import add_months
from certbridge.kit.workdays import WorkdayCalendar
from certbridge.licensing import disclosure
from certbridge.licensing.deadlines import calendar_for, provisional_message, workday_deadline
from certbridge.licensing.parameters import publicity_setting
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Lab, Organization, Person
from certbridge.registry.service import check_uscc

SUBJECT_MODELS = {"organization": Organization, "body": CertificationBody, "person": Person, "lab": Lab}
MINOR_ONLY = {"警告", "通报批评"}


def penalty_state(p: Penalty) -> dict[str, Any]:
    """Return a penalty's state as events carry it."""
    keys = ("subject_type", "subject_id", "party_name", "party_type", "party_uscc", "legal_representative",
            "decision_number", "violation_type", "facts", "legal_basis", "categories", "content", "fine_wan",
            "confiscation_wan", "licence_affected", "decided_on", "penalty_valid_until", "publication_ends_on",
            "authority", "authority_uscc", "data_source", "data_source_uscc", "remarks", "samr", "minor", "sector",
            "publication_due_on", "published_on", "withdrawn_on", "repaired_on")
    return {key: getattr(p, key) for key in keys}


def get_penalty(session: Session, penalty_id: int) -> Penalty:
    """Get a penalty by its id."""
    penalty = session.get(Penalty, penalty_id)
    if penalty is None:
        raise NotFound("penalty.not_found", id=penalty_id)
    return penalty


def _subject(session: Session, item: PenaltyIn, uscc: str | None) -> tuple[str | None, int | None]:
    if item.subject_type and item.subject_id:
        if session.get(SUBJECT_MODELS[item.subject_type], item.subject_id) is None:
            raise InvalidInput("penalty.subject_unknown", field="subject_id", kind=item.subject_type,
                               id=item.subject_id)
        return item.subject_type, item.subject_id
    if item.subject_type or item.subject_id:
        raise InvalidInput("penalty.subject_incomplete", field="subject_id")
    if uscc:
        org = session.scalar(select(Organization.id).where(Organization.uscc == uscc))
        if org is not None:
            return "organization", org
        body = session.scalar(select(CertificationBody.id).where(CertificationBody.uscc == uscc))
        if body is not None:
            return "body", body
    return None, None


def _check_amounts(item: PenaltyIn) -> None:
    cats = set(item.categories)
    if "罚款" in cats and not item.fine_wan:
        raise InvalidInput("penalty.fine_required", field="fine_wan")
    if item.fine_wan and "罚款" not in cats:
        raise InvalidInput("penalty.fine_without_category", field="categories")
    if cats & {"没收违法所得", "没收非法财物"} and not item.confiscation_wan:
        raise InvalidInput("penalty.confiscation_required", field="confiscation_wan")
    if cats & {"暂扣许可证件", "降低资质等级", "吊销许可证件"} and not (item.licence_affected or "").strip():
        raise InvalidInput("penalty.licence_required", field="licence_affected")


def record_penalty(session: Session, *, principal: Principal, item: PenaltyIn, calendar: WorkdayCalendar | None = None,
                   today: date | None = None) -> Penalty:
    """Record a penalty decision with its publication deadline and publication end date."""
    require_regulator(principal)
    today = today or date.today()
    if item.decided_on > today:
        raise InvalidInput("penalty.decided_in_future", field="decided_on", date=item.decided_on)
    uscc = check_uscc(item.party_uscc, field="party_uscc")[0] if item.party_uscc else None
    if item.party_type != "natural_person" and not uscc:
        raise InvalidInput("penalty.uscc_required", field="party_uscc")
    authority_uscc = check_uscc(item.authority_uscc, field="authority_uscc")[0]
    source_uscc = check_uscc(item.data_source_uscc, field="data_source_uscc")[0] if item.data_source_uscc \
        else authority_uscc
    _check_amounts(item)
    if session.scalar(select(Penalty.id).where(Penalty.decision_number == item.decision_number.strip(),
                                               Penalty.withdrawn_on.is_(None))):
        raise RuleViolation("penalty.number_taken", number=item.decision_number)
    subject_type, subject_id = _subject(session, item, uscc)
    minor = item.minor if item.minor is not None else set(item.categories) <= MINOR_ONLY
    if minor:
        ends = add_months(item.decided_on, publicity_setting(session, "penalty_minor_public_months"))
    else:
        ends = add_months(item.decided_on, 12 * publicity_setting(session, "penalty_public_years"))
    workdays = publicity_setting(session, "penalty_publication_workdays_samr" if item.samr
                                 else "penalty_publication_workdays")
    deadline = workday_deadline(calendar or calendar_for(), item.decided_on, workdays, session)
    penalty = Penalty(
        subject_type=subject_type, subject_id=subject_id, party_name=item.party_name.strip(),
        party_type=item.party_type, party_uscc=uscc, legal_representative=item.legal_representative,
        decision_number=item.decision_number.strip(), violation_type=item.violation_type, facts=item.facts,
        legal_basis=item.legal_basis, categories=list(dict.fromkeys(item.categories)), content=item.content,
        fine_wan=item.fine_wan, confiscation_wan=item.confiscation_wan, licence_affected=item.licence_affected,
        decided_on=item.decided_on, penalty_valid_until=item.penalty_valid_until, publication_ends_on=ends,
        authority=item.authority.strip(), authority_uscc=authority_uscc,
        data_source=(item.data_source or item.authority).strip(), data_source_uscc=source_uscc,
        remarks=item.remarks, samr=item.samr, minor=minor, sector=item.sector,
        publication_due_on=deadline.due_on, deadline_provisional_year=deadline.provisional_year,
    )
    session.add(penalty)
    session.flush()
    record_event(session, type="penalty.decided", subject_type="penalty", subject_id=penalty.id,
                 actor=principal.actor, data={"state": penalty_state(penalty),
                                              "deadline_provisional_year": deadline.provisional_year})
    if item.publish:
        publish_penalty(session, principal=principal, penalty_id=penalty.id, on=today)
    return penalty


def publish_penalty(session: Session, *, principal: Principal, penalty_id: int, on: date | None = None) -> Penalty:
    """Publish a penalty on the public portal."""
    require_regulator(principal)
    penalty = get_penalty(session, penalty_id)
    disclosure.publish(session, penalty, principal=principal, event_prefix="penalty", subject_type="penalty", on=on)
    return penalty


def withdraw_penalty(session: Session, *, principal: Principal, penalty_id: int, decision_changed_on: date,
                     reason: str, on: date | None = None, calendar: WorkdayCalendar | None = None) -> Penalty:
    """Withdraw a penalty's publication because the decision was changed or annulled (its credit weight goes)."""
    require_regulator(principal)
    penalty = get_penalty(session, penalty_id)
    disclosure.withdraw(session, penalty, principal=principal, event_prefix="penalty", subject_type="penalty",
                        decision_changed_on=decision_changed_on, reason=reason, on=on, calendar=calendar)
    return penalty


def repair_possible_from(session: Session, penalty: Penalty) -> date | None:
    """Return the first day a published penalty may be repaired (6 months; 12 for food, drugs, equipment)."""
    if penalty.published_on is None:
        return None
    months = publicity_setting(session, "repair_wait_months").get(penalty.sector, 6)
    return add_months(penalty.published_on, months)


def repair_penalty(session: Session, *, principal: Principal, penalty_id: int, reason: str,
                   on: date | None = None) -> Penalty:
    """Grant credit repair: the penalty leaves public view before its publication period ends."""
    require_regulator(principal)
    penalty = get_penalty(session, penalty_id)
    on = on or date.today()
    if penalty.withdrawn_on is not None:
        raise RuleViolation("publicity.already_withdrawn", on=penalty.withdrawn_on)
    if penalty.repaired_on is not None:
        raise RuleViolation("penalty.already_repaired", on=penalty.repaired_on)
    earliest = repair_possible_from(session, penalty)
    if earliest is None:
        raise RuleViolation("penalty.repair_unpublished")
    if on < earliest:
        raise RuleViolation("penalty.repair_too_early", earliest=earliest, sector=penalty.sector)
    if on >= penalty.publication_ends_on:
        raise RuleViolation("penalty.repair_after_end", ends_on=penalty.publication_ends_on)
    penalty.repaired_on, penalty.repair_reason = on, reason.strip()
    session.flush()
    record_event(session, type="penalty.repaired", subject_type="penalty", subject_id=penalty.id,
                 actor=principal.actor, data={"state": {"repaired_on": on, "repair_reason": penalty.repair_reason}})
    return penalty


def penalty_status(penalty: Penalty, on: date) -> str:
    """Return unpublished, published, withdrawn, repaired or ended (publication period over)."""
    if penalty.withdrawn_on is not None:
        return "withdrawn"
    if penalty.repaired_on is not None and penalty.repaired_on <= on:
        return "repaired"
    if penalty.published_on is None:
        return "unpublished"
    return "ended" if on >= penalty.publication_ends_on else "published"


def penalty_view(session: Session, penalty: Penalty, *, lang: str = "zh", on: date | None = None,
                 calendar: WorkdayCalendar | None = None) -> dict[str, Any]:
    """Return a penalty as the API shows it, with its status and any deadline warning."""
    on = on or date.today()
    warnings = []
    for year in (penalty.deadline_provisional_year, penalty.withdrawal_provisional_year):
        if year is not None and (message := provisional_message(year, lang)) not in warnings:
            warnings.append(message)
    late = None
    if penalty.published_on is not None and penalty.publication_due_on is not None:
        late = penalty.published_on > penalty.publication_due_on
    view = penalty_state(penalty)
    view.update(id=penalty.id, status=penalty_status(penalty, on), published_late=late,
                publication_due_provisional=penalty.deadline_provisional_year is not None,
                withdrawal_due_on=penalty.withdrawal_due_on,
                withdrawal_due_provisional=penalty.withdrawal_provisional_year is not None,
                withdrawal_reason=penalty.withdrawal_reason,
                repair_possible_from=repair_possible_from(session, penalty), warnings=warnings)
    return view


def list_penalties(session: Session, *, after_id: int = 0, limit: int = 50, public_only: bool = False,
                   on: date | None = None, q: str | None = None, subject_type: str | None = None,
                   subject_id: int | None = None) -> list[Penalty]:
    """List penalties by id; the public sees only those published and still within their period."""
    on = on or date.today()
    stmt = select(Penalty).where(Penalty.id > after_id)
    if public_only:
        stmt = stmt.where(Penalty.published_on.is_not(None), Penalty.withdrawn_on.is_(None),
                          Penalty.publication_ends_on > on,
                          Penalty.repaired_on.is_(None) | (Penalty.repaired_on > on))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(Penalty.party_name.like(like) | Penalty.party_uscc.like(like)
                          | Penalty.decision_number.like(like))
    if subject_type:
        stmt = stmt.where(Penalty.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(Penalty.subject_id == subject_id)
    return list(session.scalars(stmt.order_by(Penalty.id).limit(limit)))


def overdue_penalties(session: Session, *, on: date | None = None) -> list[Penalty]:
    """Return unpublished penalties past their deadline or whose deadline the calendar cannot compute."""
    on = on or date.today()
    stmt = select(Penalty).where(Penalty.published_on.is_(None), Penalty.withdrawn_on.is_(None),
                                 (Penalty.publication_due_on < on) | Penalty.publication_due_on.is_(None))
    return list(session.scalars(stmt.order_by(Penalty.publication_due_on, Penalty.id)))


def days_late(due_on: date | None, on: date) -> int | None:
    """Return calendar days past a deadline (None when unknown or not yet due)."""
    if due_on is None or on <= due_on:
        return None
    return (on - due_on) // timedelta(days=1)
