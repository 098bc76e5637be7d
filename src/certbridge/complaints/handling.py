"""A regulator handles complaints within DOMAIN.md's limits, in working days counted from the day after each act:

accept or reject within 7 working days of filing; leads verified within 15 working days of acceptance,
extendable once by 15; mediation ends 45 working days after it starts. A complaint can be transferred to
another region's regulator and linked to the certificates, bodies, organizations and people concerned. An
upheld complaint records `complaint.upheld`, which credit reads as a credit entry of the organization and the
body concerned (credit/feed.py), and the risk signals count.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.complaints.filing import complaint_state
from certbridge.complaints.models import Complaint, ComplaintLink
from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event, subject_history
from certbridge.licensing.deadlines import calendar_for, workday_deadline
from certbridge.policy import require_regulator, require_regulator_reader
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Organization, Person, Region

VERIFY_WORKDAYS, MEDIATION_WORKDAYS = 15, 45
OPEN = ("received", "accepted", "investigating", "mediating")
RESULTS = ("upheld", "not_upheld", "mediated")
LINK_TARGETS = {"certificate": Certificate, "body": CertificationBody, "organization": Organization, "person": Person}
# action → the statuses it may start from
FROM = {"accept": ("received",), "reject": ("received",), "investigate": ("accepted",),
        "mediate": ("accepted", "investigating"), "extend": ("accepted", "investigating"),
        "close": ("accepted", "investigating", "mediating")}


PUBLIC_STEPS = ("complaint.filed", "complaint.accepted", "complaint.rejected", "complaint.investigating",
                "complaint.verification_extended", "complaint.mediating", "complaint.transferred", "complaint.closed")


def get_complaint(session: Session, complaint_id: int) -> Complaint:
    """Return a complaint or raise NotFound."""
    item = session.get(Complaint, complaint_id)
    if item is None:
        raise NotFound("not_found")
    return item


def _open(session: Session, principal: Principal, complaint_id: int, action: str) -> Complaint:
    require_regulator(principal)
    item = get_complaint(session, complaint_id)
    if item.status not in FROM[action]:
        raise RuleViolation("complaint.transition", action=action, status=item.status)
    return item


def _note(note: str | None, required: bool = True) -> str | None:
    note = (note or "").strip()
    if required and not note:
        raise InvalidInput("field.required", field="note")
    if len(note) > 4000:
        raise InvalidInput("field.too_long", field="note", max=4000)
    return note or None


def _record(session: Session, principal: Principal, item: Complaint, action: str, **data) -> None:
    session.flush()
    record_event(session, type=f"complaint.{action}", subject_type="complaint", subject_id=item.id,
                 actor=principal.actor, public=False, data={"state": complaint_state(item), **data})


def accept(session: Session, *, principal: Principal, complaint_id: int, on: date | None = None) -> Complaint:
    """Accept a complaint: the 15 working days to verify its leads start."""
    on = on or date.today()
    item = _open(session, principal, complaint_id, "accept")
    item.status, item.accepted_on = "accepted", on
    item.verify_due_on = workday_deadline(calendar_for(), on, VERIFY_WORKDAYS, session).due_on
    _record(session, principal, item, "accepted", late=on > item.accept_due_on)
    return item


def reject(session: Session, *, principal: Principal, complaint_id: int, note: str | None,
           on: date | None = None) -> Complaint:
    """Reject a complaint with the reason (the filer sees it on the progress page)."""
    item = _open(session, principal, complaint_id, "reject")
    item.status, item.result, item.result_note, item.closed_on = "rejected", "rejected", _note(note), on or date.today()
    _record(session, principal, item, "rejected")
    return item


def investigate(session: Session, *, principal: Principal, complaint_id: int, note: str | None = None) -> Complaint:
    """Start verifying the leads (within the deadline counted from acceptance)."""
    item = _open(session, principal, complaint_id, "investigate")
    item.status = "investigating"
    _record(session, principal, item, "investigating", note=_note(note, required=False))
    return item


def extend(session: Session, *, principal: Principal, complaint_id: int, note: str | None) -> Complaint:
    """Extend the verification once by 15 working days, with the reason."""
    item = _open(session, principal, complaint_id, "extend")
    if item.verify_extended:
        raise RuleViolation("complaint.already_extended")
    item.verify_extended = True
    item.verify_due_on = workday_deadline(calendar_for(), item.verify_due_on, VERIFY_WORKDAYS, session).due_on
    _record(session, principal, item, "verification_extended", note=_note(note))
    return item


def mediate(session: Session, *, principal: Principal, complaint_id: int, on: date | None = None) -> Complaint:
    """Start mediation: it ends after 45 working days."""
    on = on or date.today()
    item = _open(session, principal, complaint_id, "mediate")
    item.status = "mediating"
    item.mediation_due_on = workday_deadline(calendar_for(), on, MEDIATION_WORKDAYS, session).due_on
    _record(session, principal, item, "mediating")
    return item


def close(session: Session, *, principal: Principal, complaint_id: int, result: str, note: str | None,
          on: date | None = None) -> Complaint:
    """Close a complaint with its result; an upheld one weighs on the credit of the organization and body."""
    on = on or date.today()
    item = _open(session, principal, complaint_id, "close")
    if result not in RESULTS:
        raise InvalidInput("complaint.result", field="result", allowed="、".join(RESULTS))
    item.status, item.result, item.result_note, item.closed_on = "closed", result, _note(note), on
    _record(session, principal, item, "closed")
    if result == "upheld":
        record_event(session, type="complaint.upheld", subject_type="complaint", subject_id=item.id,
                     actor=principal.actor, public=False,
                     data={"organization_id": item.organization_id, "body_id": item.body_id, "upheld_on": on,
                           "kind": item.kind, "people": linked_ids(session, item.id, "person")})
    return item


def transfer(session: Session, *, principal: Principal, complaint_id: int, region_code: str | None,
             note: str | None) -> Complaint:
    """Hand an open complaint to another region's regulator, with the reason."""
    require_regulator(principal)
    item = get_complaint(session, complaint_id)
    if item.status not in OPEN:
        raise RuleViolation("complaint.transition", action="transfer", status=item.status)
    code = (region_code or "").strip()
    if not code:
        raise InvalidInput("field.required", field="region_code")
    if session.get(Region, code) is None:
        raise InvalidInput("complaint.region_unknown", field="region_code", code=code)
    if code == item.region_code:
        raise RuleViolation("complaint.same_region", code=code)
    previous, item.region_code = item.region_code, code
    _record(session, principal, item, "transferred", previous_region=previous, note=_note(note))
    return item


