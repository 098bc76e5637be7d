"""One signed receipt for a whole verified supplier list, tied to a checkpoint of the log.

Format `certbridge-bulk-receipt/v3` (v1, still checked, had no `state`; v2, still checked, proved every certificate
it showed): the list's digest and row count, every row's answer (match, organization,
certificates with effective status and reasons, and each certificate's latest log event `last_seq`), a summary,
`rows_root` — the RFC 9162 Merkle root over the rows' canonical JSON, so one row can later be shown with an
inclusion proof instead of the whole list — the signed checkpoint the answers were read against, and `state`:
the state-map multiproof of the latest event of every certificate a verdict rests on and of the numbers not found
(opendata/bulk_map_proof.py; null when the checkpoint carries no map line). The platform's credential key signs
``b"<format>\\n" + RFC 8785 JSON of the receipt without "signature"``. A per-certificate receipt (credentials/receipts.py) carries every event with its proof; a list
of thousands cannot, so this one states what the platform answered and under which checkpoint, and
`bulk_receipt_check` proves it unaltered, complete (every row, the summary) and signed by whom.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from certbridge.kit.paused_gc import paused_gc
from certbridge.db import utcnow
from certbridge.errors import NotFound
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.merkle import leaf_hash, root_from_leaves
from certbridge.ledger.keys import credential_signer
from certbridge.ledger.proofs import b64, latest_checkpoint, log_verifier_keys, served_note
from certbridge.opendata.bulk_map_proof import build_state
from certbridge.opendata.bulk_input import ListRow, list_digest
from certbridge.opendata.bulk_verify import summarize, verify_rows
from certbridge.settings import Settings

BULK_FORMAT = "certbridge-bulk-receipt/v3"
BULK_FORMATS = ("certbridge-bulk-receipt/v1", "certbridge-bulk-receipt/v2", BULK_FORMAT)  # what the checker accepts
PROVES_EVERY_CERTIFICATE = "certbridge-bulk-receipt/v2"  # v2 proved every certificate shown, v3 what verdicts rest on


def bulk_context(receipt_format: str) -> bytes:
    """Return the bytes a receipt's signature is made over, before its canonical JSON."""
    return receipt_format.encode("ascii") + b"\n"


BULK_CONTEXT = bulk_context(BULK_FORMAT)


def rows_root(rows: list[dict[str, Any]], encoded: list[bytes] | None = None) -> str:
    """Return the base64 Merkle root over the rows' canonical JSON (empty list: the hash of nothing); `encoded`:
    that JSON, already made."""
    return b64(root_from_leaves([leaf_hash(e) for e in (encoded if encoded is not None else map(canonical_bytes, rows))]))


def signed_bytes(receipt: dict[str, Any], encoded_rows: list[bytes] | None = None) -> bytes:
    """Return the RFC 8785 JSON of the receipt without "signature" — what is signed after the format line —
    reusing the rows' canonical JSON when given (canonical JSON is made member by member: an object is its
    members' canonical JSON in key order, an array its items'; keys that are not ASCII, which no receipt has,
    are left to the full encoder so the key order stays RFC 8785's)."""
    body = {k: v for k, v in receipt.items() if k != "signature"}
    if encoded_rows is None or not all(k.isascii() for k in body) or not isinstance(body.get("rows"), list):
        return canonical_bytes(body)
    members = [canonical_bytes(k) + b":" + (b"[" + b",".join(encoded_rows) + b"]" if k == "rows"
                                           else canonical_bytes(body[k])) for k in sorted(body)]
    return b"{" + b",".join(members) + b"}"


def build_bulk_receipt(session: Session, *, settings: Settings, rows: list[ListRow], list_name: str = "",
                       now: datetime | None = None, progress=None) -> dict[str, Any]:
    """Verify a list and return its signed receipt, read against the latest checkpoint.

    The cyclic GC is paused meanwhile (`paused_gc`): a list's answers are hundreds of thousands of small dicts
    and lists that all live until the receipt is signed, and each collection would only rescan them (a fifth of
    the CPU of a 10,000-row list, bench/RESULTS.md); nothing built here is cyclic garbage.
    """
    with paused_gc():
        return _build(session, settings=settings, rows=rows, list_name=list_name, now=now, progress=progress)


def _build(session: Session, *, settings: Settings, rows: list[ListRow], list_name: str, now: datetime | None,
           progress) -> dict[str, Any]:
    now = now or utcnow()
    on: date = now.date()
    for attempt in range(3):  # PostgreSQL reads at READ COMMITTED: an integration may land between two reads
        cp = latest_checkpoint(session)
        results = verify_rows(session, rows, on=on, tree_size=cp.size, progress=progress)
        try:
            state = build_state(session, size=cp.size, map_root=None if cp.map_root is None else bytes(cp.map_root),
                                rows=results)
            break
        except NotFound as exc:
            if exc.code != "statemap.not_ready" or attempt == 2:
                raise
    signer = credential_signer(settings)
    encoded = [canonical_bytes(r) for r in results]  # once, for the rows' root and the signature
    receipt: dict[str, Any] = {
        "format": BULK_FORMAT,
        "issuer": settings.instance_name,
        "issued_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "on": on.isoformat(),
        "list": {"name": list_name[:200], "rows": len(rows), "sha256": list_digest(rows)},
        "summary": summarize(results),
        "rows_root": rows_root(results, encoded),
        "rows": results,
        "checkpoint": served_note(session, cp),
        "tree_size": cp.size,
        "state": state,
        "keys": {"credential": signer.verifier_key, "log": log_verifier_keys(session)},
    }
    signature = signer.sign(BULK_CONTEXT + signed_bytes(receipt, encoded))
    receipt["signature"] = {"key": f"{signer.name}+{signer.key_id:08x}",
                            "value": base64.b64encode(signature).decode("ascii")}
    return receipt
