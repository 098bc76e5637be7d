"""The licence token: a certification body's approval (CNCA-R) or a lab's qualification (CMA) as a signed QR.

Same construction as the certificate token (credentials/tokens.py) under its own context, so neither can
pass for the other: base64url(RFC 8785 payload) "." base64url(Ed25519 signature over
``b"certbridge-licence/v1\\n" + payload``) with the instance's credential key ("<iss>/credential", key ID `kid`).

    v    format version (1)        k    body | lab           n   holder name
    iss  issuing instance          no   licence number       u   holder USCC or null
    kid  signing key ID            i    valid from           e   valid until (or null)

Offline, `verify_licence_token` with the published verifier keys says whether it is authentic; only the
online check (`check_licence_token`) says whether the licence is in force now (suspension, revocation,
cancellation and expiry all show there at once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.credentials.service import credential_verifier_keys
from certbridge.credentials.tokens import _b64url, _unb64url
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.signed_note import InvalidKeyError, Signer, Verifier
from certbridge.ledger.keys import credential_signer
from certbridge.registry.models import CertificationBody, Lab
from certbridge.settings import Settings

LICENCE_CONTEXT = b"certbridge-licence/v1\n"
FIELDS = ("v", "iss", "kid", "k", "no", "n", "u", "i", "e")


@dataclass(frozen=True)
class LicenceCheck:
    """The verdict on a licence token: authentic or not, in force now or not, and what changed since."""

    authentic: bool
    reason: str
    payload: dict[str, Any] | None = None
    in_force: bool = False
    status: str | None = None
    changed_fields: tuple[str, ...] = field(default=())


def licence_payload(holder: CertificationBody | Lab, *, issuer: str, key_id: str) -> dict[str, Any]:
    """Return the token payload of a body's approval or a lab's qualification as it is now."""
    is_body = isinstance(holder, CertificationBody)
    valid_from = holder.approved_on if is_body else holder.qualified_on
    return {"v": 1, "iss": issuer, "kid": key_id, "k": "body" if is_body else "lab",
            "no": holder.approval_number if is_body else holder.cma_number, "n": holder.name, "u": holder.uscc,
            "i": valid_from.isoformat(), "e": holder.valid_until.isoformat() if holder.valid_until else None}


def sign_licence_token(payload: dict[str, Any], signer: Signer) -> str:
    """Return the signed token of a licence payload."""
    data = canonical_bytes(payload)
    return _b64url(data) + "." + _b64url(signer.sign(LICENCE_CONTEXT + data))


def licence_token(settings: Settings, holder: CertificationBody | Lab) -> str:
    """Return the licence's signed token with this instance's credential key."""
    signer = credential_signer(settings)
    return sign_licence_token(licence_payload(holder, issuer=settings.instance_name,
                                              key_id=f"{signer.key_id:08x}"), signer)


def licence_url(settings: Settings, token: str) -> str:
    """Return the URL a licence's QR code carries."""
    return f"{settings.public_url.rstrip('/')}/v/l/{token}"


def verify_licence_token(token: str, verifier_keys: list[str]) -> LicenceCheck:
    """Check a licence token's signature offline against trusted verifier keys (says nothing about status)."""
    part, dot, sig = (token or "").strip().partition(".")
    try:
        data, signature = _unb64url(part), _unb64url(sig)
        payload = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return LicenceCheck(False, "token.malformed")
    if not dot or not isinstance(payload, dict) or set(payload) != set(FIELDS) or payload.get("v") != 1 \
            or canonical_bytes(payload) != data:
        return LicenceCheck(False, "token.malformed")
    for key in verifier_keys:
        try:
            verifier = Verifier(key)
        except InvalidKeyError:
            continue
        if verifier.name == f"{payload['iss']}/credential" and f"{verifier.key_id:08x}" == payload["kid"]:
            if verifier.verify(LICENCE_CONTEXT + data, signature):
                return LicenceCheck(True, "token.authentic", payload)
            return LicenceCheck(False, "token.bad_signature", payload)
    return LicenceCheck(False, "token.unknown_key", payload)


def find_licence(session: Session, kind: str, number: str) -> CertificationBody | Lab | None:
    """Return the body or lab a licence number belongs to."""
    if kind == "body":
        return session.scalar(select(CertificationBody).where(CertificationBody.approval_number == number))
    return session.scalar(select(Lab).where(Lab.cma_number == number))


def licence_status(holder: CertificationBody | Lab, on: date) -> str:
    """Return a licence's standing on a date: its status, or expired once past its end."""
    if holder.valid_until is not None and holder.valid_until < on and holder.status in ("approved", "valid"):
        return "expired"
    return holder.status


def check_licence_token(session: Session, *, settings: Settings, token: str, on: date | None = None) -> LicenceCheck:
    """Check a licence token online: authentic, and is the licence in force now and unchanged?"""
    result = verify_licence_token(token, credential_verifier_keys(session, settings))
    if not result.authentic:
        return result
    payload = result.payload
    if payload["iss"] != settings.instance_name:
        return LicenceCheck(False, "token.other_issuer", payload)
    holder = find_licence(session, payload["k"], payload["no"])
    if holder is None:
        return LicenceCheck(True, "licence.missing", payload)
    status = licence_status(holder, on or date.today())
    now = licence_payload(holder, issuer=payload["iss"], key_id=payload["kid"])
    changed = tuple(k for k in ("n", "u", "i", "e") if now[k] != payload[k])
    in_force = status in ("approved", "valid")
    reason = "licence.in_force" if in_force and not changed else "licence.outdated" if in_force else "licence.not_in_force"
    return LicenceCheck(True, reason, payload, in_force and not changed, status, changed)
