"""C2SP signed notes with Ed25519, checkpoint bodies, and Ed25519 cosignatures.

Follows c2sp.org/signed-note and Go's golang.org/x/mod/sumdb/note, rejecting
the same malformed notes. One deliberate tightening: base64 must be canonical
(no stray padding bits), so every byte of a signed note matters — flipping any
one of them makes `open` fail. Cosignatures follow c2sp.org/tlog-cosignature
(signature type 0x04, "cosignature/v1"). The checkpoint text format lives in
`certbridge.kit.checkpoint` and is re-exported here.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from certbridge.kit.checkpoint import Checkpoint, InvalidCheckpointError, format_checkpoint, parse_checkpoint

__all__ = [
    "MAX_SIGNATURES",
    "SIG_TYPE_COSIGNATURE_V1",
    "SIG_TYPE_ED25519",
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "InvalidCheckpointError",
    "InvalidKeyError",
    "InvalidNoteError",
    "InvalidSignatureError",
    "Note",
    "NoteSigner",
    "NoteVerifier",
    "Signature",
    "Signer",
    "UnverifiedNoteError",
    "Verifier",
    "format_checkpoint",
    "generate_key",
    "is_valid_key_name",
    "key_id",
    "open",
    "parse_checkpoint",
    "sign",
]

SIG_TYPE_ED25519 = 0x01
SIG_TYPE_COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100  # as Go's note.Open; the spec asks for at least 16

_SIG_PREFIX = "\u2014 "  # em dash, space
_COSIGNATURE_HEADER = b"cosignature/v1\n"
_MAX_TIMESTAMP = (1 << 63) - 1
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")
_BAD_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
# Exactly Go's unicode.IsSpace, which Python's str.isspace does not match (it adds \x1c-\x1f).
_SPACES = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


class InvalidKeyError(ValueError):
    """A signer or verifier key string was malformed or inconsistent."""


class InvalidNoteError(ValueError):
    """A signed note was malformed or carried a bad signature."""


class InvalidSignatureError(InvalidNoteError):
    """A signature by a known key failed to verify."""

    def __init__(self, name: str, key_id: int) -> None:
        super().__init__(f"invalid signature for key {name}+{key_id:08x}; the note was altered or forged")
        self.name = name
        self.key_id = key_id


class UnverifiedNoteError(ValueError):
    """A well-formed note had no signature from any known key."""

    def __init__(self, note: Note) -> None:
        super().__init__("note has no signature from any of the known keys")
        self.note = note


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line of a note; timestamp is set for verified cosignatures."""

    name: str
    key_id: int
    base64: str
    timestamp: int | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text with its verified and unverified signatures."""

    text: str
    sigs: tuple[Signature, ...] = ()
    unverified_sigs: tuple[Signature, ...] = ()


class NoteSigner(Protocol):
    """Anything that can put a signature line on a note (Signer, CosignatureSigner)."""

    name: str
    key_id: int

    def sign(self, msg: bytes) -> bytes:
        """Return the signature of msg, without the key ID."""
        ...


class NoteVerifier(Protocol):
    """Anything that can check a signature line of a note (Verifier, CosignatureVerifier)."""

    name: str
    key_id: int

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """Tell whether sig, without the key ID, is a valid signature of msg."""
        ...


def is_valid_key_name(name: str) -> bool:
    """Tell whether name is a valid key name: non-empty, no Unicode spaces, no plus."""
    return bool(name) and "+" not in name and not any(c in _SPACES for c in name) and _is_utf8(name)


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """Return the key ID: the first 4 bytes of SHA-256(name || 0x0A || type || key), big-endian."""
    return int.from_bytes(sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4], "big")


def generate_key(name: str) -> tuple[str, str]:
    """Generate a new Ed25519 key pair and return (signer key, verifier key) strings."""
    if not is_valid_key_name(name):
        raise InvalidKeyError(f"key name {name!r} must be non-empty, without spaces or '+'")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    public = private.public_key().public_bytes_raw()
    kid = key_id(name, SIG_TYPE_ED25519, public)
    signer_key = f"PRIVATE+KEY+{name}+{kid:08x}+{_b64(bytes([SIG_TYPE_ED25519]) + seed)}"
    return signer_key, _verifier_key(name, SIG_TYPE_ED25519, public)


class Verifier:
    """An Ed25519 note verifier parsed from a ``name+keyid+base64(0x01||pub)`` string."""

    def __init__(self, verifier_key: str) -> None:
        self.name, declared, key = _parse_key_fields(verifier_key, "verifier key")
        if key[0] != SIG_TYPE_ED25519:
            raise InvalidKeyError(f"verifier key for {self.name} has signature type {key[0]:#04x}, want 0x01 (Ed25519)")
        self.public_key = _ed25519_public(key[1:], self.name)
        self.key_id = key_id(self.name, SIG_TYPE_ED25519, key[1:])
        _check_declared_id(self.name, declared, self.key_id)
        self._key = Ed25519PublicKey.from_public_bytes(self.public_key)

    @property
    def verifier_key(self) -> str:
        """Return the verifier key string."""
        return _verifier_key(self.name, SIG_TYPE_ED25519, self.public_key)

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """Tell whether sig is this key's Ed25519 signature of msg."""
        return _ed25519_verify(self._key, msg, sig)


