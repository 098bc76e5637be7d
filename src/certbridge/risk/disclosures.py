"""Bodies' public commitments (公开承诺) and annual work reports (年度工作报告), and the late-report signal.

A certification body (its operators, or a regulator for it) publishes its commitment and files one annual report
per year, due under `disclosure_rule` (data: by 31 March of the following year, from the first year the rule
names). A report carries the body's own text and the figures certbridge counted when it was filed: certificates
issued in the year, registered auditors, complaints received and handled. Both are public on the body's page and
in the log (`body.commitment_published`, `body.annual_report_filed`, subject: the body, so the risk follower
recomputes that body). The `late_report` signal counts the reports due in its window filed late or still missing.
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.complaints.models import Complaint
from certbridge.errors import InvalidInput, NotFound, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.policy import require_body_operator, require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Person
from certbridge.risk.models import BodyDisclosure, DisclosureRule

TEXT_MAX = 20000
ENDED = ("revoked", "withdrawn")


@dataclass(frozen=True)
class Rule:
    """When an annual report is due: by month/day of the year after it covers, from `first_year` on."""

    due_month: int
    due_day: int
    first_year: int

    def due_on(self, year: int) -> date:
        """Return the due date of the report on `year`."""
        return date(year + 1, self.due_month, min(self.due_day, monthrange(year + 1, self.due_month)[1]))


def report_rule(session: Session) -> Rule:
    """Return the annual report's due rule (31 March, from 2026, where the table has no row)."""
    row = session.get(DisclosureRule, "annual_report")
    return Rule(row.due_month, row.due_day, row.first_year) if row is not None else Rule(3, 31, 2026)


def set_report_rule(session: Session, *, principal: Principal, due_month: int, due_day: int,
                    first_year: int) -> Rule:
    """Change when annual reports are due (regulators; recorded in the log)."""
    require_regulator(principal)
    if not 1 <= due_month <= 12 or not 1 <= due_day <= monthrange(2001, due_month)[1]:
        raise InvalidInput("disclosure.due_date", field="due_day")
    if not 2000 <= first_year <= 2100:
        raise InvalidInput("disclosure.year", field="first_year")
    row = session.get(DisclosureRule, "annual_report") or DisclosureRule(kind="annual_report")
    row.due_month, row.due_day, row.first_year = due_month, due_day, first_year
    session.add(row)
    session.flush()
    record_event(session, type="disclosure.rule_set", subject_type="disclosure_rule", subject_id="annual_report",
                 actor=principal.actor, data={"state": {"due_month": due_month, "due_day": due_day,
                                                        "first_year": first_year}})
    return Rule(due_month, due_day, first_year)


def _body(session: Session, body_id: int) -> CertificationBody:
    body = session.get(CertificationBody, body_id)
    if body is None:
        raise NotFound("not_found")
    return body


