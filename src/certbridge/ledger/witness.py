"""Acting as a witness for other logs: C2SP tlog-witness `add-checkpoint`.

For each log we trust (by origin and verifier key) we keep the size and root of the latest
checkpoint we cosigned. A new checkpoint is cosigned only if its log signature verifies and a
consistency proof from that size leads to it, so one log cannot show two histories to two people
without one of them missing our cosignature.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certbridge.db import utcnow
from certbridge.errors import Conflict, InvalidInput, NotFound
from certbridge.ledger.journal import record_event
from certbridge.kit.merkle import ProofError, verify_consistency
from certbridge.kit.signed_note import (
    InvalidCheckpointError,
    InvalidKeyError,
    InvalidNoteError,
    UnverifiedNoteError,
    Verifier,
    open as open_note,
    parse_checkpoint,
    sign,
)
from certbridge.ledger.keys import witness_cosigner
from certbridge.ledger.models import WitnessedLog
from certbridge.ledger.offline import OfflineCheckError, decode_b64
from certbridge.policy import require_admin
from certbridge.principal import Principal
from certbridge.settings import Settings

log = logging.getLogger(__name__)

MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_OLD_LINE = re.compile(r"old (0|[1-9][0-9]{0,19})")


@dataclass
class WitnessRefusal(Exception):
    """An add-checkpoint request refused with the HTTP status the spec prescribes."""

    status: int
    reason: str
    body: str | None = None
    content_type: str = "text/plain; charset=utf-8"

    def __str__(self) -> str:
        return f"{self.status} {self.reason}"


def trust_log(session: Session, *, principal: Principal, origin: str, verifier_key: str) -> WitnessedLog:
    """Start witnessing a log: trust this verifier key for checkpoints of this origin."""
    require_admin(principal)
    try:
        verifier = Verifier(verifier_key)
    except InvalidKeyError as exc:
        raise InvalidInput("ledger.bad_verifier_key", field="verifier_key", detail=str(exc)) from None
    origin = origin.strip()
    if not origin or "\n" in origin:
        raise InvalidInput("field.required", field="origin")
    row = session.scalar(select(WitnessedLog).where(WitnessedLog.origin == origin))
    if row is None:
        row = WitnessedLog(origin=origin, verifier_keys="", size=0, root_hash=None)
        session.add(row)
    keys = [k for k in row.verifier_keys.splitlines() if k]
    if verifier.verifier_key in keys:
        raise Conflict("ledger.log_key_known", origin=origin)
    row.verifier_keys = "\n".join([*keys, verifier.verifier_key])
    session.flush()
    record_event(session, type="witness.log_trusted", subject_type="witnessed_log", subject_id=row.id,
                 actor=principal.actor, data={"state": {"origin": origin, "verifier_keys": row.verifier_keys.split("\n")}})
    return row


def witnessed_logs(session: Session) -> list[WitnessedLog]:
    """Return the logs we witness."""
    return list(session.scalars(select(WitnessedLog).order_by(WitnessedLog.origin)))


def parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    """Split an add-checkpoint body into old size, consistency proof and checkpoint note."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessRefusal(400, "request body is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise WitnessRefusal(400, "want an old size line, proof lines, an empty line and a checkpoint")
    lines = head.split("\n")
    match = _OLD_LINE.fullmatch(lines[0])
    if not match:
        raise WitnessRefusal(400, "first line must be 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessRefusal(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        proof = [decode_b64(line, "proof") for line in lines[1:]]
    except OfflineCheckError:
        raise WitnessRefusal(400, "a consistency proof line is not base64") from None
    if any(len(h) != 32 for h in proof):
        raise WitnessRefusal(400, "a consistency proof line is not a 32-byte hash")
    return int(match.group(1)), proof, note


def add_checkpoint(session: Session, *, settings: Settings, body: bytes) -> str:
    """Check a log's new checkpoint against what we last cosigned for it and return our cosignature line."""
    old_size, proof, note = parse_request(body)
    origin = note.split("\n", 1)[0]
    # Lock the log's row first, so check-then-update is atomic across concurrent requests.
    session.execute(update(WitnessedLog).where(WitnessedLog.origin == origin).values(size=WitnessedLog.size))
    row = session.scalar(select(WitnessedLog).where(WitnessedLog.origin == origin)
                         .execution_options(populate_existing=True))
    if row is None:
        raise WitnessRefusal(404, f"unknown log origin {origin!r}")
    try:
        opened = open_note(note, [Verifier(k) for k in row.verifier_keys.splitlines() if k])
        checkpoint = parse_checkpoint(opened.text)
    except UnverifiedNoteError:
        raise WitnessRefusal(403, "no signature by a key trusted for this origin") from None
    except InvalidNoteError as exc:
        status = 403 if "invalid signature" in str(exc) else 400
        raise WitnessRefusal(status, str(exc)) from None
    except InvalidCheckpointError as exc:
        raise WitnessRefusal(400, str(exc)) from None
    if checkpoint.origin != origin:
        raise WitnessRefusal(400, "checkpoint origin does not match its first line")
    if old_size > checkpoint.size:
        raise WitnessRefusal(400, f"old size {old_size} is larger than the checkpoint size {checkpoint.size}")
    if old_size != row.size:
        raise WitnessRefusal(409, f"latest cosigned size is {row.size}", f"{row.size}\n", SIZE_CONTENT_TYPE)
    if old_size == checkpoint.size:
        if proof or (row.root_hash is not None and row.root_hash != checkpoint.root_hash):
            log.warning("witness: %s showed a second root at size %d: possible fork", origin, old_size)
            raise WitnessRefusal(409, f"a different root was cosigned at size {row.size}", f"{row.size}\n",
                                 SIZE_CONTENT_TYPE)
    elif old_size == 0:
        if proof:
            raise WitnessRefusal(422, "the consistency proof from size 0 must be empty")
    else:
        try:
            verify_consistency(old_size, checkpoint.size, proof, row.root_hash, checkpoint.root_hash)
        except ProofError as exc:
            log.warning("witness: %s checkpoint %d is not consistent with %d: %s",
                        origin, checkpoint.size, old_size, exc)
            raise WitnessRefusal(422, f"consistency proof does not verify: {exc}") from None
    row.size, row.root_hash, row.updated_at = checkpoint.size, checkpoint.root_hash, utcnow()
    session.flush()
    cosigned = sign(opened.text, [witness_cosigner(settings)])
    return cosigned[len(opened.text) + 1:]


def witnessed_log(session: Session, origin: str) -> WitnessedLog:
    """Get a witnessed log by its origin."""
    row = session.scalar(select(WitnessedLog).where(WitnessedLog.origin == origin))
    if row is None:
        raise NotFound("ledger.witnessed_log_not_found", origin=origin)
    return row
