"""Bulk-import files kept between preview and confirmation, each tied to one sign-in session and body."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import WebUpload
from certbridge.db import utcnow
from certbridge.errors import NotFound
from certbridge.ledger.journal import record_event
from certbridge.policy import require_body_operator
from certbridge.principal import Principal

KEEP_FOR = timedelta(days=1)


def stage_upload(session: Session, *, principal: Principal, session_id: int, body_id: int, filename: str,
                 data: bytes, rows: int) -> WebUpload:
    """Keep a previewed file until its import is confirmed; replaces the session's earlier staged file."""
    require_body_operator(principal, body_id)
    # One staged file per session; files nobody confirmed within a day are dropped.
    session.execute(delete(WebUpload).where((WebUpload.session_id == session_id)
                                            | (WebUpload.created_at < utcnow() - KEEP_FOR)))
    digest = hashlib.sha256(data).hexdigest()
    item = WebUpload(session_id=session_id, body_id=body_id, filename=filename[:200], sha256=digest, data=data)
    session.add(item)
    session.flush()
    record_event(session, type="import.previewed", subject_type="upload", subject_id=item.id, actor=principal.actor,
                 public=False, data={"upload": {"id": item.id, "body_id": body_id, "file_sha256": digest, "filename": item.filename,
                                               "rows": rows}})
    return item


def staged_upload(session: Session, *, principal: Principal, session_id: int | None, upload_id: int) -> WebUpload:
    """Return a staged file of this session and body; anyone else's is not there."""
    item = session.scalar(select(WebUpload).where(WebUpload.id == upload_id))
    if item is None or session_id is None or item.session_id != session_id or item.body_id != principal.body_id:
        raise NotFound("not_found")
    return item


def discard_upload(session: Session, *, principal: Principal, upload: WebUpload) -> None:
    """Forget a staged file once imported (its digest stays in the import's ledger event)."""
    require_body_operator(principal, upload.body_id)
    session.delete(upload)
    session.flush()


def discard_session_uploads(*, session: Session, session_id: int, **_: object) -> None:
    """Drop every upload staged in a sign-in session that has ended (the `session.ended` slot)."""
    session.execute(delete(WebUpload).where(WebUpload.session_id == session_id))
