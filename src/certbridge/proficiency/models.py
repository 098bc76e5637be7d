"""Proficiency-testing tables: a scheme (provider's programme), its rounds, and each participant's result."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certbridge.db import Base, utcnow

OUTCOMES = ("satisfactory", "questionable", "unsatisfactory")


class PtScheme(Base):
    """A proficiency-testing programme run by a provider (CNAS-accredited or recognised from abroad)."""

    __tablename__ = "pt_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(200))
    # Results recognised from abroad under an agreement name their source (e.g. "APAC MRA · NATA"); None: domestic.
    foreign_source: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rounds: Mapped[list[PtRound]] = relationship(back_populates="scheme", order_by="PtRound.held_on")


class PtRound(Base):
    """One round of a scheme: the parameter measured, the method, when; participants are its results."""

    __tablename__ = "pt_round"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("pt_scheme.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # the provider's round number
    parameter: Mapped[str] = mapped_column(String(200))  # 测试参数 / item
    method: Mapped[str | None] = mapped_column(String(200))  # the method standard as written
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standard.id", ondelete="SET NULL"))
    held_on: Mapped[date] = mapped_column(Date)
    scheme: Mapped[PtScheme] = relationship(back_populates="rounds")
    results: Mapped[list[PtResult]] = relationship(back_populates="round", order_by="PtResult.id")


class PtResult(Base):
    """A lab's result in a round, for the capability item concerned."""

    __tablename__ = "pt_result"
    __table_args__ = (UniqueConstraint("round_id", "lab_id"), Index("ix_pt_result_lab_item", "lab_id", "item"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pt_round.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("lab.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(200))  # the lab's capability item the result speaks for
    outcome: Mapped[str] = mapped_column(String(14))  # satisfactory | questionable | unsatisfactory
    z_score: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    round: Mapped[PtRound] = relationship(back_populates="results")
