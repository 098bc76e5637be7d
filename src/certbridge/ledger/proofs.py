"""Checkpoints as served, inclusion and consistency proofs, and self-contained proof bundles."""

from __future__ import annotations

import base64
from hashlib import sha256
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, NotFound
from certbridge.ledger.journal import LedgerEvent
from certbridge.kit.merkle import stored_hash_index
from certbridge.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerKey, LedgerTree
from certbridge.ledger.store import LedgerCorrupt, hash_reader, top_levels

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
    """Proofs over one session's view of the tree: the tree size is read once, then only hashes.

    The top of the tree comes from the engine's TopLevels (ledger/store.py), a piece of the right edge from its
    per-size memory; what is left — the few hashes next to the leaf — is read from the database in one query.
    The proofs are RFC 9162's, the same as `kit.merkle.prove_record` / `prove_tree` make (tests compare them).
    """

    def __init__(self, session: Session) -> None:
        self.tree_size = integrated_size(session)
        self.read = hash_reader(session)
        self.session = session
        self._cur = None
        self._sqlite = True
        self.top = top_levels(session)
        top = self.top
        if top.cut < 64 and (self.tree_size >> top.cut) > len(top.levels[top.cut]) // 32:
            top.fill(session, self.tree_size, wait=False)  # the log grew since the top was filled: a few reads

    def _check_size(self, size: int) -> None:
        if size > self.tree_size:
            raise NotFound("ledger.size_not_integrated", size=size, have=self.tree_size)

    def nodes(self, nodes: list[tuple[int, int]]) -> list[bytes]:
        """Return the hashes of complete subtrees given as (level, index): from memory, the rest in one query."""
        top = self.top
        cut, levels = top.cut, top.levels
        out: list = []
        missing: list[int] = []
        for lv, n in nodes:
            if lv >= cut:
                off = n << 5
                level = levels[lv]
                if off < len(level):
                    out.append(bytes(level[off:off + 32]))
                    continue
            missing.append(len(out))
            out.append(stored_hash_index(lv, n))
        if missing:
            for i, h in zip(missing, self.read.read([out[i] for i in missing], remember=False), strict=True):
                out[i] = h  # through the HashStore: edge pieces and consistency proofs may repeat indexes
        return out

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """Return the RFC 9162 inclusion proof of leaf `index` in the tree of `size`."""
        if not 0 <= index < size:
            raise InvalidInput("ledger.index_out_of_range", field="index", index=index, size=size)
        self._check_size(size)
        # Bottom up (RFC 9162 section 2.1.3.2 in reverse): at each level the node holding the leaf, `i`, meets
        # its sibling — a complete subtree, or on the right edge the rest of the tree — unless it is the level's
        # last node with no right sibling; `last` is the level's last node.
        top = self.top
        cut, levels = top.cut, top.levels
        proof: list = []
        missing: list[int] = []
        i, last, lv = index, size - 1, 0
        while last:
            if i & 1:
                sibling = i - 1
            elif i < last:
                sibling = i + 1
                if (sibling + 1) << lv > size:  # not complete: the leaves from the sibling's first to the end
                    proof.append(top.edge(size, sibling << lv, self.nodes))
                    i, last, lv = i >> 1, last >> 1, lv + 1
                    continue
            else:
                i, last, lv = i >> 1, last >> 1, lv + 1
                continue
            if lv >= cut and (sibling << 5) < len(levels[lv]):
                off = sibling << 5
                proof.append(bytes(levels[lv][off:off + 32]))
            else:
                missing.append(len(proof))
                proof.append(stored_hash_index(lv, sibling))
            i, last, lv = i >> 1, last >> 1, lv + 1
        if missing:
            for at, h in zip(missing, self._stored([proof[at] for at in missing]), strict=True):
                proof[at] = h
        return proof

    def _stored(self, indexes: list[int]) -> list[bytes]:
        """Read a few stored hashes (distinct indexes) in one query: the hashes next to a proof's leaf."""
        cur = self._cur
        if cur is None:
            conn = self.session.connection()
            cur = self._cur = conn.connection.driver_connection.cursor()
            self._sqlite = conn.dialect.name == "sqlite"
        if self._sqlite:
            cur.execute(f"SELECT idx, hash FROM ledger_hash WHERE idx IN ({', '.join('?' * len(indexes))})", indexes)
        else:
            cur.execute("SELECT idx, hash FROM ledger_hash WHERE idx = ANY(%s)", (indexes,))
        found = dict(cur.fetchall())
        if len(found) != len(set(indexes)):
            raise LedgerCorrupt("ledger.hash_missing", index=next(i for i in indexes if i not in found))
        return [bytes(found[i]) for i in indexes]

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        """Return the RFC 9162 consistency proof from the tree of `old_size` to the tree of `new_size`."""
        if not 1 <= old_size <= new_size:
            raise InvalidInput("ledger.sizes_out_of_order", field="old", old=old_size, new=new_size)
        self._check_size(new_size)
        if old_size == new_size:
            return []
        top = self.top
        proof: list = []  # root end first: a hash, or a list of (level, index) to read (several: fold them)
        lo, hi, n = 0, new_size, old_size
        while n != hi:
            k = 1 << ((hi - lo - 1).bit_length() - 1)
            mid = lo + k
            if n <= mid:
                width = hi - mid
                if width & (width - 1):  # a piece of the new tree's right edge
                    proof.append(top.edge(new_size, mid, self.nodes))
                else:
                    lv = width.bit_length() - 1
                    proof.append([(lv, mid >> lv)])
                hi = mid
            else:
                lv = k.bit_length() - 1
                proof.append([(lv, lo >> lv)])
                lo = mid
        if lo != 0:  # the old tree's last complete subtree is not implied by its root: send it
            pieces = []
            while lo < hi:
                lv = (hi - lo).bit_length() - 1
                pieces.append((lv, lo >> lv))
                lo += 1 << lv
            proof.append(pieces)
        wanted = [node for item in proof if isinstance(item, list) for node in item]
        hashes = iter(self.nodes(wanted))
        out = []
        for item in proof:
            if isinstance(item, list):
                run = [next(hashes) for _ in item]
                h = run[-1]
                for left in reversed(run[:-1]):
                    h = sha256(b"\x01" + left + h).digest()
                item = h
            out.append(item)
        out.reverse()
        return out


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
