"""Tables of the complaints capability: reports of suspected fake certificates (never public)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
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


class Complaint(Base):
    """A complaint or report from anyone, with its tracking number, the regulator's handling and its deadlines."""

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_status", "status"), Index("ix_complaint_ip_day", "ip_hash", "filed_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(24), unique=True)
    subject_kind: Mapped[str] = mapped_column(String(12))  # certificate | company | body | product
    subject_text: Mapped[str] = mapped_column(String(200))  # the number, name or product as the filer wrote it
    kind: Mapped[str] = mapped_column(String(20))  # fake_certificate | misused_mark | product_quality | malpractice | other
    description: Mapped[str] = mapped_column(Text)
    certificate_id: Mapped[int | None] = mapped_column(Integer, index=True)
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)
    body_id: Mapped[int | None] = mapped_column(Integer, index=True)
    contact: Mapped[str | None] = mapped_column(String(200))  # None: anonymous; never in the log
    region_code: Mapped[str | None] = mapped_column(String(6))  # the responsible regulator's region
    status: Mapped[str] = mapped_column(String(14), default="received")
    # received | accepted | investigating | mediating | rejected | closed
    filed_on: Mapped[date] = mapped_column(Date)
    accept_due_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    verify_due_on: Mapped[date | None] = mapped_column(Date)  # leads verified within 15 working days (+15 once)
    verify_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    mediation_due_on: Mapped[date | None] = mapped_column(Date)  # mediation ends after 45 working days
    result: Mapped[str | None] = mapped_column(String(20))  # upheld | not_upheld | mediated | rejected
    result_note: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    ip_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the filer's address, for the daily cap
    # SHA-256 of the follow-up secret the API hands the filer once (it shows the filer's own filing); None: none
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplaintEvidence(Base):
    """A file attached to a complaint, stored content-addressed in the data directory."""

    __tablename__ = "complaint_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)


class ComplaintLink(Base):
    """A certificate, body, organization or person a regulator linked to a complaint."""

    __tablename__ = "complaint_link"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20), primary_key=True)  # certificate | body | organization | person
    target_id: Mapped[int] = mapped_column(Integer, primary_key=True)
