"""The audit record table: one row per write attempt, sign-in and sign-out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow


class AuditRecord(Base):
    """Who did what, from where, with which outcome and which ledger entries it produced."""

    __tablename__ = "audit_record"
    __table_args__ = (
        Index("ix_audit_record_actor_id", "actor", "id"),
        Index("ix_audit_record_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(20))  # write | login | logout
    outcome: Mapped[str] = mapped_column(String(20))  # success | denied | invalid | failed | error | limited
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(Integer)
    key_id: Mapped[str | None] = mapped_column(String(16))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(10))
    route: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(80))
    seq_first: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    seq_last: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
