"""JSON routes of 执法互助: regulators ask a peer for assistance and accept, refuse or answer what peers ask; peers
deliver their signed messages to `/api/v1/federation/messages` (the signature is the authentication)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, Field

from certbridge.api.routing import APIRouter
from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.db import write_session
from certbridge.federation import assistance
from certbridge.federation.assistance_inbox import receive_note
from certbridge.policy import require_regulator_reader

router = APIRouter(prefix="/api/v1/federation", tags=["federation"], responses=PROBLEM_RESPONSES)


class Attachment(BaseModel):
    """An attached document, by name and SHA-256 (the document itself travels by other means)."""

    name: str = Field(max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$", description="SHA-256 of the document (hex)")


class AssistanceIn(BaseModel):
    """An assistance request to a peer's regulators."""

    peer_id: int = Field(description="The peer asked (see GET /api/v1/federation/peers)")
    kind: Literal["investigation", "evidence", "enforcement", "notification"] = Field(
        description="investigation 协查, evidence 调取证据, enforcement 协助执行处罚, notification 通报")
    subject_type: Literal["certificate", "organization", "body"]
    subject_key: str = Field(min_length=1, max_length=200, description="Certificate number, USCC or body code")
    subject_name: str = Field(default="", max_length=300)
    text: str = Field(min_length=1, max_length=20_000, description="What is asked, and why")
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)
    working_days: int = Field(ge=1, le=assistance.MAX_WORKING_DAYS, description="Due this many working days on")


class DecisionIn(BaseModel):
    """A reason (refusing; optional when accepting) or an answer, with its attachments."""

    text: str = Field(default="", max_length=20_000)
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)


class MessageIn(BaseModel):
    """A signed message from a peer instance (C2SP signed note, docs/federation.md)."""

    note: str = Field(max_length=262_144)


class MessageOut(BaseModel):
    """What became of a peer's message."""

    id: str
    type: str
    duplicate: bool = Field(description="True: this message was taken before; nothing changed")
    assistance_id: int | None = None


class AssistanceOut(BaseModel):
    """An assistance request as either instance keeps it."""

    id: int
    direction: str = Field(description="out: we asked; in: a peer asked us")
    peer: str | None
    peer_label: str
    message_id: str
    kind: str
    subject: dict[str, str]
    text: str
    attachments: list[dict[str, str]]
    working_days: int
    due_on: str | None
    requested_by: str
    status: str = Field(description="sent, delivered, accepted, answered or refused")
    overdue: bool = Field(description="Still open after its working-day due date")
    reason: str | None
    answer: str | None
    answer_attachments: list[dict[str, str]]
    created_at: str | None
    delivered_at: str | None
    decided_at: str | None
    answered_at: str | None
    outbox: list[dict[str, Any]] = Field(description="Our signed messages about it and their delivery")


def _files(items: list[Attachment]) -> list[dict[str, str]]:
    return [item.model_dump() for item in items]


@router.get("/assistance", response_model=list[AssistanceOut], summary="List assistance requests")
def list_assistance(db: ReadDB, principal: AuthedPrincipal, box: Literal["in", "out"] | None = None):
    """Return the requests peers sent us (box=in), those we sent (box=out), or both, newest first (regulators)."""
    require_regulator_reader(principal)
    return [assistance.request_view(db, r) for r in assistance.list_requests(db, direction=box)]


@router.post("/assistance", response_model=AssistanceOut, status_code=201, summary="Ask a peer for assistance")
def send_assistance(item: AssistanceIn, request: Request, db: WriteDB, principal: AuthedPrincipal):
    """Record an assistance request and queue it, signed, for the peer (regulators); the outbox delivers it."""
    created = assistance.send_request(db, principal=principal, settings=request.app.state.settings,
                                      **item.model_dump(exclude={"attachments"}), attachments=_files(item.attachments))
    return assistance.request_view(db, created)


@router.get("/assistance/{assistance_id}", response_model=AssistanceOut, summary="An assistance request")
def get_assistance(assistance_id: Id, db: ReadDB, principal: AuthedPrincipal):
    """Return one request with its status, answer and the delivery of our messages about it (regulators)."""
    require_regulator_reader(principal)
    return assistance.request_view(db, assistance.get_request(db, assistance_id))


def _decide(request: Request, db, principal, assistance_id: int, decision: str, item: DecisionIn) -> dict:
    decided = assistance.decide_request(db, principal=principal, settings=request.app.state.settings,
                                        assistance_id=assistance_id, decision=decision, text=item.text,
                                        attachments=_files(item.attachments))
    return assistance.request_view(db, decided)


@router.post("/assistance/{assistance_id}/accept", response_model=AssistanceOut, summary="Accept a peer's request")
def accept_assistance(assistance_id: Id, item: DecisionIn, request: Request, db: WriteDB, principal: AuthedPrincipal):
    """Accept a request a peer sent us; the peer is told, signed (regulators)."""
    return _decide(request, db, principal, assistance_id, "accepted", item)


@router.post("/assistance/{assistance_id}/refuse", response_model=AssistanceOut, summary="Refuse a peer's request")
def refuse_assistance(assistance_id: Id, item: DecisionIn, request: Request, db: WriteDB, principal: AuthedPrincipal):
    """Refuse a request a peer sent us, with the reason in `text`; the peer is told, signed (regulators)."""
    return _decide(request, db, principal, assistance_id, "refused", item)


@router.post("/assistance/{assistance_id}/answer", response_model=AssistanceOut, summary="Answer a peer's request")
def answer_assistance(assistance_id: Id, item: DecisionIn, request: Request, db: WriteDB, principal: AuthedPrincipal):
    """Answer a request a peer sent us (`text`, `attachments`); the answer goes back as a signed message."""
    return _decide(request, db, principal, assistance_id, "answered", item)


@router.post("/messages", response_model=MessageOut, summary="Deliver a signed message from a peer instance")
def deliver_message(item: MessageIn, request: Request):
    """Take a peer's signed message once (no cookie or key: its signature by the peer's log key authenticates it)."""
    with write_session(request.app.state.sessions) as session:
        return receive_note(session, settings=request.app.state.settings, note=item.note)
