"""Stapled status: a certificate's status proof, compact enough for a QR code, checked with no network.

A holder downloads a fresh one (`GET /api/v1/certificates/{id}/stapled-status`, or its QR image); a verifier
checks it offline (`certbridge verify-status --stapled`). It is the status proof of ledger/status_proofs.py —
the certificate's events and its issuing body's, under one signed checkpoint — with two things taken out:

- the log's keys (a verifier brings its own);
- the inclusion proof of each subject's *latest* event: the state map's value already commits to that
  event's index and leaf hash (`value_hash`), and the map's root is in the signed checkpoint; earlier events
  keep theirs.

It says for how many days from its checkpoint it is presented as fresh (`valid_days`, the setting
`stapled_status_days`); the verifier takes the smaller of that and its own limit (7 days unless told), so a
stale proof with an edited `valid_days` is refused all the same.

Text form: `CBS1:` + Base45 (RFC 9285) of the raw DEFLATE of the canonical JSON. Base45's alphabet is the QR
code's alphanumeric set, so the text goes in alphanumeric mode (5.5 bits a character) with no URL around it.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from certbridge.errors import NotFound
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.offline import OfflineCheckError
from certbridge.ledger.state_map import read_extensions, subject_name
from certbridge.ledger.status_check import check_status
from certbridge.ledger.status_proofs import status_bundle

FORMAT = "certbridge-stapled-status/v1"
PREFIX = "CBS1:"
DEFAULT_MAX_AGE_DAYS = 7
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_INDEX = {c: i for i, c in enumerate(_B45)}
MAX_TEXT = 16_000  # far above any real proof; refuses a decompression bomb before inflating


def certificate_name(session: Session, certificate_id: int) -> str:
    """Return the state-map name of a certificate by id (404 if there is none)."""
    row = session.connection().exec_driver_sql(
        f"SELECT b.code, c.number FROM certificate c JOIN certification_body b ON b.id = c.body_id "
        f"WHERE c.id = {int(certificate_id)}").first()
    if row is None:
        raise NotFound("certificate.not_found", id=certificate_id)
    return subject_name("certificate", body_code=row[0], number=row[1])


def _compact(bundle: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in bundle.items() if k not in ("log_keys", "body_proof")}
    if out["inclusion_proofs"]:
        out["inclusion_proofs"] = [*out["inclusion_proofs"][:-1], []]
    return out


def stapled_status(session: Session, name: str, *, valid_days: int) -> dict[str, Any]:
    """Return the stapled status proof of a present certificate name as of the newest checkpoint."""
    bundle = status_bundle(session, name)
    if not bundle["present"]:
        raise NotFound("statemap.stapled_absent", name=name)
    return {**_compact(bundle), "format": FORMAT, "valid_days": valid_days,
            "body_proof": _compact(bundle["body_proof"])}


def valid_until(stapled: dict[str, Any]) -> datetime | None:
    """Return until when a stapled proof is presented as fresh (its checkpoint's time + valid_days)."""
    from certbridge.kit.signed_note import parse_checkpoint

    text = str(stapled["checkpoint"]).split("\n\n", 1)[0] + "\n"
    _, when = read_extensions(parse_checkpoint(text).extensions)
    if when is None:
        return None
    return datetime.fromtimestamp(when, timezone.utc) + timedelta(days=int(stapled["valid_days"]))


def encode(stapled: dict[str, Any]) -> str:
    """Return the QR-ready text form of a stapled proof."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflater.compress(canonical_bytes(stapled)) + deflater.flush()
    return PREFIX + b45encode(raw)


def packed_size(text: str) -> int:
    """Return the size in bytes of the compressed proof a text form carries."""
    n = len(text) - len(PREFIX)
    return n // 3 * 2 + (1 if n % 3 == 2 else 0)


def decode(text: str) -> dict[str, Any]:
    """Read the text form back (OfflineCheckError if it is not one)."""
    import json

    text = text.strip()
    if not text.startswith(PREFIX) or len(text) > MAX_TEXT:
        raise OfflineCheckError("statemap.stapled_form")
    try:
        inflater = zlib.decompressobj(-15)
        raw = inflater.decompress(b45decode(text[len(PREFIX):]), 1_000_000)
        if inflater.unconsumed_tail:
            raise ValueError("too large")
        data = json.loads(raw)
    except (ValueError, zlib.error):
        raise OfflineCheckError("statemap.stapled_form") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise OfflineCheckError("statemap.stapled_form")
    return data


def check_stapled(stapled: dict[str, Any], *, log_keys: list[str], witness_keys: list[str] = (),
                  min_cosignatures: int = 0, name: str | None = None,
                  max_age_days: float = DEFAULT_MAX_AGE_DAYS, now: datetime | None = None) -> dict[str, Any]:
    """Check a stapled proof offline; return check_status's result plus `fresh_until`, or raise OfflineCheckError.

    Refused: another format, an absent certificate, a proof older than min(valid_days, max_age_days).
    """
    if stapled.get("format") != FORMAT or not str(stapled.get("name", "")).startswith("certificate:"):
        raise OfflineCheckError("statemap.stapled_form")
    try:
        days = min(float(stapled["valid_days"]), float(max_age_days))
    except (KeyError, TypeError, ValueError):
        raise OfflineCheckError("statemap.stapled_form") from None
    result = check_status(stapled, log_keys=log_keys, witness_keys=witness_keys, min_cosignatures=min_cosignatures,
                          name=name, max_age_days=days, now=now)
    if not result["present"]:
        raise OfflineCheckError("statemap.stapled_form")
    fresh = datetime.fromisoformat(result["as_of"]) + timedelta(days=days)
    return {**result, "fresh_until": fresh.isoformat()}


def b45encode(data: bytes) -> str:
    """Return the Base45 text of bytes (RFC 9285)."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += [_B45[c], _B45[d], _B45[e]]
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += [_B45[c], _B45[d]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Return the bytes of Base45 text (ValueError if it is not Base45)."""
    try:
        values = [_B45_INDEX[c] for c in text]
    except KeyError:
        raise ValueError("not Base45") from None
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i:i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 2025
            if n > 0xFFFF:
                raise ValueError("not Base45")
            out += n.to_bytes(2, "big")
        elif len(chunk) == 2:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise ValueError("not Base45")
            out.append(n)
        else:
            raise ValueError("not Base45")
    return bytes(out)
