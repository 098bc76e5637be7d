"""Watch-lists: add, list, stop and replay a watch; read the console notifications and the delivery log."""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.db import utcnow
from certbridge.errors import InvalidInput, NotFound
from certbridge.ledger.journal import log_size, record_event
from certbridge.opendata.feeds.matching import SEARCH_FIELDS
from certbridge.opendata.feeds.models import WATCH_KINDS, FeedDelivery, FeedWatch
from certbridge.opendata.feeds.targets import check_target
from certbridge.policy import require_authenticated, require_writer
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Organization

WATCHES_PER_USER = 500  # a watch costs a pass over every new event: keep a user's list bounded
_URL = re.compile(r"^https?://[^\s/?#]+(:\d+)?(/[^\s]*)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TARGET_TABLES = {"certificate": Certificate, "organization": Organization, "body": CertificationBody}


def _target(session: Session, kind: str, target: Any) -> str:
    if kind not in WATCH_KINDS:
        raise InvalidInput("feeds.kind_unknown", field="kind", kind=kind, kinds=", ".join(WATCH_KINDS))
    if kind == "search":
        search = target if isinstance(target, dict) else _search_from_text(target)
        unknown = sorted(set(search) - set(SEARCH_FIELDS))
        if unknown or not search:
            raise InvalidInput("feeds.search_fields", field="target", fields=", ".join(SEARCH_FIELDS),
                               unknown=", ".join(unknown) or "-")
        return json.dumps({k: str(v) for k, v in sorted(search.items())}, ensure_ascii=False, separators=(",", ":"))
    text = str(target).strip()
    if not text.isdigit() or session.get(_TARGET_TABLES[kind], int(text)) is None:
        raise NotFound("feeds.target_not_found", field="target", kind=kind, id=text[:40])
    return text


def _search_from_text(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(str(text))
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidInput("feeds.search_json", field="target", fields=", ".join(SEARCH_FIELDS))
    return value


def add_watch(session: Session, *, principal: Principal, kind: str, target: Any, label: str = "",
              webhook_url: str | None = None, email: str | None = None, from_seq: int | None = None,
              allow_private_targets: bool = False) -> FeedWatch:
    """Watch a certificate, organization, body or saved search; changes from now on (or from `from_seq`).

    A webhook URL must resolve to public addresses only (`targets.check_target`) unless the deployment allows
    private targets."""
    require_writer(principal)
    if principal.user_id is None:
        raise InvalidInput("feeds.needs_user")
    webhook_url = (webhook_url or "").strip() or None
    if webhook_url and (len(webhook_url) > 500 or not _URL.match(webhook_url)):
        raise InvalidInput("feeds.webhook_url", field="webhook_url", value=webhook_url[:80])
    if webhook_url:  # before the first statement: no transaction waits on the resolver
        check_target(webhook_url, allow_private=allow_private_targets)
    key = _target(session, kind, target)
    email = (email or "").strip() or None
    if email and (len(email) > 200 or not _EMAIL.match(email)):
        raise InvalidInput("feeds.email", field="email", value=email[:80])
    size = log_size(session)
    if from_seq is not None and not 0 <= from_seq <= size:
        raise InvalidInput("feeds.cursor_range", field="from_seq", value=from_seq, size=size)
    count = session.scalar(select(func.count()).select_from(FeedWatch).where(
        FeedWatch.user_id == principal.user_id, FeedWatch.active.is_(True)))
    if count >= WATCHES_PER_USER:
        raise InvalidInput("feeds.too_many", limit=WATCHES_PER_USER)
    watch = FeedWatch(user_id=principal.user_id, key_id=principal.key_id, kind=kind, target=key,
                      label=(label or "").strip()[:200], webhook_url=webhook_url, email=email,
                      secret=secrets.token_urlsafe(32), cursor=size if from_seq is None else from_seq, active=True)
    session.add(watch)
    session.flush()
    record_event(session, type="watch.added", subject_type="watch", subject_id=watch.id, actor=principal.actor,
                 public=False, data={"state": {"kind": kind, "target": key, "webhook": bool(webhook_url),
                                               "email": bool(email), "cursor": watch.cursor}})
    return watch


def own_watch(session: Session, *, principal: Principal, watch_id: int) -> FeedWatch:
    """Get one of the caller's watches (another user's is not found)."""
    require_authenticated(principal)
    watch = session.get(FeedWatch, watch_id)
    if watch is None or (watch.user_id != principal.user_id and not principal.is_regulator):
        raise NotFound("feeds.watch_not_found", id=watch_id)
    return watch


def list_watches(session: Session, *, principal: Principal) -> list[FeedWatch]:
    """List the caller's active watches, newest first."""
    require_authenticated(principal)
    return list(session.scalars(select(FeedWatch).where(FeedWatch.user_id == principal.user_id,
                                                        FeedWatch.active.is_(True)).order_by(FeedWatch.id.desc())))


def stop_watch(session: Session, *, principal: Principal, watch_id: int) -> FeedWatch:
    """Stop a watch: nothing more is queued for it; its delivery log stays readable."""
    require_writer(principal)
    watch = own_watch(session, principal=principal, watch_id=watch_id)
    watch.active = False
    session.flush()
    record_event(session, type="watch.stopped", subject_type="watch", subject_id=watch.id, actor=principal.actor,
                 public=False, data={"state": {"active": False}})
    return watch


def replay_watch(session: Session, *, principal: Principal, watch_id: int, from_seq: int) -> FeedWatch:
    """Examine the log again from `from_seq`: events already delivered are sent again, marked as retries."""
    require_writer(principal)
    watch = own_watch(session, principal=principal, watch_id=watch_id)
    size = log_size(session)
    if not 0 <= from_seq <= size:
        raise InvalidInput("feeds.cursor_range", field="from_seq", value=from_seq, size=size)
    watch.cursor = from_seq
    session.flush()
    record_event(session, type="watch.replayed", subject_type="watch", subject_id=watch.id, actor=principal.actor,
                 public=False, data={"state": {"cursor": from_seq}})
    return watch


def deliveries(session: Session, *, watch: FeedWatch, channel: str | None = None, limit: int = 100) -> list[FeedDelivery]:
    """Return a watch's delivery log, newest first."""
    stmt = select(FeedDelivery).where(FeedDelivery.watch_id == watch.id)
    if channel:
        stmt = stmt.where(FeedDelivery.channel == channel)
    return list(session.scalars(stmt.order_by(FeedDelivery.seq.desc(), FeedDelivery.id.desc()).limit(limit)))


def notifications(session: Session, *, principal: Principal, limit: int = 50) -> list[tuple[FeedDelivery, FeedWatch]]:
    """Return the caller's console notifications, newest first, with the watch each came from."""
    require_authenticated(principal)
    return [(d, w) for d, w in session.execute(
        select(FeedDelivery, FeedWatch).join(FeedWatch, FeedWatch.id == FeedDelivery.watch_id)
        .where(FeedWatch.user_id == principal.user_id, FeedDelivery.channel == "console")
        .order_by(FeedDelivery.seq.desc()).limit(limit))]


def mark_read(session: Session, *, principal: Principal, at: datetime | None = None) -> int:
    """Mark all of the caller's console notifications read; return how many were unread."""
    require_authenticated(principal)
    mine = select(FeedWatch.id).where(FeedWatch.user_id == principal.user_id).scalar_subquery()
    result = session.execute(update(FeedDelivery).where(
        FeedDelivery.watch_id.in_(mine), FeedDelivery.channel == "console", FeedDelivery.read_at.is_(None))
        .values(read_at=at or utcnow()))
    return result.rowcount or 0
