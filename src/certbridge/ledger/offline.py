"""Offline checks that need no database and trust no server: only the verifier keys you bring.

Each check raises OfflineCheckError with a catalog code and parameters on the first thing that does
not hold, and returns what it established otherwise.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from certbridge.kit.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion
from certbridge.ledger.private_entries import committed_entry
from certbridge.kit.signed_note import (
    Checkpoint,
    CosignatureVerifier,
    InvalidCheckpointError,
    InvalidKeyError,
    InvalidNoteError,
    UnverifiedNoteError,
    Verifier,
    open as open_note,
    parse_checkpoint,
)


class OfflineCheckError(Exception):
    """A proof, note or key did not check out; code and params render through the catalog."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}")
        self.code = code
        self.params = params


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose log signature verified, with the witnesses whose cosignatures verified."""

    checkpoint: Checkpoint
    signed_by: tuple[str, ...]
    cosigned_by: tuple[str, ...]


def decode_b64(value: str, what: str) -> bytes:
    """Decode standard base64 or raise naming the field."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise OfflineCheckError("offline.bad_base64", field=what) from None


def verify_checkpoint_note(note: str, *, log_keys: list[str], witness_keys: list[str] = (),
                           min_cosignatures: int = 0) -> VerifiedCheckpoint:
    """Verify a checkpoint note's log signature (and witness cosignatures) with the given keys."""
    try:
        log_verifiers = [Verifier(k) for k in log_keys]
        witness_verifiers = [CosignatureVerifier(k) for k in witness_keys]
    except InvalidKeyError as exc:
        raise OfflineCheckError("offline.bad_key", detail=str(exc)) from None
    if not log_verifiers:
        raise OfflineCheckError("offline.no_key")
    try:
        opened = open_note(note, [*log_verifiers, *witness_verifiers])
        checkpoint = parse_checkpoint(opened.text)
    except UnverifiedNoteError:
        raise OfflineCheckError("offline.not_signed_by_key") from None
    except (InvalidNoteError, InvalidCheckpointError) as exc:
        raise OfflineCheckError("offline.bad_note", detail=str(exc)) from None
    log_ids = {(v.name, v.key_id) for v in log_verifiers}
    signed = tuple(f"{s.name}+{s.key_id:08x}" for s in opened.sigs if (s.name, s.key_id) in log_ids)
    cosigned = tuple(f"{s.name}+{s.key_id:08x}" for s in opened.sigs if (s.name, s.key_id) not in log_ids)
    if not signed:
        raise OfflineCheckError("offline.not_signed_by_key")
    if checkpoint.origin not in {v.name for v in log_verifiers}:
        raise OfflineCheckError("offline.origin_mismatch", origin=checkpoint.origin)
    if len(cosigned) < min_cosignatures:
        raise OfflineCheckError("offline.too_few_cosignatures", have=len(cosigned), want=min_cosignatures)
    return VerifiedCheckpoint(checkpoint, signed, cosigned)


def check_inclusion(bundle: dict[str, Any], *, log_keys: list[str], checkpoint_note: str | None = None,
                    witness_keys: list[str] = (), min_cosignatures: int = 0) -> dict[str, Any]:
    """Check a proof bundle: its event hashes to its leaf, and the leaf is in a checkpoint signed by your key."""
    try:
        index = int(bundle["index"])
        proof = [decode_b64(h, "inclusion_proof") for h in bundle["inclusion_proof"]]
        size = int(bundle["tree_size"])
        note = checkpoint_note if checkpoint_note is not None else bundle["checkpoint"]
    except (KeyError, TypeError, ValueError):
        raise OfflineCheckError("offline.bad_bundle") from None
    verified = verify_checkpoint_note(note, log_keys=log_keys, witness_keys=witness_keys,
                                      min_cosignatures=min_cosignatures)
    cp = verified.checkpoint
    if cp.size != size:
        raise OfflineCheckError("offline.size_mismatch", bundle=size, checkpoint=cp.size)
    event = bundle.get("event")
    if event is not None:
        body = event.encode("utf-8")
        nonce = bundle.get("nonce")  # a revealed private event: the leaf covers its committed form
        leaf = leaf_hash(body if nonce is None else committed_entry(index, decode_b64(nonce, "nonce"), body))
        stated = bundle.get("leaf_hash")
        if stated is not None and decode_b64(stated, "leaf_hash") != leaf:
            raise OfflineCheckError("offline.leaf_mismatch", index=index)
        try:
            parsed = json.loads(body)
        except ValueError:
            raise OfflineCheckError("offline.bad_event") from None
        if parsed.get("seq") != index:
            raise OfflineCheckError("offline.seq_mismatch", index=index, seq=parsed.get("seq"))
    else:
        leaf = decode_b64(bundle.get("leaf_hash") or "", "leaf_hash")
        parsed = None
    try:
        verify_inclusion(leaf, index, cp.size, proof, cp.root_hash)
    except ProofError as exc:
        raise OfflineCheckError("offline.inclusion_failed", detail=str(exc)) from None
    return {"index": index, "tree_size": cp.size, "origin": cp.origin, "event": parsed,
            "signed_by": verified.signed_by, "cosigned_by": verified.cosigned_by}


def check_consistency(old_note: str, new_note: str, proof: dict[str, Any] | list[str], *,
                      log_keys: list[str], witness_keys: list[str] = ()) -> dict[str, Any]:
    """Check that the newer signed checkpoint extends the older one (the log was only appended to)."""
    old = verify_checkpoint_note(old_note, log_keys=log_keys, witness_keys=witness_keys).checkpoint
    new = verify_checkpoint_note(new_note, log_keys=log_keys, witness_keys=witness_keys).checkpoint
    if old.origin != new.origin:
        raise OfflineCheckError("offline.different_logs", old=old.origin, new=new.origin)
    hashes = proof.get("proof") if isinstance(proof, dict) else proof
    if isinstance(proof, dict):
        stated = (proof.get("old_size"), proof.get("new_size"))
        if stated != (old.size, new.size):
            raise OfflineCheckError("offline.proof_sizes", proof_old=stated[0], proof_new=stated[1],
                                    old=old.size, new=new.size)
    if not isinstance(hashes, list):
        raise OfflineCheckError("offline.bad_bundle")
    decoded = [decode_b64(h, "proof") for h in hashes]
    if old.size == 0:
        return {"old_size": 0, "new_size": new.size, "origin": new.origin}  # every tree extends the empty one
    try:
        verify_consistency(old.size, new.size, decoded, old.root_hash, new.root_hash)
    except ProofError as exc:
        raise OfflineCheckError("offline.consistency_failed", detail=str(exc)) from None
    return {"old_size": old.size, "new_size": new.size, "origin": new.origin}
