"""Credit entries are built from ledger events: the credit feed reads the log forward from its cursor.

An event type maps to entries on the subjects it weighs on. Other capabilities need not call credit:
what they record in the ledger is what credit sees. The complaints capability (not built yet) joins by
recording `complaint.upheld` with `data.organization_id` and/or `data.body_id` (and optionally
`data.upheld_on`); nothing else is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.credit.models import CreditCursor, CreditEntry, DishonestyListing
from certbridge.ledger.journal import LedgerEvent, log_size
from certbridge.registry.models import Restriction

CHINA = timezone(timedelta(hours=8))
SUBJECT_TYPES = ("organization", "body", "person", "lab")
# inspection results (DOMAIN.md values) → credit entry kinds; "passed" lowers the risk
RESULT_KINDS = {
    "no_problem": "check_passed", "corrected": "check_corrected", "pending_follow_up": "check_pending_follow_up",
    "refused_serious": "check_refused_serious", "no_activity": "check_no_activity",
    "unreachable": "check_unreachable",
}
Entry = tuple[str, int, str, date]  # subject type, subject id, kind, occurred on


def _china_date(at: datetime) -> date:
    return at.astimezone(CHINA).date()


def _day(value, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except (TypeError, ValueError):
        return fallback


def _penalty(session: Session, event: LedgerEvent, data: dict) -> Iterator[Entry]:
    state = data.get("state", {})
    if state.get("subject_type") in SUBJECT_TYPES and state.get("subject_id"):
        kind = "penalty_minor" if state.get("minor") else "penalty"
        yield state["subject_type"], int(state["subject_id"]), kind, _day(state.get("decided_on"), _china_date(event.at))


def _inspection(session: Session, event: LedgerEvent, data: dict) -> Iterator[Entry]:
    kind = RESULT_KINDS.get(data.get("result"))
    if kind and data.get("object_type") in SUBJECT_TYPES and data.get("object_id"):
        yield data["object_type"], int(data["object_id"]), kind, _day(data.get("completed_on"), _china_date(event.at))


_HOLDERS = "certbridge.credit.holders"  # session.info: certificate id → holder, read ahead for a batch of events
_CERTIFICATE_EVENTS = ("certificate.suspended", "certificate.withdrawn")


def _holder_of(session: Session, certificate_id: int) -> int | None:
    """The certificate's holder: from the batch's read-ahead (`_read_holders`), else read alone."""
    ahead = session.info.get(_HOLDERS)
    if ahead is not None and certificate_id in ahead:
        return ahead[certificate_id]
    return session.scalar(select(Certificate.organization_id).where(Certificate.id == certificate_id))


def _read_holders(session: Session, events: list[LedgerEvent]) -> dict[int, int | None]:
    """The holders of a batch's suspended and withdrawn certificates, in a few statements (the first sync of a large
    register reads ~10 % of its certificates: one statement each cost the 10 M demo build most of its credit phase).
    A certificate not in the register maps to None, as the one-by-one read gives."""
    ids = sorted({int(e.subject_id) for e in events if e.type in _CERTIFICATE_EVENTS})
    found: dict[int, int | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(session.execute(select(Certificate.id, Certificate.organization_id)
                                     .where(Certificate.id.in_(chunk))).all())
    return found


def _certificate(kind: str, holder_fault_only: bool) -> Callable[[Session, LedgerEvent, dict], Iterator[Entry]]:
    def handler(session: Session, event: LedgerEvent, data: dict) -> Iterator[Entry]:
        if holder_fault_only and data.get("cause") != "holder":
            return
        org_id = _holder_of(session, int(event.subject_id))
        if org_id is not None:
            on = _day(data.get("state", {}).get("status_changed_on"), _china_date(event.at))
            yield "organization", org_id, kind, on
    return handler


def _listed(session: Session, event: LedgerEvent, data: dict) -> Iterator[Entry]:
    state = data.get("state", {})
    yield state["subject_type"], int(state["subject_id"]), "dishonesty_listed", _day(state.get("listed_on"),
                                                                                     _china_date(event.at))


def _restriction(session: Session, event: LedgerEvent, data: dict) -> Iterator[Entry]:
    state = data.get("state", {})
    if state.get("subject_type") == "person" and state.get("kind") in ("barred", "lifetime_ban"):
        yield "person", int(state["subject_id"]), "person_barred", _day(state.get("starts_on"), _china_date(event.at))


def _body(kind: str) -> Callable[[Session, LedgerEvent, dict], Iterator[Entry]]:
    def handler(session: Session, event: LedgerEvent, data: dict) -> Iterator[Entry]:
        yield "body", int(event.subject_id), kind, _china_date(event.at)
    return handler


def _complaint(session: Session, event: LedgerEvent, data: dict) -> Iterator[Entry]:
    on = _day(data.get("upheld_on"), _china_date(event.at))
    for subject_type, key in (("organization", "organization_id"), ("body", "body_id")):
        if data.get(key):
            yield subject_type, int(data[key]), "complaint_upheld", on


HANDLERS: dict[str, Callable[[Session, LedgerEvent, dict], Iterator[Entry]]] = {
    "penalty.decided": _penalty,
    "inspection.result_recorded": _inspection,
    "certificate.suspended": _certificate("certificate_suspended", holder_fault_only=False),
    "certificate.withdrawn": _certificate("certificate_withdrawn", holder_fault_only=True),
    "dishonesty.listed": _listed,
    "restriction.imposed": _restriction,
    "body.suspended": _body("body_suspended"),
    "body.revoked": _body("body_revoked"),
    "complaint.upheld": _complaint,  # the hook for the complaints capability
    # a peer's result or penalty recognized here (监管互认, credit/recognized.py): the same entries as our own
    "recognition.spot_check": _inspection,
    "recognition.penalty": _penalty,
}
# the decision was annulled, or the record repaired (信用修复): its entries stop counting
VOIDING = {"penalty.withdrawn": "penalty", "penalty.repaired": "penalty", "recognition.withdrawn": "recognized_fact"}


def _listing_subject(session: Session, event: LedgerEvent) -> set[tuple[str, int]]:
    row = session.get(DishonestyListing, int(event.subject_id))
    return {(row.subject_type, row.subject_id)} if row is not None else set()


def _lifted_subject(session: Session, event: LedgerEvent) -> set[tuple[str, int]]:
    row = session.get(Restriction, int(event.subject_id))
    return {(row.subject_type, row.subject_id)} if row is not None and row.subject_type in SUBJECT_TYPES else set()


# events that add no entry but change what a score is made of (a listing's end sets the class floor free)
RESCORING: dict[str, Callable[[Session, LedgerEvent], set[tuple[str, int]]]] = {
    "dishonesty.removed": _listing_subject, "dishonesty.ended": _listing_subject, "restriction.lifted": _lifted_subject,
}
TYPES = tuple(HANDLERS) + tuple(VOIDING) + tuple(RESCORING)


def credit_pending(session: Session) -> bool:
    """Tell whether the log holds events the credit feed has not read yet (one or two cheap reads)."""
    cursor = session.get(CreditCursor, 1)
    last = cursor.last_seq if cursor is not None else -1
    return log_size(session) - 1 > last


def sync_credit_entries(session: Session, *, batch: int = 5000) -> set[tuple[str, int]]:
    """Read new ledger events into credit entries; return the subjects whose entries changed."""
    cursor = session.get(CreditCursor, 1, with_for_update=True)
    if cursor is None:
        cursor = CreditCursor(id=1, last_seq=-1)
        session.add(cursor)
        session.flush()
    end = log_size(session) - 1
    touched: set[tuple[str, int]] = set()
    types = TYPES
    while cursor.last_seq < end:
        events = list(session.scalars(
            select(LedgerEvent).where(LedgerEvent.seq > cursor.last_seq, LedgerEvent.seq <= end,
                                      LedgerEvent.type.in_(types)).order_by(LedgerEvent.seq).limit(batch)))
        session.info[_HOLDERS] = _read_holders(session, events)
        try:
            for event in events:
                touched |= _apply(session, event)
        finally:
            session.info.pop(_HOLDERS, None)
        cursor.last_seq = events[-1].seq if len(events) == batch else end
        session.flush()
    return touched


def _apply(session: Session, event: LedgerEvent) -> set[tuple[str, int]]:
    if event.type in RESCORING:
        return RESCORING[event.type](session, event)
    data = event.data
    if event.type in VOIDING:
        source_type = VOIDING[event.type]
        entries = list(session.scalars(select(CreditEntry).where(CreditEntry.source_type == source_type,
                                                                 CreditEntry.source_id == event.subject_id)))
        session.execute(update(CreditEntry).where(CreditEntry.source_type == source_type,
                                                  CreditEntry.source_id == event.subject_id).values(void=True))
        return {(e.subject_type, e.subject_id) for e in entries}
    touched = set()
    for subject_type, subject_id, kind, on in HANDLERS[event.type](session, event, data):
        session.add(CreditEntry(subject_type=subject_type, subject_id=subject_id, kind=kind, occurred_on=on,
                                source_seq=event.seq, source_type=event.subject_type, source_id=event.subject_id))
        touched.add((subject_type, subject_id))
    return touched
