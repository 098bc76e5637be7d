"""Licensing tables: 双公示 licensing records and the publicity rules stored as data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow


class PublicitySetting(Base):
    """One configurable publicity rule (deadlines in working days, publication periods)."""

    __tablename__ = "publicity_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LicensingRecord(Base):
    """A licensing decision (行政许可) as 双公示 publishes it: party, decision, licence, authority."""

    __tablename__ = "licensing_record"
    __table_args__ = (Index("ix_licensing_record_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # approval | change | renewal | qualification | other
    subject_type: Mapped[str | None] = mapped_column(String(20))  # body | lab | organization
    subject_id: Mapped[int | None] = mapped_column(Integer)
    party_name: Mapped[str] = mapped_column(String(200))  # XK_XDR_MC
    party_type: Mapped[str] = mapped_column(String(20))  # legal_person | individual_business | natural_person
    party_uscc: Mapped[str | None] = mapped_column(String(18))  # XK_XDR_SHXYM
    legal_representative: Mapped[str | None] = mapped_column(String(60))  # XK_FRDB
    document_name: Mapped[str] = mapped_column(String(200))  # XK_XKWS
    document_number: Mapped[str] = mapped_column(String(100), index=True)  # XK_WSH
    category: Mapped[str] = mapped_column(String(10))  # XK_XKLB 普通/特许/认可/核准/登记/其他
    licence_name: Mapped[str | None] = mapped_column(String(200))  # XK_XKZS
    licence_number: Mapped[str | None] = mapped_column(String(100))  # XK_XKBH
    content: Mapped[str] = mapped_column(Text)  # XK_NR
    decided_on: Mapped[date] = mapped_column(Date)  # XK_JDRQ
    valid_from: Mapped[date] = mapped_column(Date)  # XK_YXQZ
    valid_to: Mapped[date | None] = mapped_column(Date)  # XK_YXQZI (None: no end)
    authority: Mapped[str] = mapped_column(String(200))  # XK_XKJG
    authority_uscc: Mapped[str] = mapped_column(String(18))  # XK_XKJGDM
    data_source: Mapped[str] = mapped_column(String(200))  # XK_LYDW
    data_source_uscc: Mapped[str] = mapped_column(String(18))  # XK_LYDWDM
    remarks: Mapped[str | None] = mapped_column(Text)  # BZ
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("licensing_record.id"))
    publication_due_on: Mapped[date | None] = mapped_column(Date)  # None while the calendar cannot say
    deadline_provisional_year: Mapped[int | None] = mapped_column(Integer)  # first provisional year counted through
    published_on: Mapped[date | None] = mapped_column(Date)
    decision_changed_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_due_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_provisional_year: Mapped[int | None] = mapped_column(Integer)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
