"""What the ledger's state map holds and how it is written down: its subjects and their public names
(`subject_name`, `NameTracker`), a subject's value (`value_hash`) and the checkpoint lines that carry the map's
root and the signing time (`extension_lines`, `read_extensions`). Pure functions: the tables, the fold and the
audit are in ledger/state_map.py, which re-exports these names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from hashlib import sha256

# the chained subjects (ledger.journal.CHAINED_SUBJECTS)
MAPPED_SUBJECTS = ("certificate", "organization", "body", "person", "lab")
MAP_LINE = "certbridge-state-map/v2"  # v2: persons and labs, organizations by USCC (v1: organization:<id>)
MAP_LINES = ("certbridge-state-map/v1", MAP_LINE)
MAP_VERSION = 2  # the version of MAP_LINE: the map is kept (keys, names) as v2
TIME_LINE = "certbridge-time"
_VALUE_TAG = b"certbridge state v1\x00"


def certificate_name(body_code: str | None, number: str) -> str:
    """A certificate's public name (`subject_name("certificate", …)`), called positionally where names are many."""
    return f"certificate:{body_code}:{number}"


def subject_name(subject_type: str, *, body_code: str | None = None, number: str | None = None,
                 organization_id: int | str | None = None, uscc: str | None = None,
                 cma_number: str | None = None) -> str:
    """Return a subject's public name, whose SHA-256 is its map key.

    certificate: `certificate:<issuing body's code>:<certificate number>` (what a verifier types);
    body: `body:<code>`; organization: `organization:<USCC>` (统一社会信用代码), or `organization:#<id>` for one with
    no USCC (a foreign organization); person registration: `person:<registration number>`; lab:
    `lab:<资质认定 (CMA) number>`.
    """
    if subject_type == "certificate":
        return certificate_name(body_code, number)
    if subject_type == "body":
        return f"body:{body_code}"
    if subject_type == "organization":
        return f"organization:{uscc}" if uscc else f"organization:#{organization_id}"
    if subject_type == "person":
        return f"person:{number}"
    if subject_type == "lab":
        return f"lab:{cma_number}"
    raise ValueError(f"subject type {subject_type!r} is not in the state map")


# The fields of a subject's `data.state` its names come from (MUTABLE: they can change with later events).
_NAME_FIELDS = {"organization": ("uscc",), "person": ("registrations",), "lab": ("cma_number",)}
MUTABLE_NAMES = frozenset(_NAME_FIELDS)


class NameTracker:
    """Follows the names of organizations, persons and labs through their public events, from the events alone.

    The rule (map v2): a public event of a subject updates the map entry of every name the subject holds after
    it and of every name it held just before it; a name given up (a corrected USCC, a lab's new CMA number)
    keeps pointing at the event that gave it up, until another subject takes it.
    """

    def __init__(self) -> None:
        self.fields: dict[tuple[str, str], dict] = {}

    def names(self, subject_type: str, subject_id: str, state: dict) -> tuple[str, ...]:
        """Fold one public event's `data.state` in; return the names whose entries it updates."""
        key = (subject_type, subject_id)
        held = self.fields.setdefault(key, {})
        before = _held(subject_type, subject_id, held)
        for field in _NAME_FIELDS[subject_type]:
            if field in state:
                held[field] = state[field]
        after = _held(subject_type, subject_id, held)
        return after + tuple(n for n in before if n not in after)

    def held(self, subject_type: str, subject_id: str) -> tuple[str, ...]:
        """Return the names a subject holds after the events folded in so far."""
        return _held(subject_type, subject_id, self.fields.get((subject_type, subject_id), {}))


def _held(subject_type: str, subject_id: str, fields: dict) -> tuple[str, ...]:
    if subject_type == "organization":
        return (subject_name("organization", organization_id=subject_id, uscc=fields.get("uscc")),)
    if subject_type == "person":
        numbers = [r[0] for r in fields.get("registrations") or [] if isinstance(r, list | tuple) and r and r[0]]
        return tuple(subject_name("person", number=n) for n in dict.fromkeys(numbers))
    number = fields.get("cma_number")
    return (subject_name("lab", cma_number=number),) if number else ()


def holder_name(organization_id: int | str, bodies: list[str], version: int = 2) -> str:
    """Return the map name of an organization (a certificate's holder) whose public events are `bodies`, in order:
    map v2 names it by the USCC its events give (`organization:#<id>` without one), v1 by its id."""
    if version < 2:
        return f"organization:{organization_id}"
    tracker = NameTracker()
    for body in bodies:
        tracker.names("organization", str(organization_id), (json.loads(body).get("data") or {}).get("state") or {})
    held = tracker.held("organization", str(organization_id))
    return held[0] if held else subject_name("organization", organization_id=organization_id)


def value_hash(seq: int, event_leaf_hash: bytes) -> bytes:
    """Return the map value of a subject whose latest public event is log entry `seq` with this leaf hash."""
    return sha256(_VALUE_TAG + seq.to_bytes(8, "big") + event_leaf_hash).digest()


def extension_lines(map_root: bytes, at: datetime) -> tuple[str, str]:
    """Return the checkpoint extension lines that commit to the map root and the signing time."""
    import base64

    return f"{MAP_LINE} {base64.b64encode(map_root).decode()}", f"{TIME_LINE} {int(at.timestamp())}"


def map_version(extensions: Iterable[str]) -> int:
    """Return the map version a checkpoint's map line names (2 unless it says v1): it decides the map keys
    (`kit.state_map.subject_key`) and the names (v1: `organization:<id>`, no persons or labs)."""
    return 1 if any(line.partition(" ")[0] == MAP_LINES[0] for line in extensions) else 2


def read_extensions(extensions: Iterable[str]) -> tuple[bytes | None, int | None]:
    """Return (map root, unix time) from a checkpoint's extension lines; None for what it does not carry."""
    import base64
    import binascii

    root = when = None
    for line in extensions:
        name, _, value = line.partition(" ")
        if name in MAP_LINES:
            try:
                root = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                root = None
            if root is not None and len(root) != 32:
                root = None
        elif name == TIME_LINE and value.isdigit():
            when = int(value)
    return root, when
