"""The state-map part of a bulk receipt: the latest event of every certificate a verdict rests on, and the
numbers not found.

Under the receipt's checkpoint (whose `certbridge-state-map/v2` (or, older, v1) line commits to the map root)
one multiproof (kit/state_multiproof.py) shows:

- for every certificate a row's verdict rests on (`proven_certificates`), its map value: the index and leaf hash
  of its latest public event as of the checkpoint (`certificates`: name -> [seq, leaf hash]); the row's
  `last_seq` must be that event, so a receipt that leaves out a later event (a suspension) does not check out,
  even if signed with a stolen key. A v3 receipt proves every certificate it shows as valid, and every
  certificate of a row whose verdict is "not valid" (a left-out renewal or reinstatement would turn it); the
  holder's other certificates a valid row shows beside its valid ones (expired cycles, withdrawn ones) are
  stated, not proven — whatever their true latest events, the row's verdict stands. A v2 receipt proved
  every certificate it showed, and is still checked so;
- for a row whose certificate number matched nothing (note `number_unknown`), that no certificate with that
  number exists under any certification body in the map (`bodies`: code -> [seq, leaf hash], each proven
  present): a forged "not found" does not check out either.

The proof is made in one walk of the map's chunks (`state_multiproof.build`), which also folds the hashes back
up: the receipt is signed only if that walk leads to the checkpoint's map root and every proven value is the
one the tables give — the same facts `check_state` checks, without walking the proof a second time. The check
is `check_state` (opendata/bulk_receipt_check.py calls it), with no database and no network.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy.orm import Session

from certbridge.errors import NotFound
from certbridge.kit import state_map as sm
from certbridge.kit import state_multiproof as mp
from certbridge.ledger.offline import OfflineCheckError
from certbridge.ledger.state_map import MAP_VERSION, ChunkTable, map_position, subject_name, value_hash
from certbridge.ledger.state_map_names import certificate_name

_IN = 500


def proven_certificates(row: dict[str, Any], *, every: bool = False) -> list[dict[str, Any]]:
    """Return the certificates of a row whose latest events the map proves: those its verdict rests on — the
    ones shown valid (by their verdict or their status), or all of them when none is (`every`: all of them, as a
    v2 receipt proved)."""
    certificates = row.get("certificates") or []
    if every:
        return certificates
    shown_valid = [c for c in certificates if c.get("valid") is not False or c.get("status") == "valid"]
    return shown_valid or certificates


def certificate_names(rows: list[dict[str, Any]], *, every: bool = False) -> dict[str, dict[str, Any]]:
    """Return the map name of every certificate the rows' verdicts rest on, with one of its row entries."""
    return {subject_name("certificate", body_code=(c.get("body") or {}).get("code"), number=c["number"]): c
            for row in rows for c in proven_certificates(row, every=every)}


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


def _latest_certificates(session: Session, certificates: list[dict[str, Any]], size: int) -> dict[int, tuple[int, bytes]]:
    """`_latest` of the certificates of a list's answers, each naming its latest event (`last_seq`, read in this
    transaction): where that event is below `size` and public it is the latest public one, read by its index
    alone (no search of the certificate's events); the others are searched as `_latest` does."""
    by_seq = {c["last_seq"]: int(c["id"]) for c in certificates
              if type(c.get("last_seq")) is int and c["last_seq"] < size}
    out: dict[int, tuple[int, bytes]] = {}
    conn = session.connection()
    seqs = sorted(by_seq)
    for start in range(0, len(seqs), _IN):
        part = ", ".join(str(int(q)) for q in seqs[start:start + _IN])
        for seq, subject_type, subject_id, public, leaf in conn.exec_driver_sql(  # by the primary key alone
                f"SELECT seq, subject_type, subject_id, public, leaf_hash FROM ledger_event WHERE seq IN ({part})").all():
            if public and subject_type == "certificate" and str(by_seq[seq]) == subject_id:
                out[by_seq[seq]] = (seq, bytes(leaf))
    rest = sorted({int(c["id"]) for c in certificates} - out.keys())
    out.update(_latest(session, "certificate", rest, size))
    return out


def _pair(found: tuple[int, bytes] | None) -> list | None:
    return None if found is None else [found[0], base64.b64encode(found[1]).decode("ascii")]


