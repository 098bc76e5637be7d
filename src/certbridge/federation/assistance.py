"""执法互助: a regulator asks a peer instance's regulators for help, and they accept, refuse or answer.

The asking instance keeps the request as `direction="out"`, the asked one as `"in"`; each step is a signed
message (assistance_notes.py) queued in the outbox in the same transaction as the step itself, so a step is
never taken without its message nor a message sent for a step rolled back. Status on both sides:

    sent ──(peer took it)──▶ delivered ──▶ accepted ──▶ answered
                                   └──────────┴──────▶ refused

and *overdue* on top while it is still open (sent, delivered, accepted) after its due date, counted in Chinese
working days from the day it was asked. Every step is a private ledger event on the instance that takes it.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.db import utcnow
from certbridge.errors import Conflict, InvalidInput, NotFound, RuleViolation
from certbridge.federation.assistance_models import KINDS, OPEN, SUBJECT_TYPES, AssistanceRequest, OutboxMessage
from certbridge.federation.assistance_notes import Message, new_message_id, sign_message
from certbridge.federation.models import FederationPeer
from certbridge.federation.peers import get_peer
from certbridge.kit.dates import today as local_today
from certbridge.kit.workdays import DEFAULT_OVERRIDES_PATH, WorkdayCalendar
from certbridge.ledger.journal import record_event
from certbridge.ledger.keys import log_signer
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.settings import Settings

MAX_WORKING_DAYS = 120
_SHA256 = re.compile(r"[0-9a-f]{64}")
# What the asked instance's regulator may do from which status (its own copy, direction "in").
DECISIONS = {"accepted": ("delivered",), "refused": ("delivered", "accepted"), "answered": ("delivered", "accepted")}
RANK = {"sent": 0, "delivered": 1, "accepted": 2, "refused": 3, "answered": 3}


@cache
def _calendar() -> WorkdayCalendar:
    return WorkdayCalendar(DEFAULT_OVERRIDES_PATH)


def due_date(start: date, working_days: int) -> date:
    """Return the working day `working_days` after `start` (Chinese working days, 调休 included)."""
    return _calendar().add_workdays(start, working_days)


def check_attachments(items: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Return attachments as [{"name", "sha256"}], refusing a missing name or a malformed hash."""
    out = []
    for number, item in enumerate(items or [], 1):
        name = str(item.get("name") or "").strip()
        digest = str(item.get("sha256") or "").strip().lower()
        if not name or len(name) > 200:
            raise InvalidInput("federation.attachment_name", field="attachments", number=number)
        if not _SHA256.fullmatch(digest):
            raise InvalidInput("federation.attachment_hash", field="attachments", number=number, name=name)
        out.append({"name": name, "sha256": digest})
    if len(out) > 50:
        raise InvalidInput("federation.attachment_count", field="attachments")
    return out


def _event(session: Session, request: AssistanceRequest, type: str, actor: str, **data: Any) -> None:
    record_event(session, type=f"federation.assistance_{type}", subject_type="federation_assistance",
                 subject_id=request.id, actor=actor, public=False,
                 data={"state": {"direction": request.direction, "peer_id": request.peer_id,
                                 "message_id": request.message_id, "kind": request.kind,
                                 "subject_type": request.subject_type, "subject_key": request.subject_key,
                                 "status": request.status, "due_on": request.due_on.isoformat()}, **data})


def _queue(session: Session, settings: Settings, peer: FederationPeer, request: AssistanceRequest, type: str,
           body: dict[str, Any], message_id: str | None = None) -> OutboxMessage:
    message = Message(settings.instance_name, peer.name, message_id or new_message_id(), type, body)
    item = OutboxMessage(peer_id=peer.id, message_id=message.id, type=type, assistance_id=request.id,
                         note=sign_message(log_signer(settings), message), attempts=0, next_attempt_at=utcnow(),
                         created_at=utcnow())
    session.add(item)
    session.flush()
    return item


