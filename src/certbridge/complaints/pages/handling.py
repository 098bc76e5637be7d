"""The regulator's complaint pages: the queue with its deadlines, one complaint with its actions and evidence."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request
from fastapi.responses import FileResponse
from sqlalchemy import select

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.complaints import handling
from certbridge.complaints.evidence import evidence_path
from certbridge.complaints.models import ComplaintEvidence, ComplaintLink
from certbridge.complaints.pages.public import KIND_WORDS, RESULT_WORDS, STATUS_WORDS, SUBJECT_WORDS
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput, NotFound
from certbridge.ledger.journal import subject_history
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import text
from certbridge.web.guards import regulator
from certbridge.web.page_actions import form_done
from certbridge.web.posted import PostedForm
from certbridge.web.templating import query_url, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@router.get("/regulator/complaints")
def complaint_queue(request: Request, db: ReadDB):
    """List complaints (open first by default), with the deadline each waits on and whether it is missed."""
    principal = regulator(request)
    status = request.query_params.get("status") if request.query_params.get("status") in ("open", "closed") else None
    region = (request.query_params.get("region") or "")[:6] or None
    items = handling.list_complaints(db, principal=principal, status=status or None, region=region, limit=200)
    today = date.today()
    return render(request, "regulator/complaints.html", {
        "items": [{"c": c, "overdue": handling.overdue(c, today)} for c in items], "status": status,
        "region": region, "status_words": STATUS_WORDS, "kind_words": KIND_WORDS,
        "open_url": query_url("/regulator/complaints", {"region": region}, status="open")})


@router.get("/regulator/complaints/{complaint_id}")
def complaint_detail(request: Request, db: ReadDB, complaint_id: Id):
    """Show one complaint: what was filed, evidence, links, history, and the actions its status allows."""
    regulator(request)
    item = handling.get_complaint(db, complaint_id)
    evidence = list(db.scalars(select(ComplaintEvidence).where(ComplaintEvidence.complaint_id == item.id)))
    links = list(db.scalars(select(ComplaintLink).where(ComplaintLink.complaint_id == item.id)))
    allowed = handling.allowed_actions(item)
    return render(request, "regulator/complaint.html", {
        "c": item, "evidence": evidence, "links": links, "allowed": allowed, "overdue": handling.overdue(item, date.today()),
        "history": subject_history(db, "complaint", item.id), "status_words": STATUS_WORDS,
        "kind_words": KIND_WORDS, "subject_words": SUBJECT_WORDS, "result_words": RESULT_WORDS,
        "results": handling.RESULTS, "link_targets": list(handling.LINK_TARGETS)})


@router.get("/regulator/complaints/{complaint_id}/evidence/{evidence_id}")
def complaint_evidence(request: Request, db: ReadDB, complaint_id: Id, evidence_id: Id):
    """Send one evidence file to a regulator (never public)."""
    regulator(request)
    row = db.get(ComplaintEvidence, evidence_id)
    if row is None or row.complaint_id != complaint_id:
        raise NotFound("not_found")
    path = evidence_path(request.app.state.settings.data_dir, row.sha256)
    if not path.exists():
        raise NotFound("not_found")
    return FileResponse(path, media_type=row.content_type, filename=row.filename,
                        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.post("/regulator/complaints/{complaint_id}/{action}")
def complaint_act(request: Request, form: PostedForm, complaint_id: Id, action: str):
    """Apply one handling step; a refused step comes back with its message and the fields as typed."""
    principal = regulator(request)
    url = f"/regulator/complaints/{complaint_id}"
    try:
        target = text(form, "target_id")
        if action == "link" and target and not target.isdigit():
            raise InvalidInput("complaint.link_unknown", field="target_id", kind=text(form, "target_type"), id=target)
        with write_session(request.app.state.sessions) as session:
            handling.apply_action(session, principal=principal, complaint_id=complaint_id, action=action,
                                  note=text(form, "note"), result=text(form, "result"),
                                  region_code=text(form, "region_code"), target_type=text(form, "target_type"),
                                  target_id=int(target) if target.isdigit() else None)
    except DomainError as exc:
        return form_done(request, url, exc, form)
    return form_done(request, url)