class Signer:
    """An Ed25519 note signer parsed from a ``PRIVATE+KEY+name+keyid+base64(0x01||seed)`` string."""

    def __init__(self, signer_key: str) -> None:
        self.name, declared, _, seed = _parse_signer_key(signer_key, SIG_TYPE_ED25519)
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key().public_bytes_raw()
        self.key_id = key_id(self.name, SIG_TYPE_ED25519, self.public_key)
        _check_declared_id(self.name, declared, self.key_id)

    @property
    def verifier_key(self) -> str:
        """Return the matching verifier key string."""
        return _verifier_key(self.name, SIG_TYPE_ED25519, self.public_key)

    def sign(self, msg: bytes) -> bytes:
        """Return the Ed25519 signature of msg."""
        return self._key.sign(msg)


class CosignatureSigner:
    """A tlog-cosignature/v1 Ed25519 cosigner, from a signer key of type 0x01 or 0x04."""

    def __init__(self, signer_key: str, *, clock: Callable[[], float] = time.time) -> None:
        self.name, declared, declared_type, seed = _parse_signer_key(
            signer_key, SIG_TYPE_ED25519, SIG_TYPE_COSIGNATURE_V1
        )
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key().public_bytes_raw()
        # The declared ID is that of the key string's own type; signatures use type 0x04.
        _check_declared_id(self.name, declared, key_id(self.name, declared_type, self.public_key))
        self.key_id = key_id(self.name, SIG_TYPE_COSIGNATURE_V1, self.public_key)
        self._clock = clock

    @property
    def verifier_key(self) -> str:
        """Return the matching cosignature (type 0x04) verifier key string."""
        return _verifier_key(self.name, SIG_TYPE_COSIGNATURE_V1, self.public_key)

    def sign(self, msg: bytes) -> bytes:
        """Return timestamp (8 bytes, big-endian) || Ed25519 signature of the cosigned message."""
        parse_checkpoint(_decode(msg))  # only checkpoints may be cosigned
        timestamp = int(self._clock())
        if not 0 <= timestamp <= _MAX_TIMESTAMP:
            raise ValueError(f"cosignature timestamp {timestamp} is outside 0..2^63-1")
        return timestamp.to_bytes(8, "big") + self._key.sign(_cosigned_message(timestamp, msg))


