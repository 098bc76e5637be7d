"""Signed verification receipts: "certificate X of body Y was <status> at time T, per checkpoint N".

A receipt (format certbridge-receipt/v1) carries the statement, the signed checkpoint N, and every
event of the certificate's history with its inclusion proof in N — so anyone can later check, with
no network, that the platform signed the statement *and* that its log, as committed in N, gives
that status. The receipt is signed with the credential key over
``b"certbridge-receipt/v1\\n" + RFC 8785 canonical JSON of the receipt without "signature"``.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from certbridge.certificates.service import get_certificate
from certbridge.certificates.status_context import certificate_verdict
from certbridge.credentials.receipt_check import RECEIPT_CONTEXT, RECEIPT_FORMAT
from certbridge.credentials.service import certificate_token, verification_url
from certbridge.db import utcnow
from certbridge.errors import RuleViolation
from certbridge.ledger.journal import subject_history
from certbridge.i18n.catalog import render
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.keys import credential_signer
from certbridge.ledger.proofs import b64, inclusion_proof, latest_checkpoint, log_verifier_keys, served_note
from certbridge.registry.models import CertificationBody, Organization
from certbridge.settings import Settings


def statement(certificate: dict[str, Any], *, at: str, origin: str, size: int, lang: str) -> str:
    """Return the receipt's sentence in one language."""
    return render("receipt.statement", lang, number=certificate["number"], body=certificate["body"]["name"],
                  holder=certificate["holder"]["name"], status=render(f"status.{certificate['status']}", lang),
                  at=at, origin=origin, size=size)


def build_receipt(session: Session, *, settings: Settings, certificate_id: int,
                  now: datetime | None = None) -> dict[str, Any]:
    """Return a signed receipt of a certificate's status now, anchored in the latest checkpoint."""
    cert = get_certificate(session, certificate_id)
    now = now or utcnow()
    cp = latest_checkpoint(session)
    events = [e for e in subject_history(session, "certificate", cert.id) if e.public]
    if not events or events[-1].seq >= cp.size:
        raise RuleViolation("receipt.not_yet_in_log", id=cert.id)
    body = session.get(CertificationBody, cert.body_id)
    org = session.get(Organization, cert.organization_id)
    result = certificate_verdict(session, cert, now.date())  # the one verdict every surface gives
    certificate = {
        "id": cert.id, "number": cert.number, "scheme": cert.scheme_code,
        "body": {"code": body.code, "name": body.name, "approval_number": body.approval_number},
        "holder": {"name": cert.holder_name, "uscc": org.uscc if org else None},
        "issued_on": cert.issued_on.isoformat(), "expires_on": cert.expires_on.isoformat(),
        "status": result.status, "valid": result.valid, "reasons": [r.as_dict() for r in result.reasons],
    }
    at = now.strftime("%Y-%m-%dT%H:%M:%SZ")
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
        "events": [{"seq": e.seq, "body": e.body,
                    "inclusion_proof": [b64(h) for h in inclusion_proof(session, index=e.seq, size=cp.size)]}
                   for e in events],
        "verify_url": verification_url(settings, token),
        "keys": {"credential": signer.verifier_key, "log": log_verifier_keys(session)},
    }
    signature = signer.sign(RECEIPT_CONTEXT + canonical_bytes(receipt))
    receipt["signature"] = {"key": f"{signer.name}+{signer.key_id:08x}",
                            "value": base64.b64encode(signature).decode("ascii")}
    return receipt


def receipt_pdf(receipt: dict[str, Any]) -> bytes:
    """Return the one-page PDF of a receipt, with the signed JSON embedded as an attachment."""
    from certbridge.credentials.receipt_pdf import render_receipt_pdf  # fpdf: ~0.6 s to import, only for PDFs

    return render_receipt_pdf(receipt)