def _text(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput("field.required", field="text")
    if len(value) > TEXT_MAX:
        raise InvalidInput("field.too_long", field="text", max=TEXT_MAX)
    return value


def report_figures(session: Session, body_id: int, year: int) -> dict[str, int]:
    """Count what a body's annual report discloses: certificates issued in the year, its registered auditors,
    complaints about it received in the year and those closed in the year."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    issued = session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.body_id == body_id, Certificate.issued_on >= first, Certificate.issued_on <= last)) or 0
    auditors = session.scalar(select(func.count()).select_from(Person).where(
        Person.body_id == body_id, Person.kind == "auditor")) or 0
    received = session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.body_id == body_id, Complaint.filed_on >= first, Complaint.filed_on <= last)) or 0
    handled = session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.body_id == body_id, Complaint.closed_on >= first, Complaint.closed_on <= last)) or 0
    return {"certificates_issued": issued, "auditors": auditors, "complaints_received": received,
            "complaints_handled": handled}


def file_annual_report(session: Session, *, principal: Principal, body_id: int, year: int, text: str | None,
                       on: date | None = None) -> BodyDisclosure:
    """File a body's annual report on a past year (once per year); late if after the due date."""
    on = on or date.today()
    require_body_operator(principal, body_id)
    _body(session, body_id)
    rule = report_rule(session)
    if not rule.first_year <= year < on.year:
        raise InvalidInput("disclosure.year_range", field="year", first=rule.first_year, last=on.year - 1)
    if session.scalar(select(BodyDisclosure.id).where(BodyDisclosure.body_id == body_id,
                                                      BodyDisclosure.kind == "annual_report",
                                                      BodyDisclosure.year == year)) is not None:
        raise RuleViolation("disclosure.already_filed", year=year)
    item = BodyDisclosure(body_id=body_id, kind="annual_report", year=year, text=_text(text), filed_on=on,
                          figures=report_figures(session, body_id, year), due_on=rule.due_on(year),
                          filed_by=principal.actor)
    session.add(item)
    session.flush()
    record_event(session, type="body.annual_report_filed", subject_type="body", subject_id=body_id,
                 actor=principal.actor, data={"disclosure_id": item.id, "year": year, "text": item.text,
                                              "figures": item.figures, "filed_on": on, "due_on": item.due_on,
                                              "late": on > item.due_on})
    return item


def publish_commitment(session: Session, *, principal: Principal, body_id: int, text: str | None,
                       on: date | None = None) -> BodyDisclosure:
    """Publish a body's public commitment; it replaces the one before on the body's page."""
    on = on or date.today()
    require_body_operator(principal, body_id)
    _body(session, body_id)
    item = BodyDisclosure(body_id=body_id, kind="commitment", text=_text(text), figures={}, filed_on=on,
                          filed_by=principal.actor)
    session.add(item)
    session.flush()
    record_event(session, type="body.commitment_published", subject_type="body", subject_id=body_id,
                 actor=principal.actor, data={"disclosure_id": item.id, "text": item.text, "published_on": on})
    return item


def _required(body: CertificationBody, year: int) -> bool:
    """Tell whether a body owed a report on `year`: approved by its end, its approval not ended before it."""
    ended_before = body.status in ENDED and body.status_changed_on is not None and \
        body.status_changed_on < date(year, 12, 31)
    return body.approved_on <= date(year, 12, 31) and not ended_before


def body_disclosures(session: Session, body_id: int, today: date | None = None) -> dict:
    """Return a body's current commitment, its annual reports (newest first) and the years due but not filed."""
    today = today or date.today()
    body = _body(session, body_id)
    rows = list(session.scalars(select(BodyDisclosure).where(BodyDisclosure.body_id == body_id)
                                .order_by(BodyDisclosure.id.desc())))
    reports = sorted((r for r in rows if r.kind == "annual_report"), key=lambda r: r.year, reverse=True)
    rule = report_rule(session)
    filed = {r.year for r in reports}
    missing = [{"year": y, "due_on": rule.due_on(y)} for y in range(today.year - 1, rule.first_year - 1, -1)
               if y not in filed and rule.due_on(y) < today and _required(body, y)]
    return {"commitment": next((r for r in rows if r.kind == "commitment"), None), "reports": reports,
            "missing": missing, "rule": rule}


def late_report(session: Session, kind: str, ids: list[int] | None, today: date, window: int) -> dict:
    """Signal `late_report` (bodies): annual reports due in the window, filed after their due date or missing."""
    rule = report_rule(session)
    since = today - timedelta(days=window)
    years = [y for y in range(rule.first_year, today.year) if since < rule.due_on(y) < today]
    if not years:
        return {}
    bodies = select(CertificationBody)
    if ids is not None:
        bodies = bodies.where(CertificationBody.id.in_(list(ids)))
    filed: dict[int, dict[int, date]] = defaultdict(dict)
    stmt = select(BodyDisclosure.body_id, BodyDisclosure.year, BodyDisclosure.filed_on).where(
        BodyDisclosure.kind == "annual_report", BodyDisclosure.year.in_(years))
    if ids is not None:
        stmt = stmt.where(BodyDisclosure.body_id.in_(list(ids)))
    for body_id, year, filed_on in session.execute(stmt):
        filed[body_id][year] = filed_on
    out = {}
    for body in session.scalars(bodies.where(or_(CertificationBody.status.not_in(ENDED),
                                                 CertificationBody.status_changed_on >= date(min(years), 12, 31)))):
        items = []
        for year in years:
            due, on = rule.due_on(year), filed[body.id].get(year)
            if not _required(body, year) or (on is not None and on <= due):
                continue
            items.append({"year": year, "due_on": due.isoformat(), "filed_on": on.isoformat() if on else None,
                          "days_late": ((on or today) - due).days})
        if items:
            out[body.id] = (float(len(items)), {"reports": items})
    return out