def link(session: Session, *, principal: Principal, complaint_id: int, target_type: str,
         target_id: int | None) -> ComplaintLink:
    """Link a complaint to a certificate, body, organization or person concerned."""
    require_regulator(principal)
    item = get_complaint(session, complaint_id)
    model = LINK_TARGETS.get(target_type)
    if model is None:
        raise InvalidInput("complaint.link_type", field="target_type", allowed="、".join(LINK_TARGETS))
    if not target_id or session.get(model, target_id) is None:
        raise InvalidInput("complaint.link_unknown", field="target_id", kind=target_type, id=target_id or "")
    if session.get(ComplaintLink, (item.id, target_type, target_id)) is not None:
        raise RuleViolation("complaint.already_linked", kind=target_type, id=target_id)
    row = ComplaintLink(complaint_id=item.id, target_type=target_type, target_id=target_id)
    session.add(row)
    _record(session, principal, item, "linked", target_type=target_type, target_id=target_id)
    return row


def linked_ids(session: Session, complaint_id: int, target_type: str) -> list[int]:
    """Return the ids of one kind of thing linked to a complaint."""
    return sorted(session.scalars(select(ComplaintLink.target_id).where(
        ComplaintLink.complaint_id == complaint_id, ComplaintLink.target_type == target_type)))


