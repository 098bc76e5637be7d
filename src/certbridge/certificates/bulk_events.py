"""Ledger event rows of a bulk batch, encoded exactly as `events.event_body` encodes them, at a fraction of the cost.

Bulk events hold JSON-native values only (str, int, bool, None, lists, ASCII-keyed dicts), for which the
standard encoder with sorted keys and no whitespace is RFC 8785. One C encoder is made once (the stock
`JSONEncoder.encode` builds a new one per call); the envelope around `data` is encoded once per batch;
callers may splice parts they encoded once (`EventLog.add_encoded`). `check_events` re-encodes the first
event of each type through `events.event_body`, so the two can never drift apart unnoticed.

Events of chained subjects (`events.CHAINED_SUBJECTS`) name their subject's previous event (`prev`, its index,
and `prev_hash`, its leaf hash in base64). A bulk batch only creates subjects, so a subject's first event in the
batch has both null and each later one the index and leaf hash of the one before; `events.append_prepared` writes the rows (the one writer of the log).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from json.encoder import c_make_encoder, encode_basestring, encode_basestring_ascii
from typing import Any

from certbridge.ledger.journal import CHAINED_SUBJECTS, EVENT_FORMAT_VERSION, EventDraft, event_body

_sha256 = hashlib.sha256
_default = json.JSONEncoder().default
_c_canonical = (c_make_encoder(None, _default, encode_basestring, None, ":", ",", True, False, True)
                if c_make_encoder is not None else None)
# What `json.dumps` writes with its defaults (ASCII, ", " and ": ", keys as given), for JSON columns.
_c_column = (c_make_encoder(None, _default, encode_basestring_ascii, None, ": ", ", ", False, False, True)
             if c_make_encoder is not None else None)


def encode_plain(value: Any) -> str:
    """Return the RFC 8785 text of JSON-native data (sorted keys, no whitespace, UTF-8 kept)."""
    if _c_canonical is None:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return "".join(_c_canonical(value, 0))


def json_column(value: dict[str, Any]) -> str:
    """Return what `json.dumps(value)` returns, for a JSON column."""
    return json.dumps(value) if _c_column is None else "".join(_c_column(value, 0))


class EventLog:
    """Builds event rows at consecutive log positions."""

    def __init__(self, seq: int, actor: str, at: datetime, at_row: Any):
        self.seq, self.actor, self.at_row, self.rows = seq, actor, at_row, []
        at_text = at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        # RFC 8785 key order of an event: actor, at, data, seq, subject, type, v.
        self.head = f'{{"actor":{encode_plain(actor)},"at":{encode_plain(at_text)},"data":'
        self.tails: dict[tuple[str, str], str] = {}
        # chained subject → (index, leaf hash) of its latest event in this batch (base64 only when a later one
        # names it: most subjects of a batch have one event)
        self.last: dict[tuple[str, str], tuple[int, bytes]] = {}

    def add(self, type_: str, subject_type: str, subject_id: int, data: dict[str, Any]) -> None:
        """Append an event whose data is JSON-native."""
        self.add_encoded(type_, subject_type, subject_id, encode_plain(data))

    def add_encoded(self, type_: str, subject_type: str, subject_id: int, data: str) -> None:
        """Append an event whose data is already RFC 8785 text."""
        tail = self.tails.get((type_, subject_type))
        if tail is None:
            tail = self.tails[type_, subject_type] = (
                f'","type":{encode_plain(subject_type)}}},"type":{encode_plain(type_)},"v":{EVENT_FORMAT_VERSION}}}')
        seq, subject = self.seq, str(subject_id)
        if subject_type in CHAINED_SUBJECTS:  # "prev", "prev_hash" sort between "data" and "seq"
            prev = self.last.get((subject_type, subject))
            link = '"prev":null,"prev_hash":null' if prev is None else \
                f'"prev":{prev[0]},"prev_hash":"{base64.b64encode(prev[1]).decode()}"'
            body = f'{self.head}{data},{link},"seq":{seq},"subject":{{"id":"{subject}{tail}'
            leaf = _sha256(b"\x00" + body.encode()).digest()
            self.last[subject_type, subject] = (seq, leaf)
        else:
            body = f'{self.head}{data},"seq":{seq},"subject":{{"id":"{subject}{tail}'
            leaf = _sha256(b"\x00" + body.encode()).digest()
        self.rows.append((seq, type_, subject_type, subject, self.actor, self.at_row, True, body, leaf))
        self.seq = seq + 1


def check_events(rows: list[tuple]) -> None:
    """Raise if the first event of any type differs from what `events.event_body` makes of it."""
    checked: set[str] = set()
    for row in rows:
        if row[1] in checked:
            continue
        checked.add(row[1])
        stored = json.loads(row[7])
        draft = EventDraft(stored["type"], stored["subject"]["type"], stored["subject"]["id"], stored["actor"],
                           stored["data"])
        at = datetime.strptime(stored["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        chain = {k: stored[k] for k in ("prev", "prev_hash") if k in stored}
        if event_body(stored["seq"], draft, at, **chain).decode() != row[7]:
            raise RuntimeError(f"bulk encoding of {row[1]} events drifted from events.event_body")
