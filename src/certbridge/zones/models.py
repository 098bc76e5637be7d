"""Demonstration zones: regions (GB/T 2260) and schemes, as data a regulator keeps (brands: registry.models)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow


class DemonstrationZone(Base):
    """A 示范区 (e.g. 国家有机产品认证示范区): some regions and the schemes it promotes there."""

    __tablename__ = "demonstration_zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # organic | green | quality | other
    regions: Mapped[list] = mapped_column(JSON)  # GB/T 2260 codes, none inside another
    schemes: Mapped[list] = mapped_column(JSON)  # scheme codes
    designated_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
