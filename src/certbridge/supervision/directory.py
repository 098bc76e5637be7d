"""The two directories of 双随机: objects (a query over the registries, never a copy) and inspectors
(people of kind inspector/expert with their employer, region, declared relationships and past inspections)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, and_, literal, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.effective_status_sql import status_filter
from certbridge.certificates.models import Certificate
from certbridge.errors import Forbidden, InvalidInput, NotFound
from certbridge.kit.uscc import validate_uscc
from certbridge.ledger.journal import record_event
from certbridge.policy import require_authenticated, require_writer
from certbridge.principal import Principal
from certbridge.registry.avoidance import INSPECTOR_BARS  # noqa: F401  (re-exported for supervision)
from certbridge.registry.models import BodyField, CertificationBody, Lab, Organization, Person, Scheme
from certbridge.registry.regions import region_and_descendants
from certbridge.registry.restrictions import active_restrictions
from certbridge.supervision.models import InspectionHistory, InspectionTask, InspectorRelationship, TaskInspector

OBJECT_MODELS = {"organization": Organization, "body": CertificationBody, "lab": Lab}
RELATIONSHIP_KINDS = ("relative", "consulting", "former_employee", "shareholding", "other")


@dataclass(frozen=True)
class ObjectFilter:
    """Which objects of the directory: one kind, optionally by region (with descendants), scheme, field."""

    kind: str
    region: str | None = None
    scheme: str | None = None
    field: str | None = None


@dataclass
class ObjectRow:
    """One object of the directory."""

    kind: str
    id: int
    name: str
    uscc: str | None
    region_code: str | None

    @property
    def key(self) -> str:
        """Return the object's key in draws: kind and id."""
        return f"{self.kind}:{self.id}"


def object_key(kind: str, object_id: int) -> str:
    """Return the key of an object in draws and exports."""
    return f"{kind}:{object_id}"


