"""Status and absence proofs: what a subject's latest state is as of a signed checkpoint, or that it has none.

A bundle holds the checkpoint (with its witness cosignatures), the state-map proof for the subject's name,
and — when the subject exists — its public events from the first to the latest, each with its inclusion proof. `ledger/status_check.py` checks a bundle offline with nothing but the log's key.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput, NotFound
from certbridge.kit import state_map as sm
from certbridge.ledger.journal import LedgerEvent
from certbridge.ledger.models import LedgerCheckpoint
from certbridge.ledger.proofs import inclusion_proof, log_verifier_keys, served_note
from certbridge.kit.text_input import normalize_identifier
from certbridge.ledger.state_map import MUTABLE_NAMES, ChunkTable, map_position, subject_name, value_hash

BUNDLE_FORMAT = "certbridge-status-proof/v1"


def name_of(*, certificate: str | None = None, body: str | None = None, organization: str | int | None = None,
            person: str | None = None, lab: str | None = None) -> str:
    """Return the subject name asked for: `certificate` as "<body code>:<number>", `body` as its code,
    `organization` as its USCC (or "#<id>", or an id), `person` as a registration number, `lab` as its CMA number."""
    given = [v for v in (certificate, body, organization, person, lab) if v is not None]
    if len(given) != 1:
        raise InvalidInput("statemap.one_subject", field="certificate")
    if certificate is not None:
        code, sep, number = certificate.partition(":")
        if not sep or not code.strip() or not number.strip():
            raise InvalidInput("statemap.certificate_form", field="certificate", value=certificate)
        return subject_name("certificate", body_code=code.strip(), number=number.strip())
    for field, value in (("body", body), ("person", person), ("lab", lab), ("organization", organization)):
        if value is not None and not str(value).strip():
            raise InvalidInput("statemap.certificate_form", field=field, value=value)
    if body is not None:
        return subject_name("body", body_code=body.strip())
    if person is not None:
        return subject_name("person", number=normalize_identifier(person, upper=True))
    if lab is not None:
        return subject_name("lab", cma_number=lab.strip())
    text = str(organization).strip()
    if text.startswith("#") or (text.isdigit() and len(text) < 18):  # an id, not a USCC (18 characters)
        return subject_name("organization", organization_id=int(text.lstrip("#")) if text.lstrip("#").isdigit()
                            else text.lstrip("#"))
    return subject_name("organization", uscc=text.upper())


def _subject_of(session: Session, name: str) -> tuple[str, str] | None:
    """Return (subject type, subject id) of the subject holding a name now, from the registry tables; for a name
    no row holds now (given up: a corrected USCC, a lab's new CMA number), the last subject whose public events
    held it; None if nothing has that name."""
    kind, _, rest = name.partition(":")
    conn = session.connection()
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    queries = {
        "body": ("SELECT id FROM certification_body WHERE code = {m}", (rest,)),
        "person": ("SELECT person_id FROM person_registration WHERE number = {m}", (rest,)),
        "lab": ("SELECT id FROM lab WHERE cma_number = {m}", (rest,)),
        "organization": ("SELECT id FROM organization WHERE uscc = {m}", (rest,)),
    }
    if kind == "certificate":
        code, _, number = rest.partition(":")
        query = ("SELECT c.id FROM certificate c JOIN certification_body b ON b.id = c.body_id "
                 "WHERE b.code = {m} AND c.number = {m}", (code, number))
    elif kind == "organization" and rest.startswith("#"):
        return ("organization", rest[1:]) if rest[1:].isdigit() else None
    elif kind in queries:
        query = queries[kind]
    else:
        return None
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(query[0].format(m=mark), query[1])
        row = cur.fetchone()
        if row is None and kind in MUTABLE_NAMES:  # given up since: the events that held it say whose it was
            field = {"organization": "uscc", "lab": "cma_number", "person": "registrations"}[kind]
            needle = json.dumps(rest, ensure_ascii=False)
            pattern = f'%"{field}":{needle}%' if kind != "person" else f"%[{needle},%"
            cur.execute(f"SELECT subject_id FROM ledger_event WHERE subject_type = {mark} AND public AND "
                        f"body LIKE {mark} ORDER BY seq DESC LIMIT 1", (kind, pattern))
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
    if name.startswith("organization:#") and name[len("organization:#"):].isdigit():
        row = session.connection().exec_driver_sql(
            f"SELECT uscc FROM organization WHERE id = {int(name[len('organization:#'):])}").first()
        if row is not None and row[0]:
            name = subject_name("organization", uscc=row[0])  # named by its USCC (map v2)
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
        # the mapped event is the subject's latest, or (a name given up) the event that gave the name up
        while events and value_hash(events[-1].seq, bytes(events[-1].leaf_hash)) != mapped:
            events.pop()
        if not events:
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
