"""Licensing case tables: an application (or change, renewal, cancellation) with its steps, files and notices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow


class LicensingCase(Base):
    """One case (申请、变更、延续、注销) of a certification body or lab, in one state of case_flow.TRANSITIONS."""

    __tablename__ = "licensing_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)  # XK-2026-000001
    kind: Mapped[str] = mapped_column(String(20))  # application | change | renewal | cancellation
    subject_type: Mapped[str] = mapped_column(String(10))  # body | lab
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the body or lab (None until licensed)
    procedure: Mapped[str] = mapped_column(String(12), default="general")  # general | commitment (告知承诺)
    state: Mapped[str] = mapped_column(String(20), index=True)
    applicant_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_uscc: Mapped[str | None] = mapped_column(String(18))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    application: Mapped[dict[str, Any]] = mapped_column(JSON)  # what was applied for (fields, items, sites …)
    handler: Mapped[str | None] = mapped_column(String(60))  # the regulator's user name holding the case
    state_since: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # this step's legal deadline (None: the applicant's turn)
    due_provisional_year: Mapped[int | None] = mapped_column(Integer)
    missing: Mapped[str | None] = mapped_column(Text)  # 补正: what is missing
    findings: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # of a rejection, refusal or revocation
    review_team: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # members and recused, with reasons
    decided_on: Mapped[date | None] = mapped_column(Date)
    licence_number: Mapped[str | None] = mapped_column(String(30))
    licensing_record_id: Mapped[int | None] = mapped_column(ForeignKey("licensing_record.id"))
    verification_due_on: Mapped[date | None] = mapped_column(Date)  # 告知承诺: when the commitment is checked
    verified_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseStep(Base):
    """One transition of a case: who did what, when, and the deadline of the step it opened."""

    __tablename__ = "licensing_case_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("licensing_case.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    due_provisional_year: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)


class CaseAttachment(Base):
    """A file attached to a case, stored content-addressed (by SHA-256) in the data directory."""

    __tablename__ = "licensing_case_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("licensing_case.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseNotice(Base):
    """A notification of a case step to the applicant or the handlers: shown in the console, sent by e-mail."""

    __tablename__ = "licensing_case_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("licensing_case.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(12))  # applicant | handler
    code: Mapped[str] = mapped_column(String(60))  # a message code rendered in the reader's language
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    email_to: Mapped[str | None] = mapped_column(String(200))
    emailed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
