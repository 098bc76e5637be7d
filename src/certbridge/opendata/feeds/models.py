"""Watch-list tables: a watch (one subscription with its own durable cursor into the log) and its delivery log.

The log is the outbox: a watch's `cursor` is the next log index it has not examined. Examining events and
queuing the deliveries they call for happen in one transaction, so a restart resumes exactly where the last
pass stopped. A delivery row is unique per (watch, event, channel): a second send of the same event is the
same row with `attempts` > 1 and is marked a retry on the wire.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow

BigInt = BigInteger().with_variant(Integer, "sqlite")
WATCH_KINDS = ("certificate", "organization", "body", "search")
CHANNELS = ("console", "webhook", "email")
DELIVERY_STATES = ("pending", "delivered", "failed")


class FeedWatch(Base):
    """What a user (or their API key) watches, where changes go, and how far in the log it has looked."""

    __tablename__ = "feed_watch"
    __table_args__ = (Index("ix_feed_watch_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    key_id: Mapped[str | None] = mapped_column(String(40))  # the API key that created it, if any
    kind: Mapped[str] = mapped_column(String(20))  # certificate | organization | body | search
    target: Mapped[str] = mapped_column(String(500))  # an id, or the saved search as canonical JSON
    label: Mapped[str] = mapped_column(String(200), default="")
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(80))  # HMAC-SHA256 key of the webhook signature
    email: Mapped[str | None] = mapped_column(String(200))
    cursor: Mapped[int] = mapped_column(BigInt, default=0)  # next log index to examine
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedDelivery(Base):
    """One event sent (or to send) to one watch over one channel: the delivery log."""

    __tablename__ = "feed_delivery"
    __table_args__ = (UniqueConstraint("watch_id", "seq", "channel"),
                      Index("ix_feed_delivery_due", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("feed_watch.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInt)
    event_type: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(100))  # "certificate:12"
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None] = mapped_column(Integer)  # the receiver's HTTP status
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]  # console notifications: when the user saw it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
