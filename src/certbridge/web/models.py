"""Tables the web layer owns: sign-in sessions, staged uploads, and fake-certificate reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of the random cookie value is stored."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class WebUpload(Base):
    """A bulk-import file kept between its preview and the operator's confirmation, tied to one session."""

    __tablename__ = "web_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("web_session.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("certification_body.id"))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