class CosignatureVerifier:
    """A tlog-cosignature/v1 Ed25519 verifier, from a verifier key of type 0x01 or 0x04."""

    def __init__(self, verifier_key: str) -> None:
        self.name, declared, key = _parse_key_fields(verifier_key, "verifier key")
        if key[0] not in (SIG_TYPE_ED25519, SIG_TYPE_COSIGNATURE_V1):
            raise InvalidKeyError(f"cosigner key for {self.name} has signature type {key[0]:#04x}, want 0x01 or 0x04")
        self.public_key = _ed25519_public(key[1:], self.name)
        _check_declared_id(self.name, declared, key_id(self.name, key[0], self.public_key))
        self.key_id = key_id(self.name, SIG_TYPE_COSIGNATURE_V1, self.public_key)
        self._key = Ed25519PublicKey.from_public_bytes(self.public_key)

    def verify(self, msg: bytes, sig: bytes) -> bool:
        """Tell whether sig is this cosigner's timestamped signature of the checkpoint msg."""
        return self.verify_timestamp(msg, sig) is not None

    def verify_timestamp(self, msg: bytes, sig: bytes) -> int | None:
        """Return the cosignature's timestamp if it verifies, else None."""
        if len(sig) != 8 + 64:
            return None
        timestamp = int.from_bytes(sig[:8], "big")
        if timestamp > _MAX_TIMESTAMP:
            return None
        try:
            parse_checkpoint(_decode(msg))
        except (InvalidCheckpointError, InvalidNoteError):
            return None
        return timestamp if _ed25519_verify(self._key, _cosigned_message(timestamp, msg), sig[8:]) else None


def sign(note: str | Note, signers: Sequence[NoteSigner]) -> str:
    """Sign the note text (which must end in a newline); keep a Note's other signatures."""
    if isinstance(note, Note):
        text, existing = note.text, (*note.sigs, *note.unverified_sigs)
    else:
        text, existing = note, ()
    if not text.endswith("\n"):
        raise InvalidNoteError("note text must end with a newline")
    if _BAD_CONTROL.search(text) or not _is_utf8(text):
        raise InvalidNoteError("note text must be UTF-8 without control characters other than newline")
    msg = text.encode()
    new_lines = []
    replaced = set()
    for s in signers:
        if not is_valid_key_name(s.name):
            raise InvalidNoteError(f"signer name {s.name!r} is not a valid key name")
        replaced.add((s.name, s.key_id))
        new_lines.append(f"{_SIG_PREFIX}{s.name} {_b64(s.key_id.to_bytes(4, 'big') + s.sign(msg))}\n")
    lines = []
    for sig in existing:
        if not is_valid_key_name(sig.name):
            raise InvalidNoteError(f"existing signature name {sig.name!r} is not a valid key name")
        if (sig.name, sig.key_id) in replaced:
            continue  # re-signed by the same key: the new signature wins
        raw = _b64decode(sig.base64)
        if raw is None or len(raw) < 5 or int.from_bytes(raw[:4], "big") != sig.key_id:
            raise InvalidNoteError(f"existing signature by {sig.name!r} is malformed")
        lines.append(f"{_SIG_PREFIX}{sig.name} {sig.base64}\n")
    return text + "\n" + "".join(lines) + "".join(new_lines)


