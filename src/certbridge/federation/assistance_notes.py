"""Messages between federated instances as C2SP signed notes, signed with the sender's log key.

The note's text is five header lines and one line of canonical JSON:

    certbridge-federation-message/v1
    from a.region.test
    to b.region.test
    id 5f0c…(32 hex)
    type assistance.request
    {"kind":"investigation",…}

followed by the sender's signature line (`— a.region.test/log …`). The peer's stored log verifier key is what
every proof from it already rests on, so a message needs no second key exchange; the first line can never be a
checkpoint's (whose first line is the log's origin, `<name>/log`), so a message can never pass for a checkpoint
nor a checkpoint for a message. `to` binds the message to its recipient: replayed to another instance it is
refused there; the id makes it idempotent where it belongs.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.signed_note import InvalidNoteError, Signer, UnverifiedNoteError, Verifier, sign
from certbridge.kit.signed_note import open as open_note

HEADER = "certbridge-federation-message/v1"
TYPES = ("assistance.request", "assistance.accepted", "assistance.refused", "assistance.answered")
_ID = re.compile(r"[0-9a-f]{32}")


class BadMessage(ValueError):
    """The message is not a well-formed federation message (a sender's bug or a forgery)."""


class BadSignature(ValueError):
    """The message is not signed by the sender's key we hold."""


@dataclass(frozen=True)
class Message:
    """A federation message: who sent it to whom, its id and type, and its body."""

    sender: str
    recipient: str
    id: str
    type: str
    body: dict[str, Any]


def new_message_id() -> str:
    """Return a fresh message id (128 random bits, hex)."""
    return uuid.uuid4().hex


def sign_message(signer: Signer, message: Message) -> str:
    """Return the message as a note signed by `signer` (the sender's log key)."""
    if message.type not in TYPES or not _ID.fullmatch(message.id):
        raise BadMessage(f"cannot sign a message of type {message.type!r} with id {message.id!r}")
    body = canonical_bytes(message.body).decode("utf-8")
    text = (f"{HEADER}\nfrom {message.sender}\nto {message.recipient}\nid {message.id}\ntype {message.type}\n"
            f"{body}\n")
    return sign(text, [signer])


def read_unverified(note: str) -> Message:
    """Parse a note's text without checking its signature (to learn who claims to have sent it)."""
    text, sep, _ = note.rpartition("\n\n")
    if not sep:
        raise BadMessage("the note has no signature block")
    lines = (text + "\n").split("\n")
    if len(lines) != 7 or lines[0] != HEADER or lines[6] != "":
        raise BadMessage(f"the note is not a {HEADER} message")
    fields = {}
    for line, name in zip(lines[1:5], ("from", "to", "id", "type"), strict=True):
        key, _, value = line.partition(" ")
        if key != name or not value:
            raise BadMessage(f"the line {name!r} is missing")
        fields[name] = value
    if not _ID.fullmatch(fields["id"]):
        raise BadMessage("the message id is not 32 hexadecimal digits")
    if fields["type"] not in TYPES:
        raise BadMessage(f"unknown message type {fields['type']!r}")
    try:
        body = json.loads(lines[5])
    except ValueError:
        raise BadMessage("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadMessage("the body is not a JSON object")
    return Message(fields["from"], fields["to"], fields["id"], fields["type"], body)


def open_message(note: str, verifier_key: str) -> Message:
    """Check the note's signature by the sender's log key and return the message."""
    message = read_unverified(note)
    verifier = Verifier(verifier_key)
    if verifier.name != f"{message.sender}/log":
        raise BadSignature(f"the key we hold is {verifier.name}, not {message.sender}/log")
    try:
        opened = open_note(note, [verifier])
    except UnverifiedNoteError:
        raise BadSignature(f"the note is not signed by {verifier.name}") from None
    except InvalidNoteError as exc:
        raise BadSignature(str(exc)) from None
    if opened.text != note.rpartition("\n\n")[0] + "\n":  # the signed text is the text we parsed
        raise BadMessage("the signed text differs from the parsed one")
    return message
