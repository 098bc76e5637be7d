"""Tables of 执法互助 (assistance requests between the regulators of federated instances).

An assistance request exists on both instances: as `direction="out"` on the asking one and `"in"` on the asked
one, both keyed by the request message's id. Every message between them — the request, its acceptance or
refusal, its answer — is a signed note (assistance_notes.py); what we send waits in `federation_outbox` until
the peer has taken it (the outbox loop retries with backoff), and what we received is remembered in
`federation_inbound` by (peer, message id), so a message delivered twice acts once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow

KINDS = ("investigation", "evidence", "enforcement", "notification")  # 协查, 调取证据, 协助执行处罚, 通报
SUBJECT_TYPES = ("certificate", "organization", "body")
STATUSES = ("sent", "delivered", "accepted", "answered", "refused")
OPEN = ("sent", "delivered", "accepted")  # may still become overdue


class AssistanceRequest(Base):
    """One assistance request, as the asking instance (out) or the asked one (in) keeps it."""

    __tablename__ = "federation_assistance"
    __table_args__ = (UniqueConstraint("peer_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    peer_id: Mapped[int] = mapped_column(ForeignKey("federation_peer.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(String(40))  # the request message's id, shared by both instances
    kind: Mapped[str] = mapped_column(String(20))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_key: Mapped[str] = mapped_column(String(200))  # certificate number, USCC or body code
    subject_name: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    attachments: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{"name", "sha256"}]
    working_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date]
    requested_by: Mapped[str] = mapped_column(String(200), default="")  # the asking regulator, as it signed
    status: Mapped[str] = mapped_column(String(20), default="sent")
    reason: Mapped[str | None] = mapped_column(Text)  # why it was refused, or a note on accepting
    answer: Mapped[str | None] = mapped_column(Text)
    answer_attachments: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A signed message to a peer, kept until the peer has taken it."""

    __tablename__ = "federation_outbox"
    __table_args__ = (UniqueConstraint("message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("federation_peer.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    assistance_id: Mapped[int | None] = mapped_column(ForeignKey("federation_assistance.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text)  # the signed note, sent as is on every attempt
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # refused by the peer for good (4xx): not retried
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundMessage(Base):
    """A message a peer sent us and we took: its id and note, so a second delivery acts no more."""

    __tablename__ = "federation_inbound"
    __table_args__ = (UniqueConstraint("peer_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("federation_peer.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
