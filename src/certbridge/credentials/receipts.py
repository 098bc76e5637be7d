"""Signed verification receipts: "certificate X of body Y was <status> at time T, per checkpoint N".

A receipt (format certbridge-receipt/v1) carries the statement, the signed checkpoint N, and every
event of the certificate's history with its inclusion proof in N — plus the public events of its holder
and its body ("context"), which give the USCC and the body's name — so anyone can later check, with
no network, that the platform signed the statement *and* that its log, as committed in N, gives
every field it states — including, for a certificate issued under accreditation, its accreditation label
(credentials/receipt_accreditation.py). Nothing is signed unless the certificate's row is exactly its folded events
(credentials/guard.py); the holder's and body's particulars are taken from their folded events, never
from rows. The receipt is signed with the credential key over
``b"certbridge-receipt/v1\\n" + RFC 8785 canonical JSON of the receipt without "signature"``.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from certbridge.certificates.service import get_certificate
from certbridge.credentials.guard import require_logged
from certbridge.credentials.receipt_accreditation import accreditation_claim, reference_state
from certbridge.certificates.status_context import certificate_verdict
from certbridge.credentials.receipt_check import RECEIPT_CONTEXT, RECEIPT_FORMAT, statement
from certbridge.credentials.service import certificate_token, verification_url
from certbridge.db import utcnow
from certbridge.errors import RuleViolation
from certbridge.ledger.journal import LedgerEvent, subject_history
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.keys import credential_signer
from certbridge.ledger.proofs import b64, inclusion_proof, latest_checkpoint, log_verifier_keys, served_note
from certbridge.ledger.replay import fold
from certbridge.ledger.state_map import holder_name
from certbridge.ledger.tail_proofs import tail_proofs
from certbridge.registry.models import Scheme
from certbridge.settings import Settings

__all__ = ["build_receipt", "receipt_pdf", "statement"]


def _proven(session: Session, events: list[LedgerEvent], size: int) -> list[dict[str, Any]]:
    return [{"seq": e.seq, "body": e.body,
             "inclusion_proof": [b64(h) for h in inclusion_proof(session, index=e.seq, size=size)]} for e in events]


def build_receipt(session: Session, *, settings: Settings, certificate_id: int,
                  now: datetime | None = None) -> dict[str, Any]:
    """Return a signed receipt of a certificate's status now, anchored in the latest checkpoint."""
    cert = get_certificate(session, certificate_id)
    logged = require_logged(session, cert)  # the row is exactly its events, and nothing is degraded
    now = now or utcnow()
    cp = latest_checkpoint(session)
    events = [e for e in logged.events if e.public]
    holder_events = [e for e in subject_history(session, "organization", cert.organization_id) if e.public]
    body_events = [e for e in subject_history(session, "body", cert.body_id) if e.public]
    if not events or max(e.seq for e in events + holder_events + body_events) >= cp.size:
        raise RuleViolation("receipt.not_yet_in_log", id=cert.id)
    accredited_events = ([e for e in subject_history(session, "accreditation_body", cert.accreditation_body_id)
                          if e.public] if cert.accreditation_body_id else [])
    if accredited_events and max(e.seq for e in accredited_events) >= cp.size:
        raise RuleViolation("receipt.not_yet_in_log", id=cert.id)
    holder, body = fold([e.body for e in holder_events]), fold([e.body for e in body_events])
    result = certificate_verdict(session, cert, now.date())  # the one verdict every surface gives
    certificate = {
        "id": cert.id, "number": cert.number, "scheme": cert.scheme_code, "scope": cert.scope,
        "body": {"code": body.get("code"), "name": body.get("name"), "approval_number": body.get("approval_number")},
        "holder": {"name": cert.holder_name, "uscc": holder.get("uscc")},
        "issued_on": cert.issued_on.isoformat(), "expires_on": cert.expires_on.isoformat(),
        "status": result.status, "valid": result.valid, "reasons": [r.as_dict() for r in result.reasons],
    }
    at = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    accredited = (fold([e.body for e in accredited_events]) if accredited_events
                  else reference_state(cert.accreditation_body_id))  # a seeded body not changed since
    if cert.accreditation_body_id and accredited:  # the label verification shows, proven by the AB's events
        certificate["accreditation"] = accreditation_claim(
            accredited, number=cert.accreditation_number, kind=session.get(Scheme, cert.scheme_code).kind,
            scheme_code=cert.scheme_code, on=at[:10])
    origin = cp.note.split("\n", 1)[0]
    token = certificate_token(session, settings=settings, certificate_id=cert.id)
    signer = credential_signer(settings)
    receipt: dict[str, Any] = {
        "format": RECEIPT_FORMAT,
        "issuer": settings.instance_name,
        "issued_at": at,
        "certificate": certificate,
        "statement": {lang: statement(certificate, at=at, origin=origin, size=cp.size, lang=lang)
                      for lang in ("zh", "en")},
        "checkpoint": served_note(session, cp),
        "tree_size": cp.size,
        "events": _proven(session, events, cp.size),
        "context": {"holder": _proven(session, holder_events, cp.size), "body": _proven(session, body_events, cp.size),
                    **({"accreditation_body": _proven(session, accredited_events, cp.size)}
                       if accredited_events else {})},
        "verify_url": verification_url(settings, token),
        "keys": {"credential": signer.verifier_key, "log": log_verifier_keys(session)},
    }
    tails = tail_proofs(session, cp, [f"certificate:{body.get('code')}:{cert.number}",
                                      holder_name(cert.organization_id, [e.body for e in holder_events]),
                                      f"body:{body.get('code')}"])
    if tails is not None:
        receipt["map_proofs"] = tails
    signature = signer.sign(RECEIPT_CONTEXT + canonical_bytes(receipt))
    receipt["signature"] = {"key": f"{signer.name}+{signer.key_id:08x}",
                            "value": base64.b64encode(signature).decode("ascii")}
    return receipt


def receipt_pdf(receipt: dict[str, Any]) -> bytes:
    """Return the one-page PDF of a receipt, with the signed JSON embedded as an attachment."""
    from certbridge.credentials.receipt_pdf import render_receipt_pdf  # fpdf: ~0.6 s to import, only for PDFs

    return render_receipt_pdf(receipt)
