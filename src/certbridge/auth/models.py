"""Users and API keys (secrets stored only as hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow


class User(Base):
    """A person who signs in, with one role and the scope it writes in."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("certification_body.id"))
    lab_id: Mapped[int | None] = mapped_column(ForeignKey("lab.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """An API key: `cbk_<key_id>_<secret>`; only SHA-256 of the secret is kept."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # Requests per minute this key may make (security/limiter.py); None: the instance default.
    quota_per_minute: Mapped[int | None]


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of the random cookie value is stored."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Recent failed sign-ins of one account name (auth/lockout.py); keyed by a keyed hash, never the name.

    Operational state like the rate-limit buckets, but in the database so it survives restarts and is
    shared by every server process. Names that belong to no account get rows too: the answer must not
    tell whether an account exists.
    """

    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
