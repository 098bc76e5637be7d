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


def _text(value: str | None) -> str:
    # A str's JSON (the C escaper the encoder uses), null for None; TypeError for anything else.
    return "null" if value is None else encode_basestring(value)


def _whole(value: int | None) -> str:
    if value is None:
        return "null"
    if type(value) is not int:
        raise TypeError(f"not an int: {value!r}")
    return str(value)


def organization_registered(*, uscc: str, needs_check: bool, name: str, address: str | None, region_code: str | None,
                            industry: str | None) -> str:
    """Return the RFC 8785 text of an `organization.registered` event's data (keys in their sorted order)."""
    try:
        if type(needs_check) is not bool:
            raise TypeError("needs_check")
        code = encode_basestring(uscc)
        return (f'{{"state":{{"address":{_text(address)},"identifiers":[["uscc",{code}]],"industry":{_text(industry)},'
                f'"merged_into_id":null,"name":{encode_basestring(name)},"name_en":null,'
                f'"region_code":{_text(region_code)},"uscc":{code},"uscc_needs_check":{"true" if needs_check else "false"}}}}}')
    except TypeError:  # a value of another type: the general encoder says what it is
        return encode_plain({"state": {
            "uscc": uscc, "uscc_needs_check": needs_check, "name": name, "name_en": None, "address": address,
            "region_code": region_code, "industry": industry, "merged_into_id": None, "identifiers": [["uscc", uscc]]}})


def audit_state(*, auditors: list[tuple[int, str, str]], end_on: str, kind: str, method: str, start_on: str) -> str:
    """Return the RFC 8785 text of an audit in a certificate's state (its team as given: sorted by the caller)."""
    try:
        team = ",".join([f"[{_whole(pid)},{encode_basestring(number)},{encode_basestring(role)}]"
                         for pid, number, role in auditors])
        return (f'{{"auditors":[{team}],"end_on":{encode_basestring(end_on)},"kind":{encode_basestring(kind)},'
                f'"method":{encode_basestring(method)},"start_on":{encode_basestring(start_on)}}}')
    except (TypeError, ValueError):  # another type, or not a triple: the general encoder says what it is
        return encode_plain({"auditors": [list(a) for a in auditors], "end_on": end_on, "kind": kind,
                             "method": method, "start_on": start_on})


def certificate_issued_state(*, number: str, body_id: int, organization_id: int, scheme_code: str,
                             standard_id: int | None, issued_on: str, expires_on: str, cycle: int,
                             previous_id: int | None, holder_name: str, holder_address: str | None,
                             region_code: str | None, scope: str, scope_en: str | None, product: dict | None,
                             certification_mode: str | None, last_surveillance_on: str | None, sites: list,
                             grade: str | None) -> str:
    """Return the RFC 8785 text of an issued certificate's state but its audits (a valid certificate; `grade`
    only when set), keys in their sorted order: what `encode_plain` makes of the same dict, without sorting it."""
    try:
        return (f'{{"body_id":{_whole(body_id)},"certification_mode":{_text(certification_mode)},'
                f'"cycle":{_whole(cycle)},"expires_on":{encode_basestring(expires_on)},'
                f'{f""""grade":{encode_basestring(grade)},""" if grade else ""}'
                f'"holder_address":{_text(holder_address)},"holder_name":{encode_basestring(holder_name)},'
                f'"issued_on":{encode_basestring(issued_on)},"last_surveillance_on":{_text(last_surveillance_on)},'
                f'"number":{encode_basestring(number)},"organization_id":{_whole(organization_id)},'
                f'"previous_id":{_whole(previous_id)},"product":{"null" if product is None else encode_plain(product)},'
                f'"region_code":{_text(region_code)},"scheme_code":{encode_basestring(scheme_code)},'
                f'"scope":{encode_basestring(scope)},"scope_en":{_text(scope_en)},'
                f'"sites":{"[]" if type(sites) is list and not sites else encode_plain(sites)},'
                f'"standard_id":{_whole(standard_id)},"status":"valid","status_changed_on":{encode_basestring(issued_on)},'
                f'"status_reason":null,"suspended_until":null}}')
    except TypeError:  # a value of another type: the general encoder says what it is
        return encode_plain({
            "number": number, "body_id": body_id, "organization_id": organization_id, "scheme_code": scheme_code,
            "standard_id": standard_id, "status": "valid", "status_reason": None, "status_changed_on": issued_on,
            "suspended_until": None, "issued_on": issued_on, "expires_on": expires_on, "cycle": cycle,
            "previous_id": previous_id, "holder_name": holder_name, "holder_address": holder_address,
            "region_code": region_code, "scope": scope, "scope_en": scope_en, "product": product,
            "certification_mode": certification_mode, "last_surveillance_on": last_surveillance_on, "sites": sites,
            **({"grade": grade} if grade else {})})


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