def open(msg: str | bytes, verifiers: Iterable[NoteVerifier]) -> Note:  # noqa: A001 - the spec's name
    """Parse a signed note and verify its signatures by the known verifiers."""
    known: dict[tuple[str, int], NoteVerifier] = {}
    ambiguous: set[tuple[str, int]] = set()  # as in Go, an error only if a signature needs one
    for v in verifiers:
        if (v.name, v.key_id) in known:
            ambiguous.add((v.name, v.key_id))
        known[(v.name, v.key_id)] = v
    if isinstance(msg, str):
        if not _is_utf8(msg):
            raise InvalidNoteError("note is not valid UTF-8")
        data, decoded = msg.encode(), msg
    else:
        data, decoded = msg, _decode(msg)
    if _BAD_CONTROL.search(decoded):
        raise InvalidNoteError("note contains a control character other than newline")

    split = data.rfind(b"\n\n")
    if split < 0:
        raise InvalidNoteError("note has no blank line before its signatures")
    text, sig_block = data[: split + 1], data[split + 2 :].decode()
    if not sig_block.endswith("\n"):
        raise InvalidNoteError("note's signature block must be non-empty and end with a newline")

    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    seen_unverified: set[str] = set()
    for count, line in enumerate(sig_block[:-1].split("\n"), 1):
        if not line.startswith(_SIG_PREFIX):
            raise InvalidNoteError(f"signature line {count} does not start with an em dash and a space")
        name, _, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        raw = _b64decode(b64)
        if not is_valid_key_name(name) or raw is None or len(raw) < 5:
            raise InvalidNoteError(f"signature line {count} is malformed")
        if count > MAX_SIGNATURES:
            raise InvalidNoteError(f"note has more than {MAX_SIGNATURES} signatures")
        kid, sig = int.from_bytes(raw[:4], "big"), raw[4:]
        if (name, kid) in ambiguous:
            raise ValueError(f"ambiguous key {name}+{kid:08x}: two known verifiers share its name and key ID")
        v = known.get((name, kid))
        if v is None:
            if line not in seen_unverified:
                seen_unverified.add(line)
                unverified.append(Signature(name, kid, b64))
            continue
        if (name, kid) in seen:
            continue
        seen.add((name, kid))
        if isinstance(v, CosignatureVerifier):
            timestamp = v.verify_timestamp(text, sig)
            ok = timestamp is not None
        else:
            timestamp, ok = None, v.verify(text, sig)
        if not ok:
            raise InvalidSignatureError(name, kid)
        verified.append(Signature(name, kid, b64, timestamp))

    note = Note(text.decode(), tuple(verified), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(note)
    return note


def _cosigned_message(timestamp: int, msg: bytes) -> bytes:
    """Return the tlog-cosignature/v1 Ed25519 signed message for a checkpoint body."""
    return _COSIGNATURE_HEADER + b"time %d\n" % timestamp + msg


def _parse_key_fields(key_string: str, what: str) -> tuple[str, int, bytes]:
    """Split ``name+keyid+base64`` into its name, declared key ID and decoded key bytes."""
    name, _, rest = key_string.partition("+")
    hex_id, _, key64 = rest.partition("+")
    key = _b64decode(key64)
    if not is_valid_key_name(name) or not _HEX_KEY_ID.fullmatch(hex_id) or not key:
        raise InvalidKeyError(f"malformed {what}: want name+<8 hex digits>+<base64 key>")
    return name, int(hex_id, 16), key


def _parse_signer_key(signer_key: str, *types: int) -> tuple[str, int, int, bytes]:
    """Parse ``PRIVATE+KEY+name+keyid+base64(type||seed)`` into name, declared ID, type, seed."""
    if not signer_key.startswith("PRIVATE+KEY+"):
        raise InvalidKeyError("malformed signer key: it must start with PRIVATE+KEY+")
    name, declared, key = _parse_key_fields(signer_key[len("PRIVATE+KEY+") :], "signer key")
    if key[0] not in types:
        raise InvalidKeyError(f"signer key for {name} has unsupported signature type {key[0]:#04x}")
    if len(key) != 33:
        raise InvalidKeyError(f"signer key for {name} must hold a 32-byte Ed25519 seed")
    return name, declared, key[0], key[1:]


def _check_declared_id(name: str, declared: int, actual: int) -> None:
    """Reject a key string whose key ID does not match its name and key."""
    if declared != actual:
        raise InvalidKeyError(f"key {name} declares key ID {declared:08x}, but its name and key give {actual:08x}")


def _ed25519_public(key: bytes, name: str) -> bytes:
    """Return a 32-byte Ed25519 public key, or reject its length."""
    if len(key) != 32:
        raise InvalidKeyError(f"verifier key for {name} must hold a 32-byte Ed25519 public key, got {len(key)}")
    return key


def _ed25519_verify(key: Ed25519PublicKey, msg: bytes, sig: bytes) -> bool:
    """Tell whether sig is key's Ed25519 signature of msg."""
    try:
        key.verify(sig, msg)
    except InvalidSignature:
        return False
    return True


def _verifier_key(name: str, sig_type: int, public_key: bytes) -> str:
    """Return the ``name+keyid+base64(type||key)`` string."""
    return f"{name}+{key_id(name, sig_type, public_key):08x}+{_b64(bytes([sig_type]) + public_key)}"


def _b64(data: bytes) -> str:
    """Return standard base64 with padding."""
    return base64.b64encode(data).decode("ascii")


def _b64decode(s: str) -> bytes | None:
    """Decode canonical standard base64 only, so no two strings decode alike."""
    try:
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if _b64(raw) == s else None


def _decode(data: bytes) -> str:
    """Decode strict UTF-8 or reject the note."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidNoteError("note is not valid UTF-8") from None


def _is_utf8(s: str) -> bool:
    """Tell whether a str encodes to UTF-8 (it fails only on lone surrogates)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
