"""Per-account sign-in backoff and lockout, stored in the database (survives restarts, shared by processes).

The first `free` failed passwords of an account name cost nothing more than the per-address limit. Each
failure after that locks the name for `base_seconds · 2^(failures − free)`, up to `max_seconds`; while it is
locked no password is checked, not even the right one, so guessing from many addresses gains nothing. A
successful sign-in resets the count, and so does `certbridge users unlock`. Failures older than
`forget_seconds` no longer count.

The row is keyed by an HMAC of the normalized name (never the name: a password typed into the wrong box
must not be stored), and names without an account are throttled exactly like real ones, so the answer never
tells whether an account exists.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from certbridge.auth.models import SignInThrottle, User
from certbridge.db import utcnow
from certbridge.errors import NotFound, Unauthenticated
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal

_CST = timezone(timedelta(hours=8), "CST")  # the retry time in the message is China Standard Time


@dataclass(frozen=True)
class LockoutPolicy:
    """How sign-in failures of one account are throttled (settings sign_in_lockout_*)."""

    free: int = 5
    base_seconds: int = 30
    max_seconds: int = 900
    forget_seconds: int = 86_400

    def lock_seconds(self, failures: int) -> int:
        """Return how long an account is locked after this many failures in a row (0: not locked)."""
        if failures < self.free:
            return 0
        return min(self.max_seconds, self.base_seconds * 2 ** min(failures - self.free, 30))


class SignInLocked(Unauthenticated):
    """The account name is locked for a while: no password is checked until then."""

    status = 429

    def __init__(self, until: datetime, now: datetime) -> None:
        self.retry_after = max(1, math.ceil((until - now).total_seconds()))
        local = until.astimezone(_CST).strftime("%H:%M:%S")
        super().__init__("auth.signin_locked", retry_after=self.retry_after, until=local)


def account_key(username: str, pepper: bytes) -> str:
    """Return the stored key of an account name: HMAC-SHA-256 of the normalized name under the instance secret."""
    name = (username or "").strip().lower()
    return hmac.new(pepper, b"sign-in|" + name.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def _row(session: Session, key: str, *, lock: bool = False) -> SignInThrottle | None:
    stmt = select(SignInThrottle).where(SignInThrottle.account_key == key)
    if lock and session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def check_not_locked(session: Session, key: str, *, now: datetime | None = None) -> None:
    """Raise SignInLocked if the account name is locked now."""
    now = now or utcnow()
    row = _row(session, key)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise SignInLocked(row.locked_until, now)


def record_failure(session: Session, key: str, policy: LockoutPolicy, *, now: datetime | None = None) -> int:
    """Count one failed password for an account name; lock it per the policy. Return the lock in seconds."""
    now = now or utcnow()
    row = _row(session, key, lock=True)
    if row is None:
        row = SignInThrottle(account_key=key, failures=0, last_failure_at=now)
        session.add(row)
    elif row.last_failure_at < now - timedelta(seconds=policy.forget_seconds):
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    seconds = policy.lock_seconds(row.failures)
    row.locked_until = now + timedelta(seconds=seconds) if seconds else None
    session.flush()
    if seconds and row.failures == policy.free:
        # The account name became locked: worth a (private) event once per run of failures, not per attempt.
        record_event(session, type="sign_in.locked", subject_type="sign_in_throttle", subject_id=row.id,
                     actor="anonymous", public=False,
                     data={"state": {"failures": row.failures, "locked_until": row.locked_until}})
    # Rows of names nobody has failed on for a long time are of no use: drop them as we go.
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.last_failure_at < now - timedelta(seconds=policy.forget_seconds),
        SignInThrottle.id != row.id))
    return seconds


def record_success(session: Session, key: str) -> None:
    """Forget the failures of an account name after a successful sign-in."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.account_key == key))


def unlock(session: Session, *, principal: Principal, username: str, pepper: bytes) -> bool:
    """Lift the sign-in lock of an existing account (regulators); return False if it was not locked."""
    require_regulator(principal)
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        raise NotFound("auth.user_not_found", id=username)
    row = _row(session, account_key(user.username, pepper), lock=True)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    record_event(session, type="sign_in.unlocked", subject_type="user", subject_id=user.id, actor=principal.actor,
                 public=False, data={"failures": row.failures})
    return True