def send_request(session: Session, *, principal: Principal, settings: Settings, peer_id: int, kind: str,
                 subject_type: str, subject_key: str, text: str, working_days: int, subject_name: str = "",
                 attachments: list[dict[str, Any]] | None = None, today: date | None = None) -> AssistanceRequest:
    """Ask a peer's regulators for assistance: record the request and queue it, signed, for the peer."""
    require_regulator(principal)
    peer = get_peer(session, peer_id)
    if not peer.active:
        raise RuleViolation("federation.peer_paused", name=peer.name)
    if kind not in KINDS:
        raise InvalidInput("federation.assistance_kind", field="kind", allowed=", ".join(KINDS))
    if subject_type not in SUBJECT_TYPES:
        raise InvalidInput("federation.assistance_subject", field="subject_type", allowed=", ".join(SUBJECT_TYPES))
    subject_key, text = subject_key.strip(), text.strip()
    if not subject_key:
        raise InvalidInput("federation.assistance_subject_key", field="subject_key")
    if not text:
        raise InvalidInput("federation.assistance_text", field="text")
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise InvalidInput("federation.assistance_days", field="working_days", max=MAX_WORKING_DAYS)
    files = check_attachments(attachments)
    today = today or local_today()
    request = AssistanceRequest(
        direction="out", peer_id=peer.id, message_id=new_message_id(), kind=kind, subject_type=subject_type,
        subject_key=subject_key, subject_name=subject_name.strip(), text=text, attachments=json.dumps(files),
        working_days=working_days, due_on=due_date(today, working_days), requested_by=principal.username or "",
        status="sent", answer_attachments="[]", created_at=utcnow())
    session.add(request)
    session.flush()
    _queue(session, settings, peer, request, "assistance.request", {
        "kind": kind, "subject": {"type": subject_type, "key": subject_key, "name": request.subject_name},
        "text": text, "attachments": files, "working_days": working_days, "asked_on": today.isoformat(),
        "due_on": request.due_on.isoformat(), "requested_by": request.requested_by},
        message_id=request.message_id)
    _event(session, request, "sent", principal.actor, to=peer.name)
    return request


def decide_request(session: Session, *, principal: Principal, settings: Settings, assistance_id: int,
                   decision: str, text: str = "", attachments: list[dict[str, Any]] | None = None
                   ) -> AssistanceRequest:
    """Accept, refuse (with a reason) or answer a request a peer sent us; the asking peer is told, signed."""
    require_regulator(principal)
    request = get_request(session, assistance_id)
    if request.direction != "in":
        raise RuleViolation("federation.assistance_not_ours", id=assistance_id)
    if decision not in DECISIONS:
        raise InvalidInput("federation.assistance_decision", field="decision")
    if request.status not in DECISIONS[decision]:
        raise Conflict("federation.assistance_status", state=request.status, decision=decision)
    text = text.strip()
    if decision in ("refused", "answered") and not text:
        raise InvalidInput("federation.assistance_reason" if decision == "refused" else "federation.assistance_answer",
                           field="text")
    files = check_attachments(attachments)
    now = utcnow()
    request.status = decision
    if decision == "answered":
        request.answer, request.answer_attachments, request.answered_at = text, json.dumps(files), now
        request.decided_at = request.decided_at or now
    else:
        request.reason, request.decided_at = text or None, now
    session.flush()
    peer = session.get(FederationPeer, request.peer_id)
    body: dict[str, Any] = {"request": request.message_id, "text": text, "by": principal.username or ""}
    if decision == "answered":
        body["attachments"] = files
    _queue(session, settings, peer, request, f"assistance.{decision}", body)
    _event(session, request, decision, principal.actor, to=peer.name)
    return request


def apply_message(session: Session, *, peer: FederationPeer, message: Message) -> AssistanceRequest:
    """Take a verified message from a peer: a new request in our inbox, or a step of one we asked."""
    if message.type == "assistance.request":
        return _receive_request(session, peer, message)
    request = session.scalar(select(AssistanceRequest).where(
        AssistanceRequest.peer_id == peer.id, AssistanceRequest.direction == "out",
        AssistanceRequest.message_id == str(message.body.get("request") or "")))
    if request is None:
        raise NotFound("federation.message_no_request", request=str(message.body.get("request") or ""))
    decision = message.type.removeprefix("assistance.")
    text = str(message.body.get("text") or "")
    now = utcnow()
    if RANK[decision] > RANK[request.status]:  # a status only moves forward, whatever order steps arrive in
        request.status = decision
    request.delivered_at = request.delivered_at or now
    if decision == "answered":
        request.answer, request.answered_at = text, now
        request.answer_attachments = json.dumps(check_attachments(message.body.get("attachments")))
    else:
        request.reason = text or request.reason
        request.decided_at = now
    session.flush()
    _event(session, request, f"{decision}_received", "federation:" + peer.name, message_id_received=message.id)
    return request


