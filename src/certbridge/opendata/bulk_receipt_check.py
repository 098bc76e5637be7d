"""Checking a bulk receipt offline: its signature, its checkpoint, its rows, its summary and its list.

Needs no database and no network. Pass the credential and log verifier keys you trust (GET /api/v1/ledger/keys);
without them the keys embedded in the receipt are used, which proves the receipt unaltered but not who made
it. Given the list itself (the file or rows you uploaded), the check also proves the receipt answers exactly
that list. A v3 receipt under a checkpoint with a state-map line also proves, from the map
(opendata/bulk_map_proof.py), that the `last_seq` of every certificate a row's verdict rests on (every one shown
valid; all of a row that is not valid) is its latest event as of the checkpoint, and that every number reported
unknown exists under no certification body in the map (a v2 receipt: the same for every certificate shown). What it cannot prove
offline is each certificate's status from its events' content: a per-certificate receipt proves that one.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.signed_note import InvalidKeyError, Verifier
from certbridge.ledger.offline import OfflineCheckError, verify_checkpoint_note
from certbridge.opendata.bulk_input import ListRow, list_digest
from certbridge.ledger.state_map import map_version, read_extensions
from certbridge.opendata.bulk_map_proof import check_state
from certbridge.opendata.bulk_receipt import (BULK_FORMATS, PROVES_EVERY_CERTIFICATE, bulk_context, rows_root,
                                              signed_bytes)
from certbridge.opendata.bulk_verify import summarize


def _check_signature(receipt: dict[str, Any], keys: list[str], encoded_rows: list[bytes]) -> str:
    sig = receipt.get("signature") or {}
    try:
        signature = base64.b64decode(sig.get("value", ""), validate=True)
    except (binascii.Error, ValueError):
        raise OfflineCheckError("receipt.bad_signature") from None
    message = bulk_context(receipt["format"]) + signed_bytes(receipt, encoded_rows)
    for key in keys:
        try:
            verifier = Verifier(key)
        except InvalidKeyError as exc:
            raise OfflineCheckError("offline.bad_key", detail=str(exc)) from None
        name = f"{verifier.name}+{verifier.key_id:08x}"
        if name == sig.get("key") and verifier.name == f"{receipt.get('issuer')}/credential":
            if verifier.verify(message, signature):
                return name
            raise OfflineCheckError("receipt.bad_signature")
    raise OfflineCheckError("receipt.unknown_key", key=sig.get("key"))


def _check_rows(receipt: dict[str, Any], encoded_rows: list[bytes]) -> None:
    rows = receipt["rows"]
    if len(rows) != receipt["list"]["rows"]:
        raise OfflineCheckError("bulk_receipt.row_count", rows=len(rows), stated=receipt["list"]["rows"])
    if rows_root(rows, encoded_rows) != receipt["rows_root"]:
        raise OfflineCheckError("bulk_receipt.rows_root")
    if summarize(rows) != receipt["summary"]:
        raise OfflineCheckError("bulk_receipt.summary")
    size = receipt["tree_size"]
    for row in rows:
        certificates = row.get("certificates") or []
        valid = any(c.get("valid") for c in certificates)
        expected = ("valid" if valid else "not_valid") if certificates else (
            "no_certificate" if row.get("organization") else row.get("outcome"))
        if row.get("outcome") != expected or (row.get("organization") is None and certificates):
            raise OfflineCheckError("bulk_receipt.row_outcome", row=row.get("row"))
        if valid and certificates[0].get("valid") is not True:  # the certificate documents print: a valid one
            raise OfflineCheckError("bulk_receipt.row_outcome", row=row.get("row"))
        for cert in certificates:
            if not isinstance(cert.get("valid"), bool):  # what decides which certificates the map must prove
                raise OfflineCheckError("bulk_receipt.row_outcome", row=row.get("row"))
            last = cert.get("last_seq")
            if cert.get("in_checkpoint") is not (last is not None and last < size):
                raise OfflineCheckError("bulk_receipt.row_outcome", row=row.get("row"))


def verify_bulk_receipt(receipt: dict[str, Any], *, credential_keys: list[str] | None = None,
                        log_keys: list[str] | None = None, rows: list[ListRow] | None = None,
                        witness_keys: list[str] = (), min_cosignatures: int = 0) -> dict[str, Any]:
    """Check a bulk receipt completely; raise OfflineCheckError naming what fails, or return what it proves."""
    if not isinstance(receipt, dict) or receipt.get("format") not in BULK_FORMATS:
        raise OfflineCheckError("bulk_receipt.format")
    embedded = receipt.get("keys") or {}
    try:
        encoded = [canonical_bytes(r) for r in receipt["rows"]]  # once, for the signature and the rows' root
        signed_by = _check_signature(receipt, credential_keys or [embedded.get("credential", "")], encoded)
        verified = verify_checkpoint_note(receipt["checkpoint"], log_keys=log_keys or list(embedded.get("log") or []),
                                          witness_keys=witness_keys, min_cosignatures=min_cosignatures)
        if verified.checkpoint.size != receipt["tree_size"]:
            raise OfflineCheckError("offline.size_mismatch", bundle=receipt["tree_size"],
                                    checkpoint=verified.checkpoint.size)
        _check_rows(receipt, encoded)
        mapped = _check_map(receipt, verified.checkpoint)
        if rows is not None and list_digest(rows) != receipt["list"]["sha256"]:
            raise OfflineCheckError("bulk_receipt.other_list")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise OfflineCheckError("bulk_receipt.format") from None
    return {"summary": receipt["summary"], "issued_at": receipt["issued_at"], "tree_size": receipt["tree_size"],
            "origin": verified.checkpoint.origin, "signed_by": signed_by, "log_signed_by": verified.signed_by,
            "cosigned_by": verified.cosigned_by, "embedded_keys": not (credential_keys and log_keys),
            "list_checked": rows is not None, "map_checked": mapped is not None, "map": mapped}


def _check_map(receipt: dict[str, Any], checkpoint) -> dict[str, int] | None:
    """Check a v2 or v3 receipt's state-map proofs; None when there is no map to check against (v1, no map line)."""
    map_root, _ = read_extensions(checkpoint.extensions)
    if receipt["format"] == BULK_FORMATS[0]:
        return None
    if map_root is None:
        if receipt.get("state") is not None:
            raise OfflineCheckError("bulk_receipt.map_proof", detail="the checkpoint carries no map root")
        return None
    return check_state(receipt.get("state"), rows=receipt["rows"], size=receipt["tree_size"], map_root=map_root,
                       map_version=map_version(checkpoint.extensions),
                       every=receipt["format"] == PROVES_EVERY_CERTIFICATE)
