"""Certificate tokens for QR codes, and the online check that adds the certificate's current status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.certificates.service import get_certificate
from certbridge.certificates.status_context import certificate_verdict
from certbridge.credentials.guard import ISSUE_EVENTS, fold_certificate, require_logged
from certbridge.credentials.tokens import sign_token, verify_token
from certbridge.ledger.integrity import current as integrity_status
from certbridge.ledger.journal import LedgerEvent
from certbridge.ledger.keys import credential_signer, known_keys
from certbridge.registry.models import CertificationBody, Organization
from certbridge.settings import Settings



@dataclass(frozen=True)
class TokenCheck:
    """The online verdict: is the token ours, and is its certificate valid right now?"""

    authentic: bool
    reason: str  # a catalog code: token.valid, token.not_valid, token.bad_signature …
    payload: dict[str, Any] | None
    status: str | None  # the certificate's status now (expired when past its date)
    valid_now: bool
    certificate_id: int | None
    changed_fields: tuple[str, ...] = field(default=())  # token fields that no longer match the certificate
    integrity_ok: bool = True  # False: the integrity monitor found the log damaged (a warning goes with the answer)
    reasons: tuple[dict[str, Any], ...] = field(default=())  # the verdict's reasons (effective_status.Reason)


def issue_event_seq(session: Session, certificate_id: int) -> int | None:
    """Return the log index of the event that issued a certificate."""
    return session.scalar(select(LedgerEvent.seq).where(
        LedgerEvent.subject_type == "certificate", LedgerEvent.subject_id == str(certificate_id),
        LedgerEvent.type.in_(ISSUE_EVENTS)).order_by(LedgerEvent.seq).limit(1))


def token_payload(session: Session, cert: Certificate, *, issuer: str, key_id: str,
                  issue_seq: int | None | bool = False) -> dict[str, Any]:
    """Return the token payload of a certificate as it is now (`issue_seq`: its issue event, if already known)."""
    body = session.get(CertificationBody, cert.body_id)
    org = session.get(Organization, cert.organization_id)
    return {
        "v": 1, "iss": issuer, "kid": key_id, "id": cert.id, "no": cert.number, "cb": body.code,
        "h": cert.holder_name, "u": org.uscc if org else None, "s": cert.scheme_code,
        "i": cert.issued_on.isoformat(), "e": cert.expires_on.isoformat(),
        "seq": issue_event_seq(session, cert.id) if issue_seq is False else issue_seq,
    }


def certificate_token(session: Session, *, settings: Settings, certificate_id: int) -> str:
    """Return the signed token of a certificate (the same token for the same data and key).

    Refused (IntegrityHalt) when the certificate has no issue event or its row differs from its events.
    """
    cert = get_certificate(session, certificate_id)
    logged = require_logged(session, cert)
    signer = credential_signer(settings)
    payload = token_payload(session, cert, issuer=settings.instance_name, key_id=f"{signer.key_id:08x}",
                            issue_seq=logged.events[0].seq)
    return sign_token(payload, signer)


def verification_url(settings: Settings, token: str) -> str:
    """Return the URL a QR code carries: the public verification page of a token."""
    return f"{settings.public_url.rstrip('/')}/v/{token}"


def credential_verifier_keys(session: Session, settings: Settings) -> list[str]:
    """Return every credential verifier key of this instance: recorded ones and the current local one."""
    keys = [k.verifier_key for k in known_keys(session, "credential")]
    local = credential_signer(settings).verifier_key
    return keys if local in keys else [*keys, local]


def verify_token_online(session: Session, *, settings: Settings, token: str, on: date | None = None) -> TokenCheck:
    """Check a token's signature and add its certificate's current status; only a valid certificate verifies."""
    on = on or date.today()
    result = verify_token(token, credential_verifier_keys(session, settings))
    payload = result.payload
    if payload is not None and payload.get("iss") != settings.instance_name:
        return TokenCheck(False, "token.other_issuer", payload, None, False, None)
    if not result.authentic:
        return TokenCheck(False, result.reason, payload, None, False, None)
    cert = session.get(Certificate, payload["id"]) if isinstance(payload.get("id"), int) else None
    if cert is None:
        return TokenCheck(True, "token.certificate_missing", payload, None, False, None)
    sound = integrity_status(session).ok
    logged = fold_certificate(session, cert)  # the row must be what the certificate's own events say
    if not logged.issued:
        return TokenCheck(True, "token.not_in_log", payload, None, False, cert.id, (), sound)
    if logged.mismatches:
        return TokenCheck(True, "token.log_differs", payload, None, False, cert.id, logged.differing_fields, sound)
    now = token_payload(session, cert, issuer=payload["iss"], key_id=payload["kid"], issue_seq=logged.events[0].seq)
    changed = tuple(k for k in ("no", "cb", "h", "u", "s", "i", "e", "seq") if now[k] != payload[k])
    result = certificate_verdict(session, cert, on)  # the one verdict every surface gives
    status, reasons = result.status, tuple(r.as_dict() for r in result.reasons)
    if not result.valid:
        return TokenCheck(True, "token.not_valid", payload, status, False, cert.id, changed, sound, reasons)
    if changed:
        # Authentic but outdated (e.g. renamed holder): send people to the current record, not "valid".
        return TokenCheck(True, "token.outdated", payload, status, False, cert.id, changed, sound, reasons)
    return TokenCheck(True, "token.valid", payload, status, True, cert.id, (), sound, reasons)
