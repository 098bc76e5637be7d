"""Credit tables: penalties (双公示 fields), credit entries and records, dishonesty listings, rules as data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow

AMOUNT = Numeric(18, 6)  # 万元, six decimals = to the 分 (0.01 yuan)


class CreditSetting(Base):
    """One configurable credit rule: score bands, points per kind, list durations."""

    __tablename__ = "credit_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Penalty(Base):
    """An administrative penalty decision with every 双公示 penalty field."""

    __tablename__ = "penalty"
    __table_args__ = (Index("ix_penalty_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str | None] = mapped_column(String(20))  # organization | body | person | lab
    subject_id: Mapped[int | None] = mapped_column(Integer)
    party_name: Mapped[str] = mapped_column(String(200))  # CF_XDR_MC
    party_type: Mapped[str] = mapped_column(String(20))  # CF_XDR_LB
    party_uscc: Mapped[str | None] = mapped_column(String(18))  # CF_XDR_SHXYM
    legal_representative: Mapped[str | None] = mapped_column(String(60))  # CF_FRDB
    decision_number: Mapped[str] = mapped_column(String(100), index=True)  # CF_WSH
    violation_type: Mapped[str] = mapped_column(String(200))  # CF_WFXW
    facts: Mapped[str] = mapped_column(Text)  # CF_SY
    legal_basis: Mapped[str] = mapped_column(Text)  # CF_YJ
    categories: Mapped[list] = mapped_column(JSON)  # CF_CFLB, e.g. ["警告", "罚款"]
    content: Mapped[str] = mapped_column(Text)  # CF_NR
    fine_wan: Mapped[Decimal | None] = mapped_column(AMOUNT)  # CF_NR_FK
    confiscation_wan: Mapped[Decimal | None] = mapped_column(AMOUNT)  # CF_NR_WFFF
    licence_affected: Mapped[str | None] = mapped_column(String(300))  # CF_NR_ZKDX
    decided_on: Mapped[date] = mapped_column(Date)  # CF_JDRQ
    penalty_valid_until: Mapped[date | None] = mapped_column(Date)  # CF_YXQ
    publication_ends_on: Mapped[date] = mapped_column(Date)  # CF_GSJZQ
    authority: Mapped[str] = mapped_column(String(200))  # CF_CFJG
    authority_uscc: Mapped[str] = mapped_column(String(18))  # CF_CFJGDM
    data_source: Mapped[str] = mapped_column(String(200))  # CF_SJLY
    data_source_uscc: Mapped[str] = mapped_column(String(18))  # CF_SJLYDM
    remarks: Mapped[str | None] = mapped_column(Text)  # BZ
    samr: Mapped[bool] = mapped_column(Boolean, default=False)  # decided by SAMR: 20 working days to publish
    minor: Mapped[bool] = mapped_column(Boolean, default=False)  # public 3 months only
    sector: Mapped[str] = mapped_column(String(20), default="general")  # general|food|drugs|special_equipment
    publication_due_on: Mapped[date | None] = mapped_column(Date)
    deadline_provisional_year: Mapped[int | None] = mapped_column(Integer)  # first provisional year counted through
    published_on: Mapped[date | None] = mapped_column(Date)
    decision_changed_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_due_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_provisional_year: Mapped[int | None] = mapped_column(Integer)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    repaired_on: Mapped[date | None] = mapped_column(Date)
    repair_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DishonestyListing(Base):
    """A subject's entry on the serious-dishonesty list (严重违法失信名单), enforced as a restriction."""

    __tablename__ = "dishonesty_listing"
    __table_args__ = (Index("ix_dishonesty_listing_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # organization | body | person
    subject_id: Mapped[int] = mapped_column(Integer)
    party_name: Mapped[str] = mapped_column(String(200))
    party_uscc: Mapped[str | None] = mapped_column(String(18))
    reason: Mapped[str] = mapped_column(Text)
    decision_number: Mapped[str] = mapped_column(String(100))
    authority: Mapped[str] = mapped_column(String(200))
    penalty_id: Mapped[int | None] = mapped_column(Integer)
    restriction_id: Mapped[int] = mapped_column(Integer)
    listed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # last day on the list unless removed earlier
    earliest_removal_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_kind: Mapped[str | None] = mapped_column(String(10))  # early | ended
    removal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CreditEntry(Base):
    """One fact that weighs on a subject's credit, derived from a ledger event."""

    __tablename__ = "credit_entry"
    __table_args__ = (
        UniqueConstraint("source_seq", "subject_type", "subject_id", "kind"),
        Index("ix_credit_entry_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # organization | body | person | lab
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)
    source_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    source_type: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[str] = mapped_column(String(60))
    void: Mapped[bool] = mapped_column(Boolean, default=False)  # the decision behind it was annulled


class CreditRecord(Base):
    """A subject's current risk score and class (internal: weights spot checks, never published)."""

    __tablename__ = "credit_record"

    subject_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    credit_class: Mapped[str] = mapped_column(String(1), index=True)
    computed_on: Mapped[date] = mapped_column(Date)
    factors: Mapped[dict] = mapped_column(JSON, default=dict)


class CreditCursor(Base):
    """How far the credit feed has read the ledger."""

    __tablename__ = "credit_cursor"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=-1)
