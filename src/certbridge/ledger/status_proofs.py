"""Status and absence proofs: what a subject's latest state is as of a signed checkpoint, or that it has none.

A bundle holds the checkpoint (with its witness cosignatures), the state-map proof for the subject's name,
and — when the subject exists — its public events from the first to the latest, each with its inclusion proof. `ledger/status_check.py` checks a bundle offline with nothing but the log's key.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, NotFound
from certbridge.kit import state_map as sm
from certbridge.ledger.journal import LedgerEvent
from certbridge.ledger.models import LedgerCheckpoint
from certbridge.ledger.proofs import inclusion_proof, log_verifier_keys, served_note
from certbridge.ledger.state_map import ChunkTable, map_position, subject_name, value_hash

BUNDLE_FORMAT = "certbridge-status-proof/v1"


def name_of(*, certificate: str | None = None, body: str | None = None, organization: int | None = None) -> str:
    """Return the subject name asked for: `certificate` as "<body code>:<number>", `body` as its code."""
    given = [v for v in (certificate, body, organization) if v is not None]
    if len(given) != 1:
        raise InvalidInput("statemap.one_subject", field="certificate")
    if certificate is not None:
        code, sep, number = certificate.partition(":")
        if not sep or not code.strip() or not number.strip():
            raise InvalidInput("statemap.certificate_form", field="certificate", value=certificate)
        return subject_name("certificate", body_code=code.strip(), number=number.strip())
    if body is not None:
        if not body.strip():
            raise InvalidInput("statemap.certificate_form", field="body", value=body)
        return subject_name("body", body_code=body.strip())
    return subject_name("organization", organization_id=int(organization))


def _subject_of(session: Session, name: str) -> tuple[str, str] | None:
    """Return (subject type, subject id) of a name, from the registry tables; None if nothing has that name."""
    kind, _, rest = name.partition(":")
    conn = session.connection()
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cur = conn.connection.driver_connection.cursor()
    try:
        if kind == "certificate":
            code, _, number = rest.partition(":")
            cur.execute(f"SELECT c.id FROM certificate c JOIN certification_body b ON b.id = c.body_id "
                        f"WHERE b.code = {mark} AND c.number = {mark}", (code, number))
        elif kind == "body":
            cur.execute(f"SELECT id FROM certification_body WHERE code = {mark}", (rest,))
        else:
            return ("organization", rest) if rest.isdigit() else None
        row = cur.fetchone()
    finally:
        cur.close()
    return (kind, str(row[0])) if row else None


def _map_checkpoint(session: Session) -> LedgerCheckpoint:
    """Return the newest checkpoint, which must carry the map as it is now (else the map is catching up)."""
    cp = session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(1)).first()
    if cp is None:
        raise NotFound("ledger.no_checkpoint")
    size, root = map_position(session)
    if cp.map_root is None or size != cp.size or bytes(cp.map_root) != root:
        raise NotFound("statemap.not_ready", size=cp.size)
    return cp


def status_bundle(session: Session, name: str) -> dict[str, Any]:
    """Return the status (or absence) proof bundle of a subject name as of the newest checkpoint.

    A present certificate's bundle also carries its issuing body's bundle (`body_proof`, same checkpoint): the
    body's approval is part of the certificate's effective status (ledger/status_verdict.py).
    """
    cp = _map_checkpoint(session)
    bundle = _bundle(session, cp, name)
    kind, _, rest = name.partition(":")
    if kind == "certificate" and bundle["present"]:
        bundle["body_proof"] = _bundle(session, cp, subject_name("body", body_code=rest.partition(":")[0]))
    return bundle


def _bundle(session: Session, cp: LedgerCheckpoint, name: str) -> dict[str, Any]:
    """Return the proof bundle of one name under the checkpoint `cp`."""
    key = sm.subject_key(name)
    proof = sm.prove(ChunkTable(session), key)
    mapped = proof.leaf.value_hash if proof.leaf is not None and proof.leaf.key == key else None
    events: list[LedgerEvent] = []
    inclusions: list[list[bytes]] = []
    if mapped is not None:
        subject = _subject_of(session, name)
        if subject is not None:
            events = list(session.scalars(
                select(LedgerEvent).where(LedgerEvent.subject_type == subject[0],
                                          LedgerEvent.subject_id == subject[1], LedgerEvent.public,
                                          LedgerEvent.seq < cp.size).order_by(LedgerEvent.seq)))
        if not events or value_hash(events[-1].seq, bytes(events[-1].leaf_hash)) != mapped:
            # the map and the tables disagree: the integrity monitor reports it; never serve a proof over it
            raise NotFound("statemap.inconsistent", name=name)
        inclusions = [inclusion_proof(session, index=e.seq, size=cp.size) for e in events]
    return {
        "format": BUNDLE_FORMAT,
        "name": name,
        "present": mapped is not None,
        "checkpoint": served_note(session, cp),
        "tree_size": cp.size,
        "map_proof": base64.b64encode(sm.encode_proof(proof)).decode(),
        "events": [e.body for e in events],
        "inclusion_proofs": [[base64.b64encode(h).decode() for h in proof] for proof in inclusions],
        "log_keys": log_verifier_keys(session),
    }
