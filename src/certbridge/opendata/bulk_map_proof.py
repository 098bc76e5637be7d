"""The state-map part of a bulk receipt: every listed certificate's latest event, and the numbers not found.

Under the receipt's checkpoint (whose `certbridge-state-map/v2` (or, older, v1) line commits to the map root) one multiproof
(kit/state_multiproof.py) shows:

- for every certificate a row names, its map value: the index and leaf hash of its latest public event as of
  the checkpoint (`certificates`: name -> [seq, leaf hash]); the row's `last_seq` must be that event, so a
  receipt that leaves out a later event (a suspension) does not check out, even if signed with a stolen key;
- for a row whose certificate number matched nothing (note `number_unknown`), that no certificate with that
  number exists under any certification body in the map (`bodies`: code -> [seq, leaf hash], each proven
  present): a forged "not found" does not check out either.

The check is `check_state` (opendata/bulk_receipt_check.py calls it), with no database and no network.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy.orm import Session

from certbridge.errors import NotFound
from certbridge.kit import state_map as sm
from certbridge.kit import state_multiproof as mp
from certbridge.ledger.offline import OfflineCheckError
from certbridge.ledger.state_map import ChunkTable, map_position, subject_name, value_hash

_IN = 500


class _CachedChunks:
    """A read-only ChunkStore over the map table that reads each chunk once (the top of the tree is shared)."""

    def __init__(self, session: Session) -> None:
        self.table, self.seen = ChunkTable(session), {}

    def get_many(self, paths: list[bytes]) -> dict[bytes, list]:
        todo = []
        for p in paths:
            if p not in self.seen:
                if p and p[:-1] in self.seen and self.seen[p[:-1]] is None:
                    self.seen[p] = None  # below a chunk that does not exist, none does: no read
                else:
                    todo.append(p)
        if todo:
            found = self.table.get_many(todo)
            self.seen.update({p: found.get(p) for p in todo})
        return {p: self.seen[p] for p in paths if self.seen[p] is not None}

    def prefetch(self, keys: set[bytes]) -> None:
        """Read every chunk on the keys' paths level by level, a few IN queries a level, instead of a query or
        more per key (a 10,000-row list at 100 k certificates proves 47,000 names: ≈ 10 % of its time)."""
        paths = [sm.chunk_path(k) for k in keys]
        depth, frontier = 0, {b""}
        while frontier:
            self.get_many(sorted(frontier))
            depth += 1
            frontier = {p[:depth] for p in paths if depth <= len(p) and self.seen.get(p[:depth - 1]) is not None
                        and p[:depth] not in self.seen}

    def put(self, path: bytes, chunk: list) -> None:  # pragma: no cover - proofs never write
        raise RuntimeError("a proof does not change the map")


def certificate_names(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return the map name of every certificate the rows show, with one of its row entries."""
    return {subject_name("certificate", body_code=(c.get("body") or {}).get("code"), number=c["number"]): c
            for row in rows for c in row.get("certificates") or []}


def unknown_numbers(rows: list[dict[str, Any]]) -> list[str]:
    """Return the certificate numbers asked for in rows where that number matched no certificate."""
    return sorted({str((row.get("input") or {}).get("number", "")).strip() for row in rows
                   if "number_unknown" in (row.get("notes") or [])} - {""})


def _latest(session: Session, subject_type: str, ids: list[int], size: int) -> dict[int, tuple[int, bytes]]:
    """Return each subject's latest public event below `size`: id -> (seq, leaf hash)."""
    out: dict[int, tuple[int, bytes]] = {}
    conn = session.connection()
    for start in range(0, len(ids), _IN):
        part = ", ".join(f"'{int(i)}'" for i in ids[start:start + _IN])
        rows = conn.exec_driver_sql(
            f"SELECT e.subject_id, e.seq, e.leaf_hash FROM ledger_event e JOIN (SELECT subject_id, MAX(seq) AS seq "
            f"FROM ledger_event WHERE subject_type = '{subject_type}' AND public AND seq < {int(size)} "
            f"AND subject_id IN ({part}) GROUP BY subject_id) m ON m.seq = e.seq").all()
        out.update({int(i): (seq, bytes(h)) for i, seq, h in rows})
    return out


def _pair(found: tuple[int, bytes] | None) -> list | None:
    return None if found is None else [found[0], base64.b64encode(found[1]).decode("ascii")]