def overdue(item: Complaint, today: date) -> str | None:
    """Return which deadline an open complaint has missed (accept, verify, mediation), None if none."""
    if item.status == "received" and item.accept_due_on < today:
        return "accept"
    if item.status in ("accepted", "investigating") and item.verify_due_on and item.verify_due_on < today:
        return "verify"
    if item.status == "mediating" and item.mediation_due_on and item.mediation_due_on < today:
        return "mediation"
    return None


def list_complaints(session: Session, *, principal: Principal, status: str | None = None, region: str | None = None,
                    after_id: int = 0, limit: int = 50) -> list[Complaint]:
    """List complaints newest first (regulators), by status group (open, closed) and responsible region."""
    require_regulator_reader(principal)
    stmt = select(Complaint)
    if status == "open":
        stmt = stmt.where(Complaint.status.in_(OPEN))
    elif status == "closed":
        stmt = stmt.where(Complaint.status.in_(("closed", "rejected")))
    if region:
        stmt = stmt.where(Complaint.region_code == region)
    if after_id:
        stmt = stmt.where(Complaint.id < after_id)
    return list(session.scalars(stmt.order_by(Complaint.id.desc()).limit(limit)))


def count_overdue(session: Session, today: date) -> int:
    """Return how many open complaints are past a deadline."""
    return sum(1 for item in session.scalars(select(Complaint).where(Complaint.status.in_(OPEN), or_(
        and_(Complaint.status == "received", Complaint.accept_due_on < today),
        Complaint.verify_due_on < today, Complaint.mediation_due_on < today))) if overdue(item, today))


def complaints_about(session: Session, subject_type: str, subject_id: int) -> list[Complaint]:
    """Return the complaints that concern a body, organization, certificate or person (named or linked)."""
    column = {"body": Complaint.body_id, "organization": Complaint.organization_id,
              "certificate": Complaint.certificate_id}.get(subject_type)
    linked = select(ComplaintLink.complaint_id).where(ComplaintLink.target_type == subject_type,
                                                      ComplaintLink.target_id == subject_id)
    cond = Complaint.id.in_(linked) if column is None else or_(column == subject_id, Complaint.id.in_(linked))
    return list(session.scalars(select(Complaint).where(cond).order_by(Complaint.id)))


def public_steps(session: Session, item: Complaint) -> list[tuple]:
    """Return the (time, event type) of the steps a filer sees (links and notes stay with the regulator)."""
    return [(e.at, e.type) for e in subject_history(session, "complaint", item.id) if e.type in PUBLIC_STEPS]


def apply_action(session: Session, *, principal: Principal, complaint_id: int, action: str, note: str | None = None,
                 result: str | None = None, region_code: str | None = None, target_type: str | None = None,
                 target_id: int | None = None) -> Complaint:
    """Apply one handling step by its name (the page's and the API's one door); unknown names are not found."""
    if action in ("accept", "mediate"):
        return ACTS[action](session, principal=principal, complaint_id=complaint_id)
    if action in ("reject", "extend", "investigate"):
        return ACTS[action](session, principal=principal, complaint_id=complaint_id, note=note)
    if action == "close":
        return close(session, principal=principal, complaint_id=complaint_id, result=result or "", note=note)
    if action == "transfer":
        return transfer(session, principal=principal, complaint_id=complaint_id, region_code=region_code, note=note)
    if action == "link":
        link(session, principal=principal, complaint_id=complaint_id, target_type=target_type or "",
             target_id=target_id)
        return get_complaint(session, complaint_id)
    raise NotFound("not_found")


ACTS = {"accept": accept, "mediate": mediate, "reject": reject, "extend": extend, "investigate": investigate}
ACTIONS = ("accept", "reject", "investigate", "extend", "mediate", "close", "transfer", "link")


def allowed_actions(item: Complaint) -> list[str]:
    """Return the steps a complaint's status allows."""
    allowed = [a for a, starts in FROM.items() if item.status in starts]
    return allowed + ["transfer"] if item.status in OPEN else allowed
