"""Send queued deliveries: webhooks (signed, retried with exponential backoff) and e-mail.

A send is claimed first — its attempt counted and its next try pushed past the send's timeout — in its own
short transaction, then made with no transaction open, then its outcome recorded. So a process that dies
mid-send leaves a row whose attempt count says the next send is a retry, and two processes never send the
same delivery at once. Per watch only the oldest pending delivery is sent, so a receiver sees events in log
order even across retries.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import read_session, utcnow, write_session
from certbridge.errors import InvalidInput
from certbridge.ledger.journal import LedgerEvent
from certbridge.opendata.feeds import webhooks
from certbridge.opendata.feeds.changes import feed_item
from certbridge.opendata.feeds.models import FeedDelivery, FeedWatch
from certbridge.opendata.feeds.targets import check_target
from certbridge.settings import Settings

SEND_BATCH = 100  # deliveries sent per pass


@dataclass(frozen=True)
class _Claim:
    delivery_id: int
    channel: str
    attempt: int
    seq: int
    watch: dict
    secret: str
    webhook_url: str | None
    email: str | None


def _due(session: Session) -> list[int]:
    oldest = (select(FeedDelivery.watch_id, func.min(FeedDelivery.seq).label("seq"))
              .where(FeedDelivery.status == "pending").group_by(FeedDelivery.watch_id).subquery())
    stmt = (select(FeedDelivery.id).join(oldest, (oldest.c.watch_id == FeedDelivery.watch_id)
                                         & (oldest.c.seq == FeedDelivery.seq))
            .where(FeedDelivery.status == "pending", FeedDelivery.next_attempt_at <= utcnow())
            .order_by(FeedDelivery.next_attempt_at).limit(SEND_BATCH))
    return list(session.scalars(stmt))


def _claim(sessions: sessionmaker[Session], delivery_id: int, settings: Settings) -> _Claim | None:
    with write_session(sessions) as session:
        row = session.get(FeedDelivery, delivery_id)
        now = utcnow()
        if row is None or row.status != "pending" or row.next_attempt_at is None or row.next_attempt_at > now:
            return None
        watch = session.get(FeedWatch, row.watch_id)
        row.attempts += 1
        row.next_attempt_at = now + timedelta(seconds=settings.feeds_webhook_timeout_seconds * 3)
        return _Claim(row.id, row.channel, row.attempts, row.seq,
                      {"id": watch.id, "kind": watch.kind, "target": watch.target, "label": watch.label},
                      watch.secret, watch.webhook_url, watch.email)


def _record(sessions: sessionmaker[Session], claim: _Claim, settings: Settings, status: int | None,
            error: str | None) -> None:
    with write_session(sessions) as session:
        row = session.get(FeedDelivery, claim.delivery_id)
        if row is None:
            return
        row.last_status, row.last_error = status, error
        if error is None:
            row.status, row.delivered_at, row.next_attempt_at = "delivered", utcnow(), None
        elif row.attempts >= settings.feeds_retry_max_attempts:
            row.status, row.next_attempt_at = "failed", None
        else:
            wait = settings.feeds_retry_base_seconds * 2 ** (row.attempts - 1)
            row.next_attempt_at = utcnow() + timedelta(seconds=wait)


def _send_webhook(http: httpx.Client, claim: _Claim, event: dict,
                  settings: Settings) -> tuple[int | None, str | None]:
    try:  # resolved again now, and the connection made to the address checked (no DNS rebinding)
        pinned = check_target(claim.webhook_url, allow_private=settings.feeds_webhook_allow_private)
    except InvalidInput as exc:
        return None, f"refused: {exc.code} {exc.params.get('address', exc.params.get('host'))}"[:500]
    body = webhooks.payload(delivery_id=claim.delivery_id, attempt=claim.attempt, watch=claim.watch, event=event)
    headers = webhooks.headers(secret=claim.secret, delivery_id=claim.delivery_id, attempt=claim.attempt,
                               seq=claim.seq, body=body)
    try:
        r = http.post(pinned.url, content=body, headers={**headers, **pinned.headers}, extensions=pinned.extensions)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return r.status_code, None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"


def _send_email(settings: Settings, claim: _Claim, event: dict) -> tuple[int | None, str | None]:
    if not settings.smtp_url:
        return None, "smtp_url is not set"
    url = urlsplit(settings.smtp_url)
    msg = EmailMessage()
    msg["From"], msg["To"] = settings.smtp_from, claim.email
    msg["Subject"] = f"[certbridge] {event.get('type')} {event['subject']['type']}:{event['subject']['id']}"
    msg.set_content(f"关注项 / watch: {claim.watch['label'] or claim.watch['kind'] + ' ' + claim.watch['target']}\n"
                    f"事件 / event #{claim.seq}: {event.get('type')}\n\n{event.get('event')}\n")
    try:
        smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        with smtp_class(url.hostname or "localhost", url.port or (465 if url.scheme == "smtps" else 25),
                        timeout=settings.feeds_webhook_timeout_seconds) as smtp:
            if url.username:
                smtp.login(url.username, url.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    return 250, None


def send_due(sessions: sessionmaker[Session], *, settings: Settings, http: httpx.Client) -> int:
    """Send every delivery that is due (one per watch, oldest first); return how many went through."""
    with read_session(sessions) as session:
        due = _due(session)
    sent = 0
    for delivery_id in due:
        claim = _claim(sessions, delivery_id, settings)
        if claim is None:
            continue
        with read_session(sessions) as session:
            event = feed_item(session.get(LedgerEvent, claim.seq))
        if claim.channel == "webhook" and claim.webhook_url:
            status, error = _send_webhook(http, claim, event, settings)
        elif claim.channel == "email" and claim.email:
            status, error = _send_email(settings, claim, event)
        else:
            status, error = None, "no address"
        _record(sessions, claim, settings, status, error)
        sent += error is None
    return sent
