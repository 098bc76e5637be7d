"""The public change feed: the log read forward from any position, private events as redaction markers.

Every log index appears exactly once, in order: a public event with its canonical body (what its leaf hash
covers), a private one as `{"seq", "leaf_hash", "public": false}` — the same redaction the log's entry bundles
use. So a follower that read the feed from zero holds every leaf hash and can recompute any checkpoint's root:
it can prove it missed nothing, and learns nothing the log keeps private.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.kit.canonical_json import datetime_text
from certbridge.ledger.journal import LedgerEvent, log_size

PAGE_MAX = 1000  # items per page: one indexed range read on the log's primary key


def feed_item(event: LedgerEvent) -> dict[str, Any]:
    """Return one feed item: the public event as the log hashed it, or its redaction marker."""
    item: dict[str, Any] = {"seq": event.seq, "leaf_hash": base64.b64encode(event.leaf_hash).decode("ascii"),
                            "public": bool(event.public)}
    if event.public:
        item.update(type=event.type, subject={"type": event.subject_type, "id": event.subject_id},
                    at=datetime_text(event.at), event=event.body)
    return item


def read_items(session: Session, *, after: int, limit: int) -> list[dict[str, Any]]:
    """Return up to `limit` feed items with seq > `after` (after=-1 starts at the first event)."""
    limit = max(1, min(limit, PAGE_MAX))
    # Columns, not ORM objects, and no parsing of bodies: the feed is read in bulk by every follower.
    rows = session.execute(select(LedgerEvent.seq, LedgerEvent.public, LedgerEvent.leaf_hash, LedgerEvent.type,
                                  LedgerEvent.subject_type, LedgerEvent.subject_id, LedgerEvent.at, LedgerEvent.body)
                           .where(LedgerEvent.seq > after).order_by(LedgerEvent.seq).limit(limit))
    b64 = base64.b64encode
    out = []
    for seq, public, leaf, kind, subject_type, subject_id, at, body in rows:
        item: dict[str, Any] = {"seq": seq, "leaf_hash": b64(leaf).decode("ascii"), "public": bool(public)}
        if public:
            item.update(type=kind, subject={"type": subject_type, "id": subject_id}, at=datetime_text(at), event=body)
        out.append(item)
    return out


def feed_page(session: Session, *, after: int, limit: int) -> dict[str, Any]:
    """Return a page of the feed with the cursor to ask for next and the log's size when it was read."""
    size = log_size(session)
    items = read_items(session, after=after, limit=limit)
    last = items[-1]["seq"] if items else after
    return {"items": items, "next_after": last, "log_size": size, "complete": last + 1 >= size}


def public_events(session: Session, *, after: int, limit: int) -> list[LedgerEvent]:
    """Return up to `limit` public events with seq > `after`, newest last (for the Atom page)."""
    return list(session.scalars(select(LedgerEvent).where(LedgerEvent.seq > after, LedgerEvent.public.is_(True))
                                .order_by(LedgerEvent.seq).limit(limit)))


def latest_public_events(session: Session, *, limit: int) -> list[LedgerEvent]:
    """Return the newest `limit` public events, newest first."""
    return list(session.scalars(select(LedgerEvent).where(LedgerEvent.public.is_(True))
                                .order_by(LedgerEvent.seq.desc()).limit(limit)))
