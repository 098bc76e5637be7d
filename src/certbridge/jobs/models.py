"""The job table: one row per background job, what it is, who asked, how far it got and what came of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow

STATUSES = ("queued", "running", "succeeded", "failed", "interrupted")
FINISHED = frozenset({"succeeded", "failed", "interrupted"})


class Job(Base):
    """A background job. Live progress is kept in the running process; the row holds the start and the end."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    actor: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    body_id: Mapped[int | None] = mapped_column(Integer)
    runner: Mapped[str] = mapped_column(String(120), default="")  # host:pid of the process that runs it
    stage: Mapped[str] = mapped_column(String(40), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
