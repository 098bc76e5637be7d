"""Who a person or a body is across records: the ID-document fingerprint and the USCC.

Bans (终身禁入, the 5-year bar) bind a person, and permanent exit (永久退出) binds a body's USCC and its legal
representative (DOMAIN.md "Identity, bans and exits"), so a new record or a new code cannot shed them. A person
is identified by the registration numbers they have held and by a keyed hash of their ID document: the ID number
is normalized (NFKC, spaces removed, upper case — a final x becomes X), checked (GB 11643-1999 for the 18-character
national ID; 5–20 letters and digits for a passport) and reduced to HMAC-SHA256 under the instance's identity key.
The number itself is never stored, logged or put in an event.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from certbridge.errors import InvalidInput
from certbridge.kit.secret_files import write_exclusive
from certbridge.settings import Settings

NATIONAL_ID = re.compile(r"^\d{17}[\dX]$")
PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
KEY_FILE = "identity.key"


def normalize_id_number(raw: str) -> str:
    """Return an ID number as it is compared: NFKC, no whitespace, upper case (１１０…ｘ → 110…X)."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(text.split()).upper()


def check_id_number(raw: str, *, field: str = "id_number") -> str:
    """Return the normalized ID number, refusing one that is neither a valid national ID nor passport-shaped."""
    value = normalize_id_number(raw)
    if not value:
        raise InvalidInput("field.required", field=field)
    if len(value) == 18 and value[:17].isdigit():
        if not NATIONAL_ID.match(value):
            raise InvalidInput("identity.id_number_format", field=field)
        total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
        if _CHECK[total % 11] != value[17]:
            raise InvalidInput("identity.id_number_checksum", field=field)
        return value
    if not PASSPORT.match(value):
        raise InvalidInput("identity.id_number_format", field=field)
    return value


def fingerprint(key: bytes, raw: str, *, field: str = "id_number") -> str:
    """Return the keyed hash (hex HMAC-SHA256) of a checked, normalized ID number."""
    return hmac.new(key, check_id_number(raw, field=field).encode("ascii"), hashlib.sha256).hexdigest()


def check_fingerprint(value: str | None, *, field: str = "id_fingerprint") -> str | None:
    """Refuse a fingerprint that is not 64 lower-case hex characters (never an ID number in clear)."""
    if value is None:
        return None
    if not FINGERPRINT.match(value):
        raise InvalidInput("identity.fingerprint_format", field=field)
    return value


def identity_key(settings: Settings) -> bytes:
    """Return the instance's identity key (<data_dir>/keys/identity.key, mode 0600), created on first use.

    Kept like the signing keys: in the keys folder, backed up with them; losing it means ID documents entered
    afterwards no longer match the stored fingerprints.
    """
    folder = settings.ensure_data_dir() / "keys"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / KEY_FILE
    if not path.exists():
        write_exclusive(path, secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def with_legal_rep_fingerprint(settings: Settings, body: dict) -> dict:
    """Return a body request's fields with the representative's ID number replaced by its keyed hash."""
    out = dict(body)
    raw = out.pop("legal_representative_id_number", None)
    out["legal_rep_fingerprint"] = fingerprint(identity_key(settings), raw, field="legal_representative_id_number") \
        if raw else None
    return out
