"""State-map proofs that a receipt's events end with each subject's latest event: a dropped tail, caught offline.

A receipt carries a subject's events with their inclusion proofs; with `prev` links a dropped event in the
middle breaks the chain, but a dropped *last* event (a suspension) does not. The checkpoint's state map does:
`tail_proofs` gives, per subject name, its map proof under the receipt's checkpoint, and `check_tail` checks
that the map value of the name is `value_hash(seq, leaf hash)` of the last event the receipt carries for it —
so a receipt re-signed with a stolen credential key still cannot leave out a later event.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy.orm import Session

from certbridge.kit import state_map as sm
from certbridge.kit.merkle import leaf_hash
from certbridge.ledger.offline import OfflineCheckError, decode_b64
from certbridge.ledger.state_map import ChunkTable, map_position, map_version, read_extensions, value_hash


def tail_proofs(session: Session, checkpoint, names: list[str]) -> dict[str, str] | None:
    """Return {name: base64 map proof} under `checkpoint` (a LedgerCheckpoint), or None when the map has moved
    past it or it carries no map (then the receipt's tail is not provable offline, and says so)."""
    size, root = map_position(session)
    if checkpoint.map_root is None or size != checkpoint.size or bytes(checkpoint.map_root) != root:
        return None
    table = ChunkTable(session)
    return {name: base64.b64encode(sm.encode_proof(sm.prove(table, sm.subject_key(name)))).decode()
            for name in names}


def check_tail(extensions: list[str], proofs: dict[str, Any], last_events: dict[str, str | None]) -> None:
    """Check that each name's last carried event body (None: no event carried) is its latest public event under
    the checkpoint whose extension lines are given; raise OfflineCheckError("statemap.tail_dropped") if not."""
    map_root, _ = read_extensions(extensions)
    if map_root is None:
        raise OfflineCheckError("statemap.no_map_line", size="?")
    for name, body in last_events.items():
        encoded = proofs.get(name) if isinstance(proofs, dict) else None
        if encoded is None:
            raise OfflineCheckError("statemap.tail_unproven", name=name)
        try:
            mapped = sm.verify(map_root, sm.subject_key(name, map_version(extensions)),
                               sm.decode_proof(decode_b64(encoded, "map_proofs")))
        except sm.ProofError as exc:
            raise OfflineCheckError("statemap.proof_failed", detail=str(exc)) from None
        if body is None:
            if mapped is not None:
                raise OfflineCheckError("statemap.tail_dropped", name=name)
            continue
        import json

        seq = int(json.loads(body)["seq"])
        if mapped != value_hash(seq, leaf_hash(body.encode("utf-8"))):
            raise OfflineCheckError("statemap.tail_dropped", name=name)
