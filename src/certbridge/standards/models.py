"""Tables of the standards service (the standard itself is the registry's)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base

DEGREES = ("IDT", "MOD", "NEQ")  # GB/T 20000.2: identical, modified, not equivalent


class StandardEquivalence(Base):
    """How a Chinese standard corresponds to a foreign or international one (IDT / MOD / NEQ)."""

    __tablename__ = "standard_equivalence"
    __table_args__ = (UniqueConstraint("standard_id", "foreign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id", ondelete="CASCADE"), index=True)
    foreign_id: Mapped[int] = mapped_column(ForeignKey("standard.id", ondelete="CASCADE"), index=True)
    degree: Mapped[str] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(Text)
