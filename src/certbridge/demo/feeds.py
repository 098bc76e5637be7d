"""Demo watch-lists and bulk files: the regulator watches the body with the most certificates (its console shows
the latest changes at once), and the day's signed bulk files are built so /open-data lists a day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from certbridge.auth.models import User
from certbridge.certificates.models import Certificate
from certbridge.db import write_session
from certbridge.ledger.journal import log_size
from certbridge.opendata.feeds.bulk_build import build_day
from certbridge.opendata.feeds.queueing import queue_pending
from certbridge.opendata.feeds.watches import add_watch
from certbridge.principal import Principal
from certbridge.settings import Settings

RECENT_EVENTS = 2000  # the watch starts this far back in the log, so its console has notifications at once
BULK_FILES_UP_TO = 200_000  # larger demo sets leave the first build to the nightly job (`certbridge bulk-files`)


def build_feeds_demo(sessions: sessionmaker[Session], *, settings: Settings, accounts: list[dict] | None,
                     on: date) -> dict[str, int]:
    """Add the regulator's demo watch, queue its notifications and build the day's bulk files; return counts."""
    regulator = next((a for a in accounts or [] if a["role"] == "regulator"), None)
    queued = 0
    with write_session(sessions) as session:
        certificates = session.scalar(select(func.count()).select_from(Certificate)) or 0
        busiest = session.scalar(select(Certificate.body_id).group_by(Certificate.body_id)
                                 .order_by(func.count().desc(), Certificate.body_id).limit(1))
        if regulator is not None and busiest is not None:
            user_id = session.scalar(select(User.id).where(User.username == "regulator"))
            principal = Principal(role="regulator", user_id=user_id, username="regulator")
            add_watch(session, principal=principal, kind="body", target=str(busiest), label="演示：证书最多的认证机构",
                      from_seq=max(0, log_size(session) - RECENT_EVENTS))
    if regulator is not None:
        queued = queue_pending(sessions) or 0
    if certificates <= BULK_FILES_UP_TO:
        build_day(sessions, settings=settings, on=on)
    return {"watch_notifications": queued}

