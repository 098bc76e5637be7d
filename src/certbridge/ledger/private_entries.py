"""Private log entries in committed form: conformant tlog tiles that still keep private content private.

A private event (user accounts, API keys, sign-ins …) cannot have its body in the public entry bundles. If its
leaf covered the body, the bundle could only carry a stand-in that does not hash to the leaf, and a generic
C2SP tlog-tiles client would reject the bundle. So a private event's *leaf data* is its committed form, the
canonical JSON

    {"commitment":"<base64 SHA-256("certbridge private entry v1" 0x00 ‖ nonce ‖ body)>","private":true,"seq":N}

with a fresh random 16-byte nonce kept beside the body (`ledger_event.nonce`), and its leaf hash is the RFC
9162 hash of those bytes. The entry bundles publish exactly those bytes, so every entry of every bundle hashes
to its leaf; the nonce makes the commitment reveal nothing about the body (not even a guessable one). The
owner of the content reveals it by handing over (nonce, body): anyone recomputes the commitment (`check_reveal`).

Events written before committed entries existed (no nonce) keep their leaves over the body — a log is never
rewritten — and are served as the older redaction marker (`redaction_marker`).
"""

from __future__ import annotations

import base64
import hashlib
import os

from certbridge.kit.canonical_json import canonical_bytes

_TAG = b"certbridge private entry v1\x00"
NONCE_BYTES = 16


def new_nonce() -> bytes:
    """Return a fresh random nonce for a private event."""
    return os.urandom(NONCE_BYTES)


def commitment(nonce: bytes, body: bytes) -> bytes:
    """Return the commitment to a private body under its nonce."""
    return hashlib.sha256(_TAG + nonce + body).digest()


def committed_entry(seq: int, nonce: bytes, body: bytes) -> bytes:
    """Return the committed form of a private event: the bytes its leaf covers and the entry bundle carries."""
    return canonical_bytes({"commitment": base64.b64encode(commitment(nonce, body)).decode("ascii"),
                            "private": True, "seq": seq})


def redaction_marker(seq: int, leaf_hash: bytes) -> bytes:
    """Return the bundle entry of a private event written before committed entries (it does not hash to the leaf)."""
    return canonical_bytes({"leaf_hash": base64.b64encode(leaf_hash).decode("ascii"), "redacted": True, "seq": seq})


def leaf_data(seq: int, public: bool, body: bytes, nonce: bytes | None) -> bytes:
    """Return what an event's leaf hash covers: its body, or its committed form when it is private with a nonce."""
    return body if public or nonce is None else committed_entry(seq, bytes(nonce), body)


def event_leaf(seq: int, public: bool, body: bytes, nonce: bytes | None) -> bytes:
    """Return an event's RFC 9162 leaf hash."""
    return hashlib.sha256(b"\x00" + leaf_data(seq, public, body, nonce)).digest()


def bundle_entry(seq: int, public: bool, body: bytes, nonce: bytes | None, leaf_hash: bytes) -> bytes:
    """Return an event's entry in the public entry bundles."""
    if public:
        return body
    return redaction_marker(seq, leaf_hash) if nonce is None else committed_entry(seq, bytes(nonce), body)


def check_reveal(entry: bytes, seq: int, nonce: bytes, body: bytes) -> bool:
    """Tell whether (nonce, body) is what a published committed entry of log index `seq` commits to."""
    return entry == committed_entry(seq, nonce, body)
