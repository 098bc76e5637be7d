"""Complaints in JSON: anyone files one (anonymous with a contact, or signed in) and follows it by its tracking
number — with the secret handed out at filing, also their own filing; regulators list, read and handle them.
The same service functions as the pages (complaints/filing.py, complaints/handling.py)."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.api.deps import AuthedPrincipal, CurrentPrincipal, ReadDB, WriteDB
from certbridge.api.pagination import decode_cursor, next_cursor
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.complaints import handling
from certbridge.complaints.evidence import MAX_FILE_BYTES, MAX_FILES
from certbridge.complaints.filing import file_complaint, find_by_tracking_number, new_secret, secret_matches
from certbridge.complaints.models import Complaint, ComplaintEvidence, ComplaintLink
from certbridge.db import write_session
from certbridge.errors import Forbidden, InvalidInput, NotFound
from certbridge.kit.input_model import CleanInput
from certbridge.ledger.journal import subject_history
from certbridge.policy import require_regulator_reader, require_writer

router = APIRouter(prefix="/api/v1", tags=["complaints"], responses=PROBLEM_RESPONSES)
Limit = Annotated[int, Query(ge=1, le=200)]


class EvidenceIn(BaseModel):
    """One evidence file: a JPEG, PNG or PDF (recognised by its content), base64-encoded, at most 5 MB."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=200, examples=["包装照片.jpg"])
    content_base64: str = Field(min_length=1, max_length=(MAX_FILE_BYTES * 4) // 3 + 8)


class ComplaintIn(CleanInput):
    """A complaint or report: what it is about, what is wrong, what happened, and a contact or anonymous."""

    model_config = ConfigDict(extra="forbid")

    subject_kind: Literal["certificate", "company", "body", "product"] = Field(examples=["certificate"])
    subject_text: str = Field(min_length=1, max_length=200, examples=["00126Q36001R1M"],
                              description="The certificate number, company (USCC or name), body code or product")
    kind: Literal["fake_certificate", "misused_mark", "product_quality", "malpractice", "other"] = Field(
        examples=["fake_certificate"])
    description: str = Field(min_length=1, max_length=4000, examples=["网店展示的证书在官方查询不到"])
    contact: str | None = Field(default=None, max_length=200, description="Phone or e-mail; only regulators see it")
    anonymous: bool = Field(default=False, description="File without a contact")
    certificate_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=MAX_FILES)


class ComplaintActionIn(BaseModel):
    """What one handling step needs: a note (reject, extend: required), a result (close), a region (transfer),
    a target (link)."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=4000)
    result: Literal["upheld", "not_upheld", "mediated"] | None = None
    region_code: str | None = Field(default=None, max_length=6, examples=["450500"])
    target_type: Literal["certificate", "body", "organization", "person"] | None = None
    target_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


def _decode(files: list[EvidenceIn]) -> list[tuple[str, bytes]]:
    try:
        return [(f.filename, base64.b64decode(f.content_base64, validate=True)) for f in files]
    except (binascii.Error, ValueError):
        raise InvalidInput("complaint.file_type", field="evidence", name="base64") from None


def _steps(session: Session, item: Complaint) -> list[dict[str, Any]]:
    return [{"at": at.isoformat(), "step": step} for at, step in handling.public_steps(session, item)]


def _evidence(session: Session, item: Complaint) -> list[dict[str, Any]]:
    return [{"id": e.id, "filename": e.filename, "content_type": e.content_type, "size": e.size, "sha256": e.sha256}
            for e in session.scalars(select(ComplaintEvidence).where(ComplaintEvidence.complaint_id == item.id)
                                     .order_by(ComplaintEvidence.id))]


def progress_view(session: Session, item: Complaint) -> dict[str, Any]:
    """Return what the tracking number shows: status, deadlines, steps and result (no contact, no notes)."""
    return {"tracking_number": item.tracking_number, "subject_kind": item.subject_kind, "kind": item.kind,
            "status": item.status, "filed_on": item.filed_on, "accept_due_on": item.accept_due_on,
            "verify_due_on": item.verify_due_on, "mediation_due_on": item.mediation_due_on, "result": item.result,
            "result_note": item.result_note, "closed_on": item.closed_on, "steps": _steps(session, item)}


def filing_view(session: Session, item: Complaint) -> dict[str, Any]:
    """Return the filer's own filing (what the secret unlocks)."""
    return {"subject_text": item.subject_text, "description": item.description, "contact": item.contact,
            "evidence": _evidence(session, item)}


