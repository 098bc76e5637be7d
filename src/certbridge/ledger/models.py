"""Ledger tables: the stored-hash array, the tree state, checkpoints, keys and witnesses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certbridge.db import Base, utcnow

BigInt = BigInteger().with_variant(Integer, "sqlite")  # SQLite's INTEGER PRIMARY KEY is the rowid: fastest


class LedgerHash(Base):
    """One stored hash of the Merkle tree, at its dense sumdb stored-hash index (append-only)."""

    __tablename__ = "ledger_hash"

    idx: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerTree(Base):
    """The integrated tree: how many events are hashed into the stored-hash array, and its root."""

    __tablename__ = "ledger_tree"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigInt, default=0)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerCheckpoint(Base):
    """A signed checkpoint (C2SP tlog-checkpoint note) of the tree at one size."""

    __tablename__ = "ledger_checkpoint"

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInt, index=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)  # the signed note, log signature(s) only
    key: Mapped[str] = mapped_column(String(200))  # name+keyid of the log key that signed it
    map_root: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # the state map's root in its note, if any
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerCosignature(Base):
    """A witness's cosignature line on one checkpoint (C2SP tlog-cosignature)."""

    __tablename__ = "ledger_cosignature"
    __table_args__ = (UniqueConstraint("checkpoint_id", "witness_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoint.id", ondelete="CASCADE"), index=True)
    witness_id: Mapped[int] = mapped_column(ForeignKey("ledger_witness.id", ondelete="CASCADE"))
    line: Mapped[str] = mapped_column(Text)  # "— name base64\n"
    timestamp: Mapped[int] = mapped_column(BigInt)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerKey(Base):
    """A verifier key this instance has signed with, with the time it was in use; never deleted."""

    __tablename__ = "ledger_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))  # log | witness | credential
    name: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(8))  # hex, as in the signed-note signature line
    verifier_key: Mapped[str] = mapped_column(String(300), unique=True)
    valid_from: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime | None]


class LedgerWitness(Base):
    """A witness our log asks for cosignatures (C2SP tlog-witness), with what it has seen of us."""

    __tablename__ = "ledger_witness"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))  # submission prefix; we POST <url>/add-checkpoint
    verifier_key: Mapped[str] = mapped_column(String(300), unique=True)
    last_size: Mapped[int] = mapped_column(BigInt, default=0)  # size of the latest checkpoint it cosigned
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_contact_at: Mapped[datetime | None]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class WitnessedLog(Base):
    """A log we act as a witness for: its origin, the keys we trust, and the latest state we cosigned."""

    __tablename__ = "ledger_witnessed_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(300), unique=True)
    verifier_keys: Mapped[str] = mapped_column(Text)  # one verifier key per line
    size: Mapped[int] = mapped_column(BigInt, default=0)
    root_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerIntegrity(Base):
    """What the integrity monitor has checked (its watermarks) and what it found: ok, or degraded and why."""

    __tablename__ = "ledger_integrity"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_seq: Mapped[int] = mapped_column(BigInt, default=0)  # events below it re-hashed and in sequence
    checked_tree: Mapped[int] = mapped_column(BigInt, default=0)  # stored hashes of leaves below it recomputed
    checked_certificate: Mapped[int] = mapped_column(BigInt, default=0)  # highest certificate id replayed
    status: Mapped[str] = mapped_column(String(20), default="ok")  # ok | degraded
    problems: Mapped[str | None] = mapped_column(Text)  # JSON list of {code, params} when degraded
    checked_at: Mapped[datetime | None]
    degraded_at: Mapped[datetime | None]
