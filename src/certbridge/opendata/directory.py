"""The public-service directory: find labs by what they test (product or parameter, standard or method) and
certification bodies by scheme, in a region, and compare them.

Labs are found through their approved capability items (`lab_capability`: category, item, standard); bodies
through the fields of their approval that a scheme belongs to. Each provider is shown with its scope (the
items that matched, or its fields), status and validity, its public credit facts (penalty decisions still
published — the A–D credit-risk class is internal and never shown, docs/opendata.md) and its recent published
spot-check results. Every list is bounded; the queries read the matching providers' rows set-wise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from certbridge.credit.models import Penalty
from certbridge.errors import InvalidInput
from certbridge.registry.models import BodyField, CertificationBody, Lab, LabCapability, Scheme
from certbridge.supervision.models import InspectionTask

MAX_PROVIDERS = 50
ITEMS_SHOWN = 8
CHECKS_SHOWN = 3
MAX_COMPARED = 4


def _like(text: str) -> str:
    return "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _public_facts(session: Session, subject_type: str, ids: list[int], on: date) -> dict[int, dict[str, Any]]:
    facts = {i: {"penalties": [], "spot_checks": []} for i in ids}
    if not ids:
        return facts
    for p in session.scalars(select(Penalty).where(Penalty.subject_type == subject_type, Penalty.subject_id.in_(ids),
                                                   Penalty.publication_ends_on >= on).order_by(Penalty.decided_on.desc())):
        facts[p.subject_id]["penalties"].append({"decision_number": p.decision_number, "decided_on": p.decided_on.isoformat(),
                                                 "violation": p.violation_type, "authority": p.authority})
    for t in session.scalars(select(InspectionTask).where(
            InspectionTask.object_type == subject_type, InspectionTask.object_id.in_(ids),
            InspectionTask.status == "published").order_by(InspectionTask.published_on.desc())):
        checks = facts[t.object_id]["spot_checks"]
        if len(checks) < CHECKS_SHOWN:
            checks.append({"result": t.result, "completed_on": t.completed_on and t.completed_on.isoformat(),
                           "authority": t.authority, "check_type": t.check_type})
    return facts


def search_labs(session: Session, *, parameter: str = "", standard: str = "", region: str = "",
                include_inactive: bool = False, on: date | None = None) -> list[dict[str, Any]]:
    """Return labs approved to test a product or parameter (and/or to a standard), with what matched."""
    on = on or date.today()
    if not parameter.strip() and not standard.strip():
        raise InvalidInput("directory.need_parameter", field="parameter")
    conditions = []
    if parameter.strip():
        conditions.append(or_(LabCapability.item.ilike(_like(parameter), escape="\\"),
                              LabCapability.category.ilike(_like(parameter), escape="\\")))
    if standard.strip():
        conditions.append(LabCapability.standard.ilike(_like(standard), escape="\\"))
    stmt = select(LabCapability.lab_id).join(Lab, Lab.id == LabCapability.lab_id).where(*conditions)
    if region.strip():
        stmt = stmt.where(Lab.region_code.like(region.strip().rstrip("0") + "%"))
    if not include_inactive:
        stmt = stmt.where(Lab.status == "valid", Lab.valid_until >= on)
    ids = list(session.scalars(stmt.group_by(LabCapability.lab_id).order_by(LabCapability.lab_id).limit(MAX_PROVIDERS)))
    labs = {lab.id: lab for lab in session.scalars(select(Lab).where(Lab.id.in_(ids)))} if ids else {}
    items: dict[int, list[dict[str, str | None]]] = {i: [] for i in ids}
    totals = dict(session.execute(select(LabCapability.lab_id, func.count()).where(LabCapability.lab_id.in_(ids))
                                  .group_by(LabCapability.lab_id)).all()) if ids else {}
    for cap in session.scalars(select(LabCapability).where(LabCapability.lab_id.in_(ids), *conditions)
                               .order_by(LabCapability.id)) if ids else []:
        if len(items[cap.lab_id]) < ITEMS_SHOWN:
            items[cap.lab_id].append({"category": cap.category, "item": cap.item, "standard": cap.standard})
    facts = _public_facts(session, "lab", ids, on)
    return [_lab_view(labs[i], items[i], totals.get(i, 0), facts[i], on) for i in ids]


def _lab_view(lab: Lab, matched: list, total: int, facts: dict, on: date) -> dict[str, Any]:
    return {"kind": "lab", "id": lab.id, "name": lab.name, "number": lab.cma_number, "region_code": lab.region_code,
            "status": lab.status, "valid_until": lab.valid_until.isoformat(),
            "active": lab.status == "valid" and lab.valid_until >= on, "matched": matched, "items": total, **facts}


def search_bodies(session: Session, *, scheme: str, region: str = "", on: date | None = None) -> list[dict[str, Any]]:
    """Return approved certification bodies whose approval covers a scheme's field."""
    on = on or date.today()
    found = session.get(Scheme, scheme.strip().upper()) if scheme.strip() else None
    if found is None:
        raise InvalidInput("directory.unknown_scheme", field="scheme", scheme=scheme[:20])
    stmt = (select(CertificationBody).join(BodyField, BodyField.body_id == CertificationBody.id)
            .where(BodyField.field_code == found.field_code, CertificationBody.status == "approved")
            .order_by(CertificationBody.id).limit(MAX_PROVIDERS))
    if region.strip():
        stmt = stmt.where(CertificationBody.region_code.like(region.strip().rstrip("0") + "%"))
    bodies = list(session.scalars(stmt))
    facts = _public_facts(session, "body", [b.id for b in bodies], on)
    return [{"kind": "body", "id": b.id, "name": b.name, "number": b.approval_number, "region_code": b.region_code,
             "status": b.status, "valid_until": b.valid_until and b.valid_until.isoformat(), "active": True,
             "matched": [{"category": f.field_code, "item": "", "standard": None} for f in b.fields], "items": len(b.fields),
             **facts[b.id]} for b in bodies]


def compare_labs(session: Session, *, lab_ids: list[int], on: date | None = None) -> list[dict[str, Any]]:
    """Return up to four labs side by side: status, validity, all their items (up to 30), penalties, spot checks."""
    on = on or date.today()
    ids = list(dict.fromkeys(lab_ids))[:MAX_COMPARED]
    labs = {lab.id: lab for lab in session.scalars(select(Lab).where(Lab.id.in_(ids)))} if ids else {}
    ids = [i for i in ids if i in labs]
    facts = _public_facts(session, "lab", ids, on)
    out = []
    for i in ids:
        caps = list(session.scalars(select(LabCapability).where(LabCapability.lab_id == i).order_by(LabCapability.id)
                                    .limit(30)))
        total = session.scalar(select(func.count()).select_from(LabCapability).where(LabCapability.lab_id == i))
        out.append(_lab_view(labs[i], [{"category": c.category, "item": c.item, "standard": c.standard} for c in caps],
                             total, facts[i], on))
    return out
