"""Public directories: certification bodies (fields, validity, standing) and labs (qualification, capabilities)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request
from sqlalchemy import func, select

from certbridge.api.deps import ReadDB
from certbridge.api.pagination import decode_cursor, encode_cursor
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.certificates.effective_status_sql import effective_status_sql
from certbridge.certificates.models import Certificate
from certbridge.registry import choices as lookups
from certbridge.registry.bodies import BODY_STATUSES, get_body
from certbridge.registry.labs import get_lab
from certbridge.registry.models import BodyField, CertificationBody, Lab, LabCapability
from certbridge.registry.restrictions import active_restrictions
from certbridge.web.csrf import require_csrf
from certbridge.web.i18n import request_language
from certbridge.web.slots import slot_values
from certbridge.web.templating import query_url, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
PAGE_SIZE = 50
LAB_STATUSES = ("valid", "suspended", "revoked", "expired")


@router.get("/bodies")
def bodies(request: Request, db: ReadDB):
    """List certification bodies with their approved fields, validity and standing."""
    lang = request_language(request)
    qp = request.query_params
    status = qp.get("status") if qp.get("status") in BODY_STATUSES else None
    field = (qp.get("field") or "")[:20] or None
    q = (qp.get("q") or "").strip()[:60] or None
    stmt = select(CertificationBody).where(CertificationBody.id > decode_cursor(qp.get("cursor")))
    if status:
        stmt = stmt.where(CertificationBody.status == status)
    if field:
        stmt = stmt.where(CertificationBody.id.in_(select(BodyField.body_id).where(BodyField.field_code == field)))
    if q:
        stmt = stmt.where(func.lower(CertificationBody.name).contains(q.lower()) | (CertificationBody.code == q.upper())
                          | (CertificationBody.approval_number == q.upper()))
    items = list(db.scalars(stmt.order_by(CertificationBody.id).limit(PAGE_SIZE + 1)))
    values = {k: v for k, v in {"status": status, "field": field, "q": q}.items() if v}
    next_url = (query_url("/bodies", values, cursor=encode_cursor(items[PAGE_SIZE - 1].id))
                if len(items) > PAGE_SIZE else None)
    today = date.today()
    return render(request, "portal/bodies.html", {
        "bodies": [{"b": b, "name": lookups.body_name(b, lang), "lapsed": bool(b.valid_until and b.valid_until < today),
                    "restrictions": active_restrictions(db, "body", b.id, today)} for b in items[:PAGE_SIZE]],
        "values": values, "next_url": next_url, "field_names": lookups.field_names(db, lang),
        "fields": lookups.field_options(db, lang),
        "statuses": [(s, lookups.render_message(f"body_status.{s}", lang)) for s in BODY_STATUSES],
    })


@router.get("/bodies/{body_id}")
def body_page(request: Request, db: ReadDB, body_id: Id):
    """Show a certification body: approval, fields, standing, and how many certificates it has by status."""
    lang = request_language(request)
    body = get_body(db, body_id)
    today = date.today()
    # Counted by effective status today, as every other surface shows it (a subquery: one CASE to group by).
    rows = select(effective_status_sql().label("status")).where(Certificate.body_id == body.id).subquery()
    counts = dict(db.execute(select(rows.c.status, func.count()).group_by(rows.c.status), {"on": today}).all())
    return render(request, "portal/body.html", {
        "b": body, "name": lookups.body_name(body, lang), "counts": counts,
        "field_names": lookups.field_names(db, lang), "region": lookups.region_name(db, body.region_code),
        "restrictions": active_restrictions(db, "body", body.id, today),
        "lapsed": bool(body.valid_until and body.valid_until < today),
        "body_panels": [], **slot_values("body.page", session=db, body_id=body.id),  # e.g. risk: disclosures
    })


@router.get("/labs")
def labs(request: Request, db: ReadDB):
    """List qualified testing and inspection labs."""
    qp = request.query_params
    status = qp.get("status") if qp.get("status") in LAB_STATUSES else None
    q = (qp.get("q") or "").strip()[:60] or None
    item = (qp.get("item") or "").strip()[:60] or None
    stmt = select(Lab).where(Lab.id > decode_cursor(qp.get("cursor")))
    if status:
        stmt = stmt.where(Lab.status == status)
    if q:
        stmt = stmt.where(Lab.name.contains(q) | (Lab.cma_number == q))
    if item:  # labs qualified for a test item or to a standard (by its text)
        stmt = stmt.where(Lab.id.in_(select(LabCapability.lab_id).where(
            LabCapability.item.contains(item) | LabCapability.standard.contains(item))))
    items = list(db.scalars(stmt.order_by(Lab.id).limit(PAGE_SIZE + 1)))
    values = {k: v for k, v in {"status": status, "q": q, "item": item}.items() if v}
    next_url = (query_url("/labs", values, cursor=encode_cursor(items[PAGE_SIZE - 1].id))
                if len(items) > PAGE_SIZE else None)
    # Capabilities restricted now (e.g. by an unsatisfactory proficiency result), from whoever fills the slot.
    restricted = slot_values("labs.restricted", session=db, lab_ids=[x.id for x in items[:PAGE_SIZE]])
    return render(request, "portal/labs.html", {
        "labs": items[:PAGE_SIZE], "values": values, "next_url": next_url, "today": date.today(),
        "restricted": restricted, "item_query": item,
        "regions": {x.id: lookups.region_name(db, x.region_code) for x in items[:PAGE_SIZE]},
    })


@router.get("/labs/{lab_id}")
def lab_page(request: Request, db: ReadDB, lab_id: Id):
    """Show a lab's qualification and what it may test."""
    lab = get_lab(db, lab_id)
    extra = slot_values("lab.page", session=db, lab_id=lab.id)  # e.g. proficiency: record, restricted items
    return render(request, "portal/lab.html", {"lab": lab, "region": lookups.region_name(db, lab.region_code),
                                               "today": date.today(), "restricted": extra.get("restricted", {}),
                                               "lab_panels": extra.get("lab_panels", []), **extra})
