"""Accreditation bodies (CNAS, UKAS, DAkkS …) and what they accredit, with the MLA/MRA status of each scope."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certbridge.db import Base, utcnow

# IAF main scopes (the conformity-assessment standard a body is accredited to) and ILAC's
MAIN_SCOPES = ("17021-1", "17065", "17024", "14065", "17025", "17020", "15189")
ARRANGEMENTS = ("IAF MLA", "ILAC MRA")
# IAF level-4/5 sub-scopes for management systems: our scheme codes where they coincide
SUB_SCOPES = ("QMS", "EMS", "OHSMS", "FSMS", "ISMS", "MDMS", "ENMS", "ITSMS", "BCMS", "ABMS")


class AccreditationBody(Base):
    """A national accreditation body (认可机构): CNAS for China, UKAS, DAkkS, ANAB, JAB … abroad."""

    __tablename__ = "accreditation_body"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # CNAS, UKAS, DAKKS
    name: Mapped[str] = mapped_column(String(200))  # Chinese name
    name_en: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    website: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(300))  # e.g. "illustrative dates"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    scopes: Mapped[list[AccreditationScope]] = relationship(
        back_populates="body", cascade="all, delete-orphan",
        order_by="(AccreditationScope.main_scope, AccreditationScope.sub_scope)")


class AccreditationScope(Base):
    """One thing an accreditation body accredits (a main scope, optionally one sub-scope), and since when it is
    recognized under an arrangement (IAF MLA / ILAC MRA); `signatory_since` None: accredited, not recognized."""

    __tablename__ = "accreditation_scope"
    __table_args__ = (UniqueConstraint("body_id", "main_scope", "sub_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("accreditation_body.id", ondelete="CASCADE"), index=True)
    main_scope: Mapped[str] = mapped_column(String(10))  # 17021-1 | 17065 | 17024 | 14065 | 17025 | 17020 | 15189
    sub_scope: Mapped[str] = mapped_column(String(10), default="")  # "" = the whole main scope; QMS, EMS …
    arrangement: Mapped[str | None] = mapped_column(String(10))  # IAF MLA | ILAC MRA
    signatory_since: Mapped[date | None] = mapped_column(Date)
    signatory_until: Mapped[date | None] = mapped_column(Date)  # suspended or left
    body: Mapped[AccreditationBody] = relationship(back_populates="scopes")
