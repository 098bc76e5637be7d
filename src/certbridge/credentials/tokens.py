"""The certificate token: base64url(payload) "." base64url(Ed25519 signature), checkable offline.

The payload is RFC 8785 canonical JSON with short keys, so the token fits a QR code:

    v    format version (1)              no   certificate number
    iss  issuing instance (its name)     cb   certification body code
    kid  signing key ID (8 hex digits)   h    holder name
    id   certificate id                  u    holder USCC (统一社会信用代码) or null
    s    scheme code                     i    issued on (YYYY-MM-DD)
    e    expires on (YYYY-MM-DD)         seq  log index of the issue event

The signature covers ``b"certbridge-token/v1\\n" + payload`` with the instance's credential key,
whose verifier key is named "<iss>/credential" and has key ID `kid`. The prefix keeps a token
signature from ever passing for any other signed thing. A token proves what was issued, never what
holds now: a withdrawn certificate's token stays authentic, so only an online check says "valid".
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.signed_note import InvalidKeyError, Signer, Verifier

TOKEN_CONTEXT = b"certbridge-token/v1\n"
FIELDS = ("v", "iss", "kid", "id", "no", "cb", "h", "u", "s", "i", "e", "seq")


@dataclass(frozen=True)
class TokenResult:
    """The offline verdict on a token: authentic or not, why (a catalog code), and what it says."""

    authentic: bool
    reason: str
    payload: dict[str, Any] | None = None
    key: str | None = None  # name+keyid of the key that verified it


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not text or any(c in text for c in "=+/ \n"):
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64url(raw) != text:  # one token, one encoding
        raise ValueError("non-canonical base64url")
    return raw


def sign_token(payload: dict[str, Any], signer: Signer) -> str:
    """Return the token for a payload (kid and iss must already name the signer)."""
    data = canonical_bytes(payload)
    return _b64url(data) + "." + _b64url(signer.sign(TOKEN_CONTEXT + data))


def decode_token(token: str) -> tuple[dict[str, Any], bytes, bytes]:
    """Split a token into its payload, the payload bytes and the signature; raise ValueError if malformed."""
    token = (token or "").strip()
    part, dot, sig = token.partition(".")
    if not dot:
        raise ValueError("no signature part")
    try:
        data, signature = _unb64url(part), _unb64url(sig)
        payload = json.loads(data)
    except (ValueError, binascii.Error):
        raise ValueError("undecodable token") from None
    if not isinstance(payload, dict) or payload.get("v") != 1 or set(payload) != set(FIELDS):
        raise ValueError("unknown token format")
    if canonical_bytes(payload) != data:
        raise ValueError("payload is not canonical JSON")
    return payload, data, signature


def verify_token(token: str, verifier_keys: list[str]) -> TokenResult:
    """Check a token's signature against verifier keys you trust; says nothing about current status."""
    try:
        payload, data, signature = decode_token(token)
    except ValueError:
        return TokenResult(False, "token.malformed")
    wanted_name, wanted_id = f"{payload['iss']}/credential", payload["kid"]
    for key in verifier_keys:
        try:
            verifier = Verifier(key)
        except InvalidKeyError:
            continue
        if verifier.name == wanted_name and f"{verifier.key_id:08x}" == wanted_id:
            if verifier.verify(TOKEN_CONTEXT + data, signature):
                return TokenResult(True, "token.authentic", payload, f"{verifier.name}+{wanted_id}")
            return TokenResult(False, "token.bad_signature", payload)
    return TokenResult(False, "token.unknown_key", payload)