def build_state(session: Session, *, size: int, map_root: bytes | None, rows: list[dict[str, Any]],
                every: bool = False) -> dict[str, Any] | None:
    """Return the receipt's `state` section under a checkpoint of `size` carrying `map_root` (None: no map line);
    `every`: of every certificate shown (the v2 receipt's), not only of those the verdicts rest on."""
    if map_root is None:
        return None
    if map_position(session) != (size, map_root):
        raise NotFound("statemap.not_ready", size=size)
    names = certificate_names(rows, every=every)
    latest = _latest_certificates(session, list(names.values()), size)
    certificates = {name: _pair(latest.get(int(c["id"]))) for name, c in names.items()}
    numbers = unknown_numbers(rows)
    bodies: dict[str, list | None] = {}
    if numbers:
        codes = dict(session.connection().exec_driver_sql("SELECT id, code FROM certification_body").all())
        for body_id, found in _latest(session, "body", sorted(codes), size).items():
            bodies[codes[body_id]] = _pair(found)
    keyed = {n: sm.subject_key(n, MAP_VERSION) for n in _names(certificates, bodies, numbers)}
    table = ChunkTable(session)
    proof, root, values = mp.build(table, keyed.values(), cache=table.cache)
    state = {"map_proof": base64.b64encode(proof).decode("ascii"), "certificates": certificates, "bodies": bodies}
    try:  # what check_state checks, from the walk itself: the root it led to, and each proven value
        if root != map_root:
            raise OfflineCheckError("bulk_receipt.map_proof", detail="the map moved under the read")
        _judge(values, state, rows=rows, size=size, every=every, map_version=MAP_VERSION, keyed=keyed)
    except OfflineCheckError:  # the map moved under this read (or disagrees with the tables): never sign it
        raise NotFound("statemap.not_ready", size=size) from None
    return state


def _names(certificates: dict, bodies: dict, numbers: list[str]) -> list[str]:
    absent = [subject_name("certificate", body_code=code, number=n) for code in bodies for n in numbers]
    return [*certificates, *(subject_name("body", body_code=code) for code in bodies), *absent]


def check_state(state: Any, *, rows: list[dict[str, Any]], size: int, map_root: bytes,
                map_version: int = 2, every: bool = False) -> dict[str, int]:
    """Check a receipt's `state` section against the map root of its checkpoint; return what it proved.

    `every`: the receipt proves every certificate it shows (format v2), not only those verdicts rest on.
    Raises OfflineCheckError: `bulk_receipt.map_proof` (the proof does not lead to the root, or is not for
    these names), `bulk_receipt.map_latest` (a certificate's latest event is not the one the row names: an
    event was left out), `bulk_receipt.map_absent` (a number said not found exists under a body).
    """
    if not isinstance(state, dict):
        raise OfflineCheckError("bulk_receipt.map_missing")
    certificates, bodies = state["certificates"], state["bodies"]
    names = certificate_names(rows, every=every)
    numbers = unknown_numbers(rows)
    if set(certificates) != set(names) or (numbers and not bodies):
        raise OfflineCheckError("bulk_receipt.map_proof", detail="the proof is not for the receipt's names")
    try:
        values = mp.verify(map_root, [sm.subject_key(n, map_version) for n in _names(certificates, bodies, numbers)],
                           base64.b64decode(state["map_proof"], validate=True))
    except (sm.ProofError, ValueError) as exc:
        raise OfflineCheckError("bulk_receipt.map_proof", detail=str(exc)) from None
    return _judge(values, state, rows=rows, size=size, every=every, map_version=map_version)

def _judge(values: dict[bytes, bytes | None], state: dict[str, Any], *, rows: list[dict[str, Any]], size: int,
           every: bool, map_version: int, keyed: dict[str, bytes] | None = None) -> dict[str, int]:
    """Check the proven map values against the receipt: every proven certificate's map value is the event the
    state names and every row showing it names that event; every body is present; every unknown number absent.
    `keyed`: the names' map keys, already made."""
    certificates, bodies = state["certificates"], state["bodies"]
    numbers = unknown_numbers(rows)
    mapped: dict[str, bool] = {}
    keyed = keyed or {}
    judged: set[tuple[str, Any] | None] = set()  # (name, last_seq): a row entry's verdict depends on nothing else

    def proven(name: str, pair: list | None) -> bool:
        found = mapped.get(name)
        if found is None:
            expected = None if pair is None else value_hash(int(pair[0]), base64.b64decode(pair[1], validate=True))
            key = keyed.get(name) or sm.subject_key(name, map_version)
            found = mapped[name] = values[key] == expected
        return found

    for row in rows:  # every row's own entry, not one per certificate: a copy in another row is checked too
        for cert in proven_certificates(row, every=every):
            name = certificate_name((cert.get("body") or {}).get("code"), cert["number"])
            last = cert.get("last_seq")
            seen = (name, last) if last is None or type(last) is int else None  # a forged one: judged each time
            if seen is not None and seen in judged:
                continue
            judged.add(seen)
            pair = certificates[name]
            in_checkpoint = last is not None and last < size
            # in the checkpoint: the latest event there is the row's; after it: the row's is later than the map's
            if not proven(name, pair) or (in_checkpoint and (pair is None or int(pair[0]) != last)) or (
                    not in_checkpoint and pair is not None and (last is None or int(pair[0]) >= last)):
                raise OfflineCheckError("bulk_receipt.map_latest", number=cert.get("number"),
                                        seq=last if last is not None else "-")
    for code, pair in bodies.items():
        if pair is None or not proven(subject_name("body", body_code=code), pair):
            raise OfflineCheckError("bulk_receipt.map_proof", detail=f"body {code} is not proven present")
    for code in bodies:
        for number in numbers:
            key = sm.subject_key(subject_name("certificate", body_code=code, number=number), map_version)
            if values[key] is not None:
                raise OfflineCheckError("bulk_receipt.map_absent", number=number, body=code)
    return {"certificates": len(certificates), "absent_numbers": len(numbers), "bodies": len(bodies)}
