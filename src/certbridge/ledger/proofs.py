"""Checkpoints as served, inclusion and consistency proofs, and self-contained proof bundles."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, NotFound
from certbridge.ledger.journal import LedgerEvent
from certbridge.kit.merkle import prove_record, prove_tree
from certbridge.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerKey, LedgerTree
from certbridge.ledger.store import hash_reader

BUNDLE_FORMAT = "certbridge-proof/v1"


def b64(data: bytes) -> str:
    """Return standard base64, as checkpoints and proofs use it."""
    return base64.b64encode(data).decode("ascii")


def integrated_size(session: Session) -> int:
    """Return how many events the tree holds."""
    return session.scalar(select(LedgerTree.size).where(LedgerTree.id == 1)) or 0


def latest_checkpoint(session: Session) -> LedgerCheckpoint:
    """Return the newest checkpoint, or raise if the log has none yet."""
    cp = session.scalar(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(1))
    if cp is None:
        raise NotFound("ledger.no_checkpoint")
    return cp


def checkpoint_at(session: Session, size: int) -> LedgerCheckpoint:
    """Return the newest checkpoint of a tree size."""
    cp = session.scalar(select(LedgerCheckpoint).where(LedgerCheckpoint.size == size)
                        .order_by(LedgerCheckpoint.id.desc()).limit(1))
    if cp is None:
        raise NotFound("ledger.checkpoint_not_found", size=size)
    return cp


def served_note(session: Session, cp: LedgerCheckpoint) -> str:
    """Return a checkpoint's signed note with every witness cosignature appended."""
    lines = session.scalars(select(LedgerCosignature.line).where(LedgerCosignature.checkpoint_id == cp.id)
                            .order_by(LedgerCosignature.id))
    return cp.note + "".join(lines)


def log_verifier_keys(session: Session) -> list[str]:
    """Return every log verifier key ever used, oldest first."""
    return list(session.scalars(select(LedgerKey.verifier_key).where(LedgerKey.purpose == "log")
                                .order_by(LedgerKey.id)))


class Prover:
    """Proofs over one session's view of the tree: the tree size is read once, then only hashes."""

    def __init__(self, session: Session) -> None:
        self.tree_size = integrated_size(session)
        self.read = hash_reader(session)

    def _check_size(self, size: int) -> None:
        if size > self.tree_size:
            raise NotFound("ledger.size_not_integrated", size=size, have=self.tree_size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """Return the RFC 9162 inclusion proof of leaf `index` in the tree of `size`."""
        if not 0 <= index < size:
            raise InvalidInput("ledger.index_out_of_range", field="index", index=index, size=size)
        self._check_size(size)
        return prove_record(size, index, self.read)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        """Return the RFC 9162 consistency proof from the tree of `old_size` to the tree of `new_size`."""
        if not 1 <= old_size <= new_size:
            raise InvalidInput("ledger.sizes_out_of_order", field="old", old=old_size, new=new_size)
        self._check_size(new_size)
        return [] if old_size == new_size else prove_tree(new_size, old_size, self.read)


def inclusion_proof(session: Session, *, index: int, size: int) -> list[bytes]:
    """Return the RFC 9162 inclusion proof of leaf `index` in the tree of `size`."""
    return Prover(session).inclusion(index, size)


def consistency_proof(session: Session, *, old_size: int, new_size: int) -> list[bytes]:
    """Return the RFC 9162 consistency proof from the tree of `old_size` to the tree of `new_size`."""
    return Prover(session).consistency(old_size, new_size)


def get_event(session: Session, seq: int) -> LedgerEvent:
    """Get an event by its leaf index."""
    event = session.get(LedgerEvent, seq)
    if event is None:
        raise NotFound("ledger.event_not_found", seq=seq)
    return event


def event_view(event: LedgerEvent, *, reveal_private: bool = False) -> dict[str, Any]:
    """Return an event as the API shows it: the body only if it is public (or the caller may see it)."""
    show = event.public or reveal_private
    return {
        "seq": event.seq,
        "leaf_hash": b64(event.leaf_hash),
        "public": event.public,
        "type": event.type if show else None,
        "subject": {"type": event.subject_type, "id": event.subject_id} if show else None,
        "at": event.at.isoformat() if show else None,
        "body": event.body if show else None,
        "nonce": b64(event.nonce) if show and not event.public and event.nonce is not None else None,
    }


def proof_bundle(session: Session, *, seq: int, size: int | None = None,
                 reveal_private: bool = False) -> dict[str, Any]:
    """Return everything needed to check offline that an event is in a signed checkpoint."""
    event = get_event(session, seq)
    cp = checkpoint_at(session, size) if size is not None else latest_checkpoint(session)
    if seq >= cp.size:
        raise NotFound("ledger.event_not_yet_in_checkpoint", seq=seq, size=cp.size)
    proof = inclusion_proof(session, index=seq, size=cp.size)
    show = event.public or reveal_private
    return {
        "format": BUNDLE_FORMAT,
        "index": seq,
        "event": event.body if show else None,
        "nonce": b64(event.nonce) if show and not event.public and event.nonce is not None else None,
        "leaf_hash": b64(event.leaf_hash),
        "tree_size": cp.size,
        "root_hash": b64(cp.root_hash),
        "inclusion_proof": [b64(h) for h in proof],
        "checkpoint": served_note(session, cp),
        "log_keys": log_verifier_keys(session),
    }
