"""Asking witnesses to cosign our checkpoints (the client side of C2SP tlog-witness).

Witnesses are configured in the ledger_witness table (`certbridge ledger witness add URL VKEY`).
For each, we remember the size it last cosigned for us, send `old <that size>`, a consistency proof
and our newest checkpoint, and keep the cosignature it returns on that checkpoint. A witness that
answers 409 tells us its size; we retry once from there. A witness that has seen a bigger tree than
ours, or a different root at our size, has seen another history of our log: that is recorded loudly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import read_session, utcnow, write_session
from certbridge.errors import Conflict, InvalidInput, NotFound
from certbridge.ledger.journal import record_event
from certbridge.kit.signed_note import (
    CosignatureVerifier,
    InvalidKeyError,
    InvalidNoteError,
    UnverifiedNoteError,
    open as open_note,
)
from certbridge.ledger.models import LedgerCosignature, LedgerWitness

if TYPE_CHECKING:  # httpx costs ~0.2 s of start-up; imported where a witness is actually asked
    import httpx
from certbridge.ledger.proofs import b64, consistency_proof, latest_checkpoint
from certbridge.ledger.witness import SIZE_CONTENT_TYPE
from certbridge.policy import require_admin
from certbridge.principal import Principal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CosignOutcome:
    """What one witness said about one checkpoint."""

    witness: str
    size: int
    ok: bool
    detail: str


@dataclass(frozen=True)
class _Target:
    """A witness's particulars, detached from the session that read them."""

    id: int
    name: str
    url: str
    verifier_key: str
    last_size: int


def add_witness(session: Session, *, principal: Principal, url: str, verifier_key: str) -> LedgerWitness:
    """Ask this witness (submission prefix URL, cosignature verifier key) to cosign every new checkpoint."""
    require_admin(principal)
    try:
        verifier = CosignatureVerifier(verifier_key)
    except InvalidKeyError as exc:
        raise InvalidInput("ledger.bad_verifier_key", field="verifier_key", detail=str(exc)) from None
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("ledger.witness_url", field="url", url=url)
    if session.scalar(select(LedgerWitness.id).where(LedgerWitness.verifier_key == verifier_key)):
        raise Conflict("ledger.witness_known", name=verifier.name)
    row = LedgerWitness(name=verifier.name, url=url, verifier_key=verifier_key, last_size=0, active=True)
    session.add(row)
    session.flush()
    record_event(session, type="ledger.witness_added", subject_type="ledger_witness", subject_id=row.id,
                 actor=principal.actor, data={"state": {"name": row.name, "url": url, "verifier_key": verifier_key,
                                                        "active": True}})
    return row


def remove_witness(session: Session, *, principal: Principal, witness_id: int) -> LedgerWitness:
    """Stop asking a witness; its past cosignatures stay on their checkpoints."""
    require_admin(principal)
    row = session.get(LedgerWitness, witness_id)
    if row is None:
        raise NotFound("ledger.witness_not_found", id=witness_id)
    row.active = False
    session.flush()
    record_event(session, type="ledger.witness_removed", subject_type="ledger_witness", subject_id=row.id,
                 actor=principal.actor, data={"state": {"active": False}})
    return row


def list_witnesses(session: Session) -> list[LedgerWitness]:
    """Return every configured witness."""
    return list(session.scalars(select(LedgerWitness).order_by(LedgerWitness.id)))


def _submit(http: httpx.Client, witness: _Target, old: int, proof: list[bytes], note: str) -> httpx.Response:
    body = f"old {old}\n" + "".join(b64(h) + "\n" for h in proof) + "\n" + note
    return http.post(witness.url + "/add-checkpoint", content=body.encode("utf-8"),
                     headers={"Content-Type": "text/plain; charset=utf-8"})


@dataclass(frozen=True)
class _Answer:
    """What came back from one witness: the outcome, its cosignature line if any, and its size now."""

    outcome: CosignOutcome
    size: int
    line: str | None = None
    timestamp: int = 0


def _ask(sessions: sessionmaker[Session], http: httpx.Client, witness: _Target, size: int, note: str) -> _Answer:
    """Run the add-checkpoint protocol with one witness, retrying once from the size a 409 reports."""
    def refused(detail: str, their: int) -> _Answer:
        return _Answer(CosignOutcome(witness.name, size, False, detail), their)

    import httpx

    old = witness.last_size
    for _attempt in range(2):
        if old > size:
            return refused(f"witness has cosigned size {old}, bigger than ours ({size}): fork or rollback", old)
        with read_session(sessions) as session:
            proof = consistency_proof(session, old_size=old, new_size=size) if 0 < old < size else []
        try:
            response = _submit(http, witness, old, proof, note)
        except httpx.HTTPError as exc:
            return refused(f"unreachable: {exc}", witness.last_size)
        if response.status_code == 409 and response.headers.get("content-type", "").startswith(SIZE_CONTENT_TYPE):
            try:
                their = int(response.text.strip())
            except ValueError:
                return refused(f"HTTP 409 with a malformed size: {response.text[:40]!r}", old)
            if their == old:  # it accepts our size but not our root: it saw another history
                return refused(f"witness refused size {size}: it cosigned a different tree at size {their}", their)
            old = their
            continue
        if response.status_code != 200:
            return refused(f"HTTP {response.status_code}: {response.text[:200]}", old)
        try:
            opened = open_note(note + response.text, [CosignatureVerifier(witness.verifier_key)])
        except (InvalidNoteError, UnverifiedNoteError, ValueError) as exc:
            return refused(f"bad cosignature: {exc}", old)
        sig = opened.sigs[0]
        return _Answer(CosignOutcome(witness.name, size, True, "cosigned"), size,
                       f"\u2014 {sig.name} {sig.base64}\n", sig.timestamp or 0)
    return refused("witness kept changing its size", old)


def request_cosignatures(sessions: sessionmaker[Session], *, http: httpx.Client) -> list[CosignOutcome]:
    """Ask every active witness to cosign the newest checkpoint and keep what they return."""
    with read_session(sessions) as session:
        try:
            cp = latest_checkpoint(session)
        except NotFound:
            return []
        have = set(session.scalars(select(LedgerCosignature.witness_id)
                                   .where(LedgerCosignature.checkpoint_id == cp.id)))
        witnesses = [_Target(w.id, w.name, w.url, w.verifier_key, w.last_size)
                     for w in list_witnesses(session) if w.active and w.id not in have]
        cp_id, size, note = cp.id, cp.size, cp.note
    outcomes = []
    for witness in witnesses:
        answer = _ask(sessions, http, witness, size, note)
        if not answer.outcome.ok:
            log.warning("witness %s: %s", witness.name, answer.outcome.detail)
        try:
            with write_session(sessions) as session:
                row = session.get(LedgerWitness, witness.id)
                row.last_contact_at = utcnow()
                row.last_error = None if answer.outcome.ok else answer.outcome.detail
                row.last_size = answer.size
                if answer.line is not None:
                    session.add(LedgerCosignature(checkpoint_id=cp_id, witness_id=witness.id, line=answer.line,
                                                  timestamp=answer.timestamp, created_at=utcnow()))
        except IntegrityError:  # another server stored this witness's cosignature first
            log.info("witness %s: cosignature of checkpoint %d already stored", witness.name, cp_id)
        outcomes.append(answer.outcome)
    return outcomes
