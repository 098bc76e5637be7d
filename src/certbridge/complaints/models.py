"""Tables of the complaints capability: reports of suspected fake certificates (never public)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow


class FakeReport(Base):
    """A member of the public's report of a suspected fake certificate (not public)."""

    __tablename__ = "fake_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    body_ref: Mapped[str | None] = mapped_column(String(60))
    holder_name: Mapped[str | None] = mapped_column(String(200))
    where_seen: Mapped[str | None] = mapped_column(Text)
    verification_outcome: Mapped[str] = mapped_column(String(12))  # valid | not_valid | not_found
    verification_reason: Mapped[str] = mapped_column(String(40))
    certificate_id: Mapped[int | None] = mapped_column(Integer)  # the certificate the number resolved to, if one
    contact: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="new")  # new | reviewed
    review_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
