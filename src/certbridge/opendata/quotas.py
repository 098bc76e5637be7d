"""Daily quotas of the open-data API, per API key (stored as data) or per client address for anonymous callers.

The request-rate limit per minute is the security layer's (`security/limiter.py`: the key's `quota_per_minute`,
or the anonymous budget per class). On top of it, what a bulk verification costs is counted per day: requests
and list rows. A key's own daily quota is a row of `opendata_quota` (set by an administrator); keys without one,
and anonymous callers per address, get the instance defaults (settings). Usage is counted in `opendata_usage`
per subject and day (China Standard Time), in its own short transaction, so every server process sees the same
count. A call over a quota is refused before any work with 429 `quota.exceeded`, naming the quota and when it
resets (Retry-After, and `RateLimit-*` headers on answers).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, Integer, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from certbridge.auth.models import ApiKey
from certbridge.db import Base, utcnow, write_session
from certbridge.errors import DomainError, InvalidInput
from certbridge.kit.local_time import CST
from certbridge.ledger.journal import record_event
from certbridge.policy import require_admin
from certbridge.principal import Principal
from certbridge.settings import Settings

MAX_DAILY = 100_000_000


class OpenDataQuota(Base):
    """An API key's own daily quotas for the open-data API (null: the instance default)."""

    __tablename__ = "opendata_quota"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    requests_per_day: Mapped[int | None] = mapped_column(Integer)
    rows_per_day: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OpenDataUsage(Base):
    """How much one subject (`key:<key id>` or `ip:<address>`) used on one day (China Standard Time)."""

    __tablename__ = "opendata_usage"
    __table_args__ = (UniqueConstraint("subject", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(80))
    day: Mapped[date] = mapped_column(Date)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)


class QuotaExceeded(DomainError):
    """A call over a daily quota: 429, with Retry-After until the quota resets."""

    status = 429
    default_code = "quota.exceeded"

    def __init__(self, *, quota: str, limit: int, resets_at: datetime, retry_after: int) -> None:
        super().__init__("quota.exceeded", quota=quota, limit=limit, resets_at=resets_at.strftime("%Y-%m-%d %H:%M"))
        self.headers = {"Retry-After": str(retry_after)}


def today_cst(now: datetime | None = None) -> date:
    """Return the quota day of a moment (China Standard Time)."""
    return (now or utcnow()).astimezone(CST).date()


def reset_time(now: datetime | None = None) -> datetime:
    """Return when today's quotas reset: the next midnight, China Standard Time."""
    day = today_cst(now)
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), CST)


def subject_of(principal: Principal, client_ip: str | None) -> str:
    """Return whose quota a call counts against: its API key, else its address."""
    if principal.key_id:
        return f"key:{principal.key_id}"
    return f"ip:{(client_ip or 'unknown')[:64]}"


def limits_for(session: Session, settings: Settings, subject: str) -> dict[str, int]:
    """Return a subject's daily limits: the key's own, else the key or anonymous defaults."""
    if subject.startswith("key:"):
        own = session.scalar(select(OpenDataQuota).where(OpenDataQuota.key_id == subject[4:]))
        return {"requests": (own and own.requests_per_day) or settings.opendata_key_requests_per_day,
                "rows": (own and own.rows_per_day) or settings.opendata_key_rows_per_day}
    return {"requests": settings.opendata_anonymous_requests_per_day, "rows": settings.opendata_anonymous_rows_per_day}


def usage_of(session: Session, subject: str, day: date) -> dict[str, int]:
    """Return what a subject used on a day."""
    row = session.scalar(select(OpenDataUsage).where(OpenDataUsage.subject == subject, OpenDataUsage.day == day))
    return {"requests": row.requests if row else 0, "rows": row.rows if row else 0}


def _add(session: Session, subject: str, day: date, rows: int) -> None:
    added = session.execute(update(OpenDataUsage).where(OpenDataUsage.subject == subject, OpenDataUsage.day == day)
                            .values(requests=OpenDataUsage.requests + 1, rows=OpenDataUsage.rows + rows))
    if added.rowcount:
        return
    try:
        with session.begin_nested():
            session.add(OpenDataUsage(subject=subject, day=day, requests=1, rows=rows))
    except IntegrityError:  # another process inserted it first (savepoint rolled back): count on its row
        session.execute(update(OpenDataUsage).where(OpenDataUsage.subject == subject, OpenDataUsage.day == day)
                        .values(requests=OpenDataUsage.requests + 1, rows=OpenDataUsage.rows + rows))


def charge(sessions, settings: Settings, *, subject: str, rows: int, now: datetime | None = None) -> dict[str, Any]:
    """Count one call of `rows` rows against the subject's daily quotas, or refuse it (QuotaExceeded) unchanged.

    Returns the limits, what is left after this call and when they reset (for the RateLimit headers).
    """
    now = now or utcnow()
    day, resets = today_cst(now), reset_time(now)
    with write_session(sessions) as session:
        limits = limits_for(session, settings, subject)
        used = usage_of(session, subject, day)
        for quota, cost in (("requests", 1), ("rows", rows)):
            if used[quota] + cost > limits[quota]:
                retry = max(1, int((resets - now).total_seconds()))
                raise QuotaExceeded(quota=f"{quota}_per_day", limit=limits[quota], resets_at=resets, retry_after=retry)
        _add(session, subject, day, rows)
    return {"limits": limits, "remaining": {"requests": limits["requests"] - used["requests"] - 1,
                                            "rows": limits["rows"] - used["rows"] - rows},
            "reset": max(1, int((resets - now).total_seconds()))}


def set_key_quota(session: Session, *, principal: Principal, key_id: str, requests_per_day: int | None,
                  rows_per_day: int | None) -> OpenDataQuota:
    """Give an API key its own daily quotas (administrators only); None keeps the instance default."""
    require_admin(principal)
    for field, value in (("requests_per_day", requests_per_day), ("rows_per_day", rows_per_day)):
        if value is not None and not 1 <= value <= MAX_DAILY:
            raise InvalidInput("quota.range", field=field, max=MAX_DAILY)
    if session.scalar(select(ApiKey.id).where(ApiKey.key_id == key_id)) is None:
        raise InvalidInput("quota.no_such_key", field="key_id", key_id=key_id[:16])
    quota = session.scalar(select(OpenDataQuota).where(OpenDataQuota.key_id == key_id))
    if quota is None:
        quota = OpenDataQuota(key_id=key_id)
        session.add(quota)
    quota.requests_per_day, quota.rows_per_day = requests_per_day, rows_per_day
    session.flush()
    record_event(session, type="api_key.opendata_quota_set", subject_type="api_key", subject_id=key_id,
                 actor=principal.actor, public=False,
                 data={"key_id": key_id, "requests_per_day": requests_per_day, "rows_per_day": rows_per_day})
    return quota