def complaint_view(session: Session, item: Complaint, today: date | None = None) -> dict[str, Any]:
    """Return a complaint as a regulator sees it: the filing, links, handling, history and allowed steps."""
    links = session.scalars(select(ComplaintLink).where(ComplaintLink.complaint_id == item.id))
    history = [{"seq": e.seq, "at": e.at.isoformat(), "type": e.type}
               for e in subject_history(session, "complaint", item.id)]
    return {"id": item.id, **progress_view(session, item), **filing_view(session, item),
            "certificate_id": item.certificate_id, "organization_id": item.organization_id, "body_id": item.body_id,
            "region_code": item.region_code, "accepted_on": item.accepted_on, "verify_extended": item.verify_extended,
            "overdue": handling.overdue(item, today or date.today()),
            "links": [{"target_type": x.target_type, "target_id": x.target_id} for x in links],
            "history": history, "allowed_actions": handling.allowed_actions(item)}


@router.post("/complaints", status_code=201, summary="File a complaint or report")
def create_complaint(item: ComplaintIn, request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """File a complaint — anyone, signed in or not (anonymous, or with a phone or e-mail only regulators see).
    The answer carries the tracking number and a secret shown only this once: the number alone shows the
    progress, with the secret (header `X-Complaint-Secret`) also the filing itself. At most
    `CERTBRIDGE_COMPLAINTS_PER_ADDRESS_PER_DAY` filings a day from one address (409 `complaint.daily_cap`)."""
    if principal.read_only:
        require_writer(principal)  # a read-only key files nothing (anyone may, without a key)
    settings = request.app.state.settings
    files = _decode(item.evidence)
    secret = new_secret()
    with write_session(request.app.state.sessions) as session:
        filed = file_complaint(session, principal=principal, subject_kind=item.subject_kind,
                               subject_text=item.subject_text, kind=item.kind, description=item.description,
                               contact=item.contact, anonymous=item.anonymous, certificate_id=item.certificate_id,
                               evidence=files, data_dir=settings.ensure_data_dir(),
                               per_address_per_day=settings.complaints_per_address_per_day, secret=secret)
        return {**progress_view(session, filed), "secret": secret,
                "progress_url": f"/api/v1/complaints/track/{filed.tracking_number}"}


@router.get("/complaints/track/{tracking_number}", summary="Follow a complaint by its tracking number")
def track_complaint(tracking_number: Annotated[str, Path(max_length=24)], db: ReadDB,
                    secret: Annotated[str | None, Header(alias="X-Complaint-Secret", max_length=64)] = None,
                    ) -> dict[str, Any]:
    """Return a complaint's progress (status, deadlines, steps, result). With the secret handed out at filing in
    `X-Complaint-Secret`, also the filing itself (description, contact, evidence); a wrong secret is refused."""
    item = find_by_tracking_number(db, tracking_number)
    if item is None:
        raise NotFound("not_found")
    if secret is None:
        return progress_view(db, item)
    if not secret_matches(item, secret):
        raise Forbidden("complaint.secret")
    return {**progress_view(db, item), "filing": filing_view(db, item)}


@router.get("/complaints", summary="Complaints (regulators)")
def list_all_complaints(db: ReadDB, principal: AuthedPrincipal,
                        status: Literal["open", "closed"] | None = None,
                        region: Annotated[str | None, Query(max_length=6)] = None,
                        cursor: Annotated[str | None, Query(max_length=200)] = None,
                        limit: Limit = 50) -> dict[str, Any]:
    """List complaints newest first, by status group (open, closed) and responsible region, with the deadline
    each open one has missed (regulators and their read-only keys)."""
    items = handling.list_complaints(db, principal=principal, status=status, region=region,
                                     after_id=decode_cursor(cursor), limit=limit)
    today = date.today()
    return {"items": [{"id": c.id, **progress_view(db, c), "region_code": c.region_code,
                       "overdue": handling.overdue(c, today)} for c in items],
            "next_cursor": next_cursor([c.id for c in items], limit)}


@router.get("/complaints/{complaint_id}", summary="A complaint (regulators)")
def read_complaint(complaint_id: Id, db: ReadDB, principal: AuthedPrincipal) -> dict[str, Any]:
    """Return one complaint with its filing, evidence list, links, history and the steps its status allows."""
    require_regulator_reader(principal)
    return complaint_view(db, handling.get_complaint(db, complaint_id))


@router.post("/complaints/{complaint_id}/{action}", summary="Handle a complaint: one step")
def act_on_complaint(complaint_id: Id, action: Literal[handling.ACTIONS], body: ComplaintActionIn, db: WriteDB,
                     principal: AuthedPrincipal) -> dict[str, Any]:
    """Apply one handling step (regulators): accept; reject (note); investigate; extend once (note); mediate;
    close (result, note); transfer (region_code, note); link (target_type, target_id). Each is a log event;
    a step the status does not allow is refused (409 `complaint.transition`)."""
    item = handling.apply_action(db, principal=principal, complaint_id=complaint_id, action=action, note=body.note,
                                 result=body.result, region_code=body.region_code, target_type=body.target_type,
                                 target_id=body.target_id)
    return complaint_view(db, item)