def build_state(session: Session, *, size: int, map_root: bytes | None,
                rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the receipt's `state` section under a checkpoint of `size` carrying `map_root` (None: no map line)."""
    if map_root is None:
        return None
    if map_position(session) != (size, map_root):
        raise NotFound("statemap.not_ready", size=size)
    names = certificate_names(rows)
    latest = _latest(session, "certificate", sorted({int(c["id"]) for c in names.values()}), size)
    certificates = {name: _pair(latest.get(int(c["id"]))) for name, c in names.items()}
    numbers = unknown_numbers(rows)
    bodies: dict[str, list | None] = {}
    if numbers:
        codes = dict(session.connection().exec_driver_sql("SELECT id, code FROM certification_body").all())
        for body_id, found in _latest(session, "body", sorted(codes), size).items():
            bodies[codes[body_id]] = _pair(found)
    keys = {sm.subject_key(n) for n in _names(certificates, bodies, numbers)}
    store = _CachedChunks(session)
    store.prefetch(keys)
    proof = mp.combine({k: sm.prove(store, k) for k in keys})
    state = {"map_proof": base64.b64encode(proof).decode("ascii"), "certificates": certificates, "bodies": bodies}
    try:
        check_state(state, rows=rows, size=size, map_root=map_root)
    except OfflineCheckError:  # the map moved under this read (or disagrees with the tables): never sign it
        raise NotFound("statemap.not_ready", size=size) from None
    return state


def _names(certificates: dict, bodies: dict, numbers: list[str]) -> list[str]:
    absent = [subject_name("certificate", body_code=code, number=n) for code in bodies for n in numbers]
    return [*certificates, *(subject_name("body", body_code=code) for code in bodies), *absent]


def check_state(state: Any, *, rows: list[dict[str, Any]], size: int, map_root: bytes,
                map_version: int = 2) -> dict[str, int]:
    """Check a receipt's `state` section against the map root of its checkpoint; return what it proved.

    Raises OfflineCheckError: `bulk_receipt.map_proof` (the proof does not lead to the root, or is not for
    these names), `bulk_receipt.map_latest` (a certificate's latest event is not the one the row names: an
    event was left out), `bulk_receipt.map_absent` (a number said not found exists under a body).
    """
    if not isinstance(state, dict):
        raise OfflineCheckError("bulk_receipt.map_missing")
    certificates, bodies = state["certificates"], state["bodies"]
    names = certificate_names(rows)
    numbers = unknown_numbers(rows)
    if set(certificates) != set(names) or (numbers and not bodies):
        raise OfflineCheckError("bulk_receipt.map_proof", detail="the proof is not for the receipt's names")
    try:
        values = mp.verify(map_root, [sm.subject_key(n, map_version) for n in _names(certificates, bodies, numbers)],
                           base64.b64decode(state["map_proof"], validate=True))
    except (sm.ProofError, ValueError) as exc:
        raise OfflineCheckError("bulk_receipt.map_proof", detail=str(exc)) from None

    def mapped(name: str, pair: list | None) -> bool:
        expected = None if pair is None else value_hash(int(pair[0]), base64.b64decode(pair[1], validate=True))
        return values[sm.subject_key(name, map_version)] == expected

    for name, cert in names.items():
        pair = certificates[name]
        last = cert.get("last_seq")
        in_checkpoint = last is not None and last < size
        # in the checkpoint: the latest event there is the row's; after it: the row's is later than the map's
        if not mapped(name, pair) or (in_checkpoint and (pair is None or int(pair[0]) != last)) or (
                not in_checkpoint and pair is not None and (last is None or int(pair[0]) >= last)):
            raise OfflineCheckError("bulk_receipt.map_latest", number=cert.get("number"),
                                    seq=last if last is not None else "-")
    for code, pair in bodies.items():
        if pair is None or not mapped(subject_name("body", body_code=code), pair):
            raise OfflineCheckError("bulk_receipt.map_proof", detail=f"body {code} is not proven present")
    for code in bodies:
        for number in numbers:
            key = sm.subject_key(subject_name("certificate", body_code=code, number=number), map_version)
            if values[key] is not None:
                raise OfflineCheckError("bulk_receipt.map_absent", number=number, body=code)
    return {"certificates": len(names), "absent_numbers": len(numbers), "bodies": len(bodies)}