def _receive_request(session: Session, peer: FederationPeer, message: Message) -> AssistanceRequest:
    body = message.body
    subject = body.get("subject") if isinstance(body.get("subject"), dict) else {}
    try:
        kind, subject_type = str(body["kind"]), str(subject["type"])
        working_days, due_on = int(body["working_days"]), date.fromisoformat(str(body["due_on"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidInput("federation.message_malformed", detail="kind, subject, working_days and due_on") from None
    if kind not in KINDS or subject_type not in SUBJECT_TYPES:
        raise InvalidInput("federation.message_malformed", detail=f"kind {kind!r}, subject {subject_type!r}")
    request = AssistanceRequest(
        direction="in", peer_id=peer.id, message_id=message.id, kind=kind, subject_type=subject_type,
        subject_key=str(subject.get("key") or "")[:200], subject_name=str(subject.get("name") or "")[:300],
        text=str(body.get("text") or ""), attachments=json.dumps(check_attachments(body.get("attachments"))),
        working_days=working_days, due_on=due_on, requested_by=str(body.get("requested_by") or "")[:200],
        status="delivered", answer_attachments="[]", created_at=utcnow(), delivered_at=utcnow())
    session.add(request)
    session.flush()
    _event(session, request, "received", "federation:" + peer.name, source=peer.name)
    return request


def mark_delivered(session: Session, *, assistance_id: int | None, type: str) -> None:
    """Note that the peer took our request (its status moves from sent to delivered)."""
    if assistance_id is None or type != "assistance.request":
        return
    request = session.get(AssistanceRequest, assistance_id)
    if request is not None and request.status == "sent":
        request.status, request.delivered_at = "delivered", utcnow()
        session.flush()
        _event(session, request, "delivered", "system")


def get_request(session: Session, assistance_id: int) -> AssistanceRequest:
    """Return an assistance request by id."""
    request = session.get(AssistanceRequest, assistance_id)
    if request is None:
        raise NotFound("federation.assistance_not_found", id=assistance_id)
    return request


def list_requests(session: Session, *, direction: str | None = None, limit: int = 200) -> list[AssistanceRequest]:
    """Return the requests (inbox "in", outbox "out", or both), newest first."""
    query = select(AssistanceRequest).order_by(AssistanceRequest.id.desc()).limit(limit)
    if direction:
        query = query.where(AssistanceRequest.direction == direction)
    return list(session.scalars(query))


def is_overdue(request: AssistanceRequest, today: date | None = None) -> bool:
    """Tell whether a request still open is past its working-day due date."""
    return request.status in OPEN and (today or local_today()) > request.due_on


def request_view(session: Session, request: AssistanceRequest, today: date | None = None) -> dict[str, Any]:
    """Return a request as the API and the console show it, with its peer, messages and overdue flag."""
    peer = session.get(FederationPeer, request.peer_id)
    iso = (lambda d: d.isoformat() if isinstance(d, (date, datetime)) else None)
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.assistance_id == request.id)
                               .order_by(OutboxMessage.id))
    return {"id": request.id, "direction": request.direction, "peer": peer.name if peer else None,
            "peer_label": peer.label if peer else "", "message_id": request.message_id, "kind": request.kind,
            "subject": {"type": request.subject_type, "key": request.subject_key, "name": request.subject_name},
            "text": request.text, "attachments": json.loads(request.attachments),
            "working_days": request.working_days, "due_on": iso(request.due_on), "requested_by": request.requested_by,
            "status": request.status, "overdue": is_overdue(request, today), "reason": request.reason,
            "answer": request.answer, "answer_attachments": json.loads(request.answer_attachments),
            "created_at": iso(request.created_at), "delivered_at": iso(request.delivered_at),
            "decided_at": iso(request.decided_at), "answered_at": iso(request.answered_at),
            "outbox": [{"message_id": m.message_id, "type": m.type, "attempts": m.attempts,
                        "delivered_at": iso(m.delivered_at), "failed_at": iso(m.failed_at),
                        "next_attempt_at": None if m.delivered_at or m.failed_at else iso(m.next_attempt_at),
                        "last_error": m.last_error} for m in messages]}