def query_objects(session: Session, flt: ObjectFilter, *, on: date, after_id: int = 0,
                  limit: int | None = None) -> list[ObjectRow]:
    """Return the objects a filter selects on `on`, by id: bodies, certified organizations (holding a certificate
    whose effective status that day is valid) or labs."""
    if flt.kind not in OBJECT_MODELS:
        raise InvalidInput("directory.kind_unknown", field="kind", value=flt.kind)
    codes = region_and_descendants(session, flt.region) if flt.region else None
    if flt.kind == "organization":
        cert = [Certificate.organization_id == Organization.id, valid_on(on)]
        if flt.scheme:
            cert.append(Certificate.scheme_code == flt.scheme.upper())
        if flt.field:
            cert.append(Certificate.scheme_code.in_(select(Scheme.code).where(Scheme.field_code == flt.field)))
        if codes:
            cert.append(or_(Certificate.region_code.in_(codes), Organization.region_code.in_(codes)))
        stmt = (select(Organization.id, Organization.name, Organization.uscc, Organization.region_code)
                .where(Organization.merged_into_id.is_(None), Organization.id > after_id,
                       select(Certificate.id).where(and_(*cert)).exists()))
        model = Organization
    elif flt.kind == "body":
        stmt = select(CertificationBody.id, CertificationBody.name, CertificationBody.uscc,
                      CertificationBody.region_code).where(CertificationBody.status.in_(("approved", "suspended")),
                                                           CertificationBody.id > after_id)
        fields = [flt.field] if flt.field else []
        if flt.scheme:
            scheme = session.get(Scheme, flt.scheme.upper())
            fields.append(scheme.field_code if scheme else "—")
        for code in fields:
            stmt = stmt.where(select(BodyField.body_id).where(BodyField.body_id == CertificationBody.id,
                                                              BodyField.field_code == code).exists())
        if codes:
            stmt = stmt.where(CertificationBody.region_code.in_(codes))
        model = CertificationBody
    else:
        if flt.scheme or flt.field:
            raise InvalidInput("batch.scope_not_for_labs", field="scheme")
        stmt = select(Lab.id, Lab.name, Lab.uscc, Lab.region_code).where(Lab.status == "valid", Lab.id > after_id)
        if codes:
            stmt = stmt.where(Lab.region_code.in_(codes))
        model = Lab
    stmt = stmt.order_by(model.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [ObjectRow(flt.kind, i, n, u, r) for i, n, u, r in session.execute(stmt)]


def valid_on(on: date):
    """The condition "the certificate's effective status on `on` is valid" (its own dates, its body's approval
    and grace period, its standard's transition: `certificates.effective_status_sql`)."""
    return status_filter("valid", literal(on, Date))


def certificates_of(session: Session, organization_ids: list[int], on: date) -> dict[int, list[dict[str, Any]]]:
    """Return the schemes and regions of some organizations' certificates valid on `on` (effective status)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not organization_ids:
        return found
    stmt = (select(Certificate.organization_id, Certificate.scheme_code, Certificate.region_code, Certificate.number)
            .where(Certificate.organization_id.in_(organization_ids), valid_on(on)).order_by(Certificate.id))
    for org_id, scheme, region, number in session.execute(stmt):
        found[org_id].append({"scheme": scheme, "region_code": region, "number": number})
    return found


def get_object(session: Session, kind: str, object_id: int):
    """Get a registry record that can be a spot-check object."""
    model = OBJECT_MODELS.get(kind)
    item = session.get(model, object_id) if model else None
    if item is None:
        raise InvalidInput("directory.object_unknown", field="object_id", kind=kind, id=object_id)
    return item


def require_inspector_or_regulator(principal: Principal, person_id: int) -> None:
    """Refuse anyone but a regulator or that inspector."""
    require_authenticated(principal)
    if principal.is_regulator:
        return
    if principal.role != "inspector" or principal.person_id != person_id:
        raise Forbidden("inspection.not_your_record")


def get_inspector(session: Session, person_id: int) -> Person:
    """Get an inspector or expert by id."""
    person = session.get(Person, person_id)
    if person is None or person.kind not in ("inspector", "expert"):
        raise NotFound("inspector.not_found", id=person_id)
    return person


def declare_relationship(session: Session, *, principal: Principal, person_id: int, kind: str, declared_on: date,
                         object_type: str | None = None, object_id: int | None = None, party_name: str | None = None,
                         party_uscc: str | None = None, note: str | None = None,
                         ends_on: date | None = None) -> InspectorRelationship:
    """Declare an inspector's or expert's relationship (the person or a regulator) with a registry record, or with
    a party by name and USCC (an applicant not yet licensed); it forces recusal from draws and review teams."""
    require_writer(principal)
    require_inspector_or_regulator(principal, person_id)
    get_inspector(session, person_id)
    party_name = (party_name or "").strip() or None
    party_uscc = (party_uscc or "").strip().upper() or None
    if object_type is not None or object_id is not None:
        get_object(session, object_type or "", object_id or 0)
    elif party_name is None and party_uscc is None:
        raise InvalidInput("inspector.relationship_party", field="party_name")
    if party_uscc is not None and not validate_uscc(party_uscc).is_valid:
        raise InvalidInput("inspector.relationship_uscc", field="party_uscc", value=party_uscc[:20])
    if kind not in RELATIONSHIP_KINDS:
        raise InvalidInput("inspector.relationship_kind", field="kind", kind=kind)
    if ends_on is not None and ends_on < declared_on:
        raise InvalidInput("date.order", field="ends_on", start=declared_on, end=ends_on)
    item = InspectorRelationship(person_id=person_id, object_type=object_type, object_id=object_id, kind=kind,
                                 party_name=party_name, party_uscc=party_uscc, note=note, declared_on=declared_on,
                                 ends_on=ends_on)
    session.add(item)
    session.flush()
    # Who is related to whom stays internal; the draw only publishes that a conflict was declared.
    record_event(session, type="inspector.relationship_declared", subject_type="inspector_relationship",
                 subject_id=item.id, actor=principal.actor, public=False,
                 data={"state": {"person_id": person_id, "object_type": object_type, "object_id": object_id,
                                 "party_name": party_name, "party_uscc": party_uscc, "kind": kind,
                                 "declared_on": declared_on, "ends_on": ends_on}})
    return item


def relationship_party(rel: InspectorRelationship) -> str:
    """Return whom a declaration names: the record's key (body:3), or the party's name and USCC."""
    if rel.object_type is not None and rel.object_id is not None:
        return object_key(rel.object_type, rel.object_id)
    return " ".join(p for p in (rel.party_name, rel.party_uscc and f"({rel.party_uscc})") if p)


def record_past_inspection(session: Session, *, principal: Principal, person_id: int, object_type: str,
                           object_id: int, inspected_on: date, source: str) -> InspectionHistory:
    """Record an inspection made outside the platform, so the recent-inspection rule sees it."""
    require_writer(principal)
    require_inspector_or_regulator(principal, person_id)
    get_inspector(session, person_id)
    get_object(session, object_type, object_id)
    item = InspectionHistory(person_id=person_id, object_type=object_type, object_id=object_id,
                             inspected_on=inspected_on, source=source.strip())
    session.add(item)
    session.flush()
    record_event(session, type="inspector.history_recorded", subject_type="inspection_history", subject_id=item.id,
                 actor=principal.actor, public=False,
                 data={"state": {"person_id": person_id, "object_type": object_type, "object_id": object_id,
                                 "inspected_on": inspected_on, "source": item.source}})
    return item


def list_inspectors(session: Session, *, include_experts: bool = True, region: str | None = None,
                    after_id: int = 0, limit: int | None = None) -> list[Person]:
    """List the inspector directory (inspectors, and experts unless excluded), by id."""
    kinds = ("inspector", "expert") if include_experts else ("inspector",)
    stmt = select(Person).where(Person.kind.in_(kinds), Person.id > after_id)
    if region:
        stmt = stmt.where(Person.region_code.in_(region_and_descendants(session, region)))
    stmt = stmt.order_by(Person.id)
    return list(session.scalars(stmt.limit(limit) if limit else stmt))


def inspector_profile(session: Session, person: Person, on: date) -> dict[str, Any]:
    """Return an inspector's directory entry: employer, region, relationships, past inspections, bars."""
    relationships = session.scalars(select(InspectorRelationship).where(InspectorRelationship.person_id == person.id)
                                    .order_by(InspectorRelationship.id))
    manual = session.scalars(select(InspectionHistory).where(InspectionHistory.person_id == person.id)
                             .order_by(InspectionHistory.inspected_on.desc()))
    tasks = session.execute(
        select(InspectionTask.id, InspectionTask.object_key, InspectionTask.object_name, InspectionTask.drawn_on,
               InspectionTask.status)
        .join(TaskInspector, TaskInspector.task_id == InspectionTask.id)
        .where(TaskInspector.person_id == person.id, TaskInspector.active.is_(True))
        .order_by(InspectionTask.drawn_on.desc()))
    bars = active_restrictions(session, "person", person.id, on, INSPECTOR_BARS)
    return {
        "id": person.id, "name": person.name, "kind": person.kind, "employer": person.employer,
        "body_id": person.body_id, "region_code": person.region_code,
        "barred": [{"kind": r.kind, "reason": r.reason, "ends_on": r.ends_on} for r in bars],
        "relationships": [{"id": r.id, "object": relationship_party(r), "kind": r.kind,
                           "note": r.note, "declared_on": r.declared_on, "ends_on": r.ends_on,
                           "withdrawn_on": r.withdrawn_on, "withdrawal_reason": r.withdrawal_reason}
                          for r in relationships],
        "history": [{"object": object_key(h.object_type, h.object_id), "inspected_on": h.inspected_on,
                     "source": h.source} for h in manual]
                   + [{"object": key, "inspected_on": drawn, "source": f"task:{tid}", "object_name": name,
                       "status": status} for tid, key, name, drawn, status in tasks],
    }
