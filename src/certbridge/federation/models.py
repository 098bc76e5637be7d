"""Federation tables: a peer instance (its keys, URL and how far its log is proven) and the records mirrored
from it.

A peer's `verified_size` / `verified_root` is the latest of its signed checkpoints whose every leaf we hold and
re-hashed; `frontier` is the compact range of those leaves (one 32-byte hash per set bit of the size, largest
subtree first), so the next checkpoint is checked from the new leaves alone. A mirrored record is the fold of
the `data.state` of one subject's public events, as the peer's log carries them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow

BigInt = BigInteger().with_variant(Integer, "sqlite")
ROLES = ("region", "national")
MIRRORED = ("certificate", "organization", "body")


class FederationPeer(Base):
    """Another certbridge instance we follow: its name, log verifier key, base URL, and its proven mirror."""

    __tablename__ = "federation_peer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)  # the peer's instance name
    origin: Mapped[str] = mapped_column(String(250))  # its log's origin, "<name>/log"
    verifier_key: Mapped[str] = mapped_column(String(300))  # its log (checkpoint) verifier key
    base_url: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(20), default="region")  # region | national
    region_code: Mapped[str | None] = mapped_column(String(6))
    label: Mapped[str] = mapped_column(String(200), default="")
    witness: Mapped[bool] = mapped_column(Boolean, default=True)  # we cosign its checkpoints
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    verified_size: Mapped[int] = mapped_column(BigInt, default=0)
    verified_root: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    frontier: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    checkpoint: Mapped[str | None] = mapped_column(Text)  # the signed note of verified_size
    verified_at: Mapped[datetime | None]
    problem: Mapped[str | None] = mapped_column(String(40))  # withheld | tampered | root_mismatch | rollback | ...
    problem_detail: Mapped[str | None] = mapped_column(Text)
    problem_at: Mapped[datetime | None]
    # "audit": found by a whole-log audit, which a later incremental round cannot see, so only a clean audit
    # clears it; "round": found by a round (or before this was kept), cleared by the next clean round
    problem_source: Mapped[str | None] = mapped_column(String(8))
    last_contact_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)  # unreachable, HTTP errors: delays, not findings
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PeerRecord(Base):
    """One certificate, organization or body of a peer, folded from its public events in the peer's log."""

    __tablename__ = "federation_record"
    __table_args__ = (UniqueConstraint("peer_id", "subject_type", "subject_id"),
                      Index("ix_federation_record_key", "subject_type", "key"),
                      Index("ix_federation_record_parent", "peer_id", "parent_id"))

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("federation_peer.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(40))
    key: Mapped[str | None] = mapped_column(String(200))  # certificate number, body code, organization USCC
    name: Mapped[str | None] = mapped_column(String(300))  # holder, body or organization name
    parent_id: Mapped[str | None] = mapped_column(String(40))  # a certificate's organization id
    state: Mapped[str] = mapped_column(Text)  # canonical JSON of the folded state
    first_seq: Mapped[int] = mapped_column(BigInt)
    last_seq: Mapped[int] = mapped_column(BigInt)
