"""Stapled status: a certificate's status proof, compact enough for a QR code, checked with no network.

A holder downloads a fresh one (`GET /api/v1/certificates/{id}/stapled-status`, or its QR image); a verifier
checks it offline (`certbridge verify-status --stapled`). Form v2 (`CBS2:`, `certbridge-stapled-status/v2`)
carries, under one signed (and witnessed) checkpoint, for the certificate and for its issuing body:

- the state-map path of its name, siblings only: the leaf at its end is rebuilt by the verifier from the name and
  the last event carried (`value_hash` of its index and leaf hash), so it is never sent;
- its latest public events, oldest first, each linked to the one before by `prev` and `prev_hash` (the leaf hash
  of its predecessor): the latest is proven by the map, and it commits by hash to every event before it, so no
  event needs an inclusion proof. Events written before `prev_hash` existed keep one each;
- only as many events as the verdict needs: the shortest run back from the latest that settles the fields the
  rule reads (certificate: status, status_changed_on, issued_on, expires_on, body_id, and suspended_until while
  suspended; body: status and valid_until), or the whole history. A run that starts after the first event
  and leaves one of them unsettled is refused.

It says for how many days from its checkpoint it is presented as fresh (`valid_days`, the setting
`stapled_status_days`); the verifier takes the smaller of that and its own limit (7 days unless told), so a
stale proof with an edited `valid_days` is refused all the same. The log's keys are not carried: bring your own.

Text form: `CBS2:` + Base45 (RFC 9285) of the raw DEFLATE, with a preset dictionary of the events' JSON keys
(`_DICTIONARY`, part of the format), of the canonical JSON. Base45's alphabet is the QR code's alphanumeric set,
so the text goes in alphanumeric mode (5.5 bits a character) with no URL around it.

Form v1 (`CBS1:`, under a `certbridge-state-map/v1` checkpoint: every event with an inclusion proof but the
latest, and the map's leaf) is still checked as before (`check_stapled`), and no longer made.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from certbridge.errors import NotFound
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.offline import OfflineCheckError
from certbridge.kit import state_map as sm
from certbridge.kit.merkle import leaf_hash
from certbridge.ledger.state_map import read_extensions, subject_name, value_hash
from certbridge.ledger.status_check import check_status
from certbridge.ledger.status_proofs import status_bundle

FORMAT_V1 = "certbridge-stapled-status/v1"
PREFIX_V1 = "CBS1:"
FORMAT = "certbridge-stapled-status/v2"
PREFIX = "CBS2:"
def settled_fields(kind: str, state: dict[str, Any]) -> tuple[str, ...]:
    """Return what the verdict reads (ledger/status_verdict.py) of a subject whose events, from a run's start,
    fold to `state`: a run that starts after the subject's first event must set each, so that no earlier event
    can still decide it. A body not approved makes every certificate of it not valid, whatever its dates."""
    if kind == "certificate":
        return ("status", "status_changed_on", "issued_on", "expires_on", "body_id") + (
            ("suspended_until",) if state.get("status") == "suspended" else ())
    if kind == "body":
        return ("status", "valid_until") if state.get("status") == "approved" else ("status",)
    return ()
# The preset DEFLATE dictionary of form v2: the JSON keys and common values of the events a proof carries, in
# RFC 8785 order, and the checkpoint's fixed lines, so that one event is not paid for in key names. The most
# common strings come last (nearest). Changing it changes the format.
_DICTIONARY = (
    "certbridge-state-map/v2 certbridge-time 17\n\n\u2014 /log /witness certificate:body:"
    '{"actor":"system","at":"2026-","data":{"state":{"address":"","approval_number":"CNCA-R-20",'
    '"approved_on":"20","code":"0","fields":["QMS","EMS","OHSMS"],"foreign_invested":false,'
    '"name":"","name_en":null,"region_code":"45","status":"approved","status_reason":null,"uscc":"91",'
    '"valid_until":"20"}},"prev":null,"prev_hash":null,"seq":1,"subject":{"id":"1","type":"body"},'
    '"type":"body.approved","v":1}'
    '{"actor":"user:","at":"2026-","data":{"state":{"audits":[{"auditors":[[1,"20-N1QMS-","leader"]],'
    '"end_on":"20","kind":"initial","method":"FS01","start_on":"20"}],"body_id":1,"certification_mode":null,'
    '"cycle":1,"expires_on":"20","holder_address":"","holder_name":"有限公司","issued_on":"20",'
    '"last_surveillance_on":null,"number":"","organization_id":1,"previous_id":null,"product":null,'
    '"region_code":"45","scheme_code":"QMS","scope":"","scope_en":null,"sites":[],"standard_id":1,'
    '"status":"valid","status_changed_on":"20","status_reason":null,"suspended_until":null}},'
    '"prev":null,"prev_hash":null,"seq":1,"subject":{"id":"1","type":"certificate"},'
    '"type":"certificate.issued","v":1}'
    '{"actor":"user:","at":"2026-","data":{"audit":{"auditors":[[1,"20-N1QMS-","leader"]],"end_on":"20",'
    '"kind":"surveillance","method":"FS01","start_on":"20"},"state":{"audits":[{"auditors":[[1,"20-N1QMS-",'
    '"leader"]],"end_on":"20","kind":"initial","method":"FS01","start_on":"20"}],"last_surveillance_on":"20"}},'
    '"prev":1,"prev_hash":"","seq":1,"subject":{"id":"1","type":"certificate"},"type":"certificate.audited","v":1}'
    '{"actor":"user:","at":"2026-","data":{"state":{"status":"suspended","status_changed_on":"20",'
    '"status_reason":"","suspended_until":"20"}},"prev":1,"prev_hash":"","seq":1,'
    '"subject":{"id":"1","type":"certificate"},"type":"certificate.suspended","v":1}'
).encode("utf-8")
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


def _suffix(bodies: list[str], kind: str) -> int:
    """Return where the shortest run of events back from the latest starts that settles what the verdict reads
    (`settled_fields`), all linked by `prev_hash`; 0 (the whole history) when none does."""
    events = [json.loads(b) for b in bodies]
    for start in range(len(events) - 1, 0, -1):
        if "prev_hash" not in events[start]:
            return 0  # older events, linked by index only: shown from the first, each with an inclusion proof
        run = [(e.get("data") or {}).get("state") or {} for e in events[start:]]
        folded: dict[str, Any] = {}
        for state in run:
            folded.update(state)
        if all(f in folded for f in settled_fields(kind, folded)):
            return start
    return 0


def _part(bundle: dict[str, Any]) -> dict[str, Any]:
    """The v2 part of one subject: its name, its map path without the leaf, and the events it needs."""
    bodies = list(bundle["events"])
    start = _suffix(bodies, bundle["name"].partition(":")[0])
    proof = sm.decode_proof(base64.b64decode(bundle["map_proof"]))
    # the leaf is rebuilt by the verifier, and so is the top sibling: the certificate's and the body's keys part at
    # the first bit (kit/state_map.subject_key, v2), so each one's top sibling is the other's half of the tree
    siblings = sm.encode_proof(sm.Proof(proof.siblings[1:], None))[:-1]
    inclusions = []
    for i in range(start, len(bodies)):
        linked = i == len(bodies) - 1 or "prev_hash" in json.loads(bodies[i + 1])
        inclusions.append([] if linked else bundle["inclusion_proofs"][i])
    return {"name": bundle["name"], "map_proof": base64.b64encode(siblings).decode(), "events": bodies[start:],
            "inclusion_proofs": inclusions}


def stapled_status(session: Session, name: str, *, valid_days: int) -> dict[str, Any]:
    """Return the stapled status proof (form v2) of a present certificate name as of the newest checkpoint."""
    bundle = status_bundle(session, name)
    if not bundle["present"]:
        raise NotFound("statemap.stapled_absent", name=name)
    return {"format": FORMAT, "valid_days": valid_days, "checkpoint": bundle["checkpoint"], **_part(bundle),
            "body_proof": _part(bundle["body_proof"])}


def valid_until(stapled: dict[str, Any]) -> datetime | None:
    """Return until when a stapled proof is presented as fresh (its checkpoint's time + valid_days)."""
    from certbridge.kit.signed_note import parse_checkpoint

    text = str(stapled["checkpoint"]).split("\n\n", 1)[0] + "\n"
    _, when = read_extensions(parse_checkpoint(text).extensions)
    if when is None:
        return None
    return datetime.fromtimestamp(when, timezone.utc) + timedelta(days=int(stapled["valid_days"]))


# --- the v2 text form: length-prefixed fields, DEFLATE with the preset dictionary, Base45 -------------------

def _put(out: bytearray, data: bytes) -> None:
    n = len(data)
    while n >= 0x80:  # a LEB128 length
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    out += data


def _take(data: bytes, pos: int) -> tuple[bytes, int]:
    n, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 21:
            raise ValueError("cut short")
        byte = data[pos]
        pos += 1
        n |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    if pos + n > len(data):
        raise ValueError("cut short")
    return data[pos:pos + n], pos + n


def _pack(stapled: dict[str, Any]) -> bytes:
    out = bytearray([int(stapled["valid_days"])])
    _put(out, str(stapled["checkpoint"]).encode("utf-8"))
    for part in (stapled, stapled["body_proof"]):
        _put(out, str(part["name"]).encode("utf-8"))
        _put(out, base64.b64decode(part["map_proof"]))
        out.append(len(part["events"]))
        for body, hashes in zip(part["events"], part["inclusion_proofs"], strict=True):
            _put(out, body.encode("utf-8"))
            _put(out, b"".join(base64.b64decode(h) for h in hashes))
    return bytes(out)


def _unpack(data: bytes) -> dict[str, Any]:
    if not data:
        raise ValueError("empty")
    days, pos = data[0], 1
    note, pos = _take(data, pos)
    parts = []
    for _ in range(2):
        name, pos = _take(data, pos)
        proof, pos = _take(data, pos)
        if pos >= len(data):
            raise ValueError("cut short")
        count, pos = data[pos], pos + 1
        events, inclusions = [], []
        for _ in range(count):
            body, pos = _take(data, pos)
            hashes, pos = _take(data, pos)
            if len(hashes) % 32:
                raise ValueError("a hash is 32 bytes")
            events.append(body.decode("utf-8"))
            inclusions.append([base64.b64encode(hashes[i:i + 32]).decode() for i in range(0, len(hashes), 32)])
        parts.append({"name": name.decode("utf-8"), "map_proof": base64.b64encode(proof).decode(),
                      "events": events, "inclusion_proofs": inclusions})
    if pos != len(data):
        raise ValueError("trailing bytes")
    return {"format": FORMAT, "valid_days": days, "checkpoint": note.decode("utf-8"), **parts[0],
            "body_proof": parts[1]}


def encode(stapled: dict[str, Any]) -> str:
    """Return the QR-ready text form of a stapled proof (v2: `CBS2:`; a v1 proof keeps its `CBS1:` form)."""
    if stapled.get("format") == FORMAT_V1:
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        return PREFIX_V1 + b45encode(deflater.compress(canonical_bytes(stapled)) + deflater.flush())
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, _DICTIONARY)
    return PREFIX + b45encode(deflater.compress(_pack(stapled)) + deflater.flush())


def packed_size(text: str) -> int:
    """Return the size in bytes of the compressed proof a text form carries."""
    n = len(text) - len(PREFIX)
    return n // 3 * 2 + (1 if n % 3 == 2 else 0)


def decode(text: str) -> dict[str, Any]:
    """Read a text form back, v2 or v1 (OfflineCheckError if it is neither)."""
    text = text.strip()
    if len(text) > MAX_TEXT or not text.startswith((PREFIX, PREFIX_V1)):
        raise OfflineCheckError("statemap.stapled_form")
    v2 = text.startswith(PREFIX)
    try:
        inflater = (zlib.decompressobj(-15, _DICTIONARY) if v2 else zlib.decompressobj(-15))
        raw = inflater.decompress(b45decode(text[len(PREFIX):]), 1_000_000)
        if inflater.unconsumed_tail:
            raise ValueError("too large")
        data = _unpack(raw) if v2 else json.loads(raw)
    except (ValueError, zlib.error, UnicodeDecodeError, binascii.Error):
        raise OfflineCheckError("statemap.stapled_form") from None
    if not isinstance(data, dict) or data.get("format") != (FORMAT if v2 else FORMAT_V1):
        raise OfflineCheckError("statemap.stapled_form")
    return data


def check_stapled(stapled: dict[str, Any], *, log_keys: list[str], witness_keys: list[str] = (),
                  min_cosignatures: int = 0, name: str | None = None,
                  max_age_days: float = DEFAULT_MAX_AGE_DAYS, now: datetime | None = None) -> dict[str, Any]:
    """Check a stapled proof offline; return check_status's result plus `fresh_until`, or raise OfflineCheckError.

    Refused: another format, an absent certificate, a proof older than min(valid_days, max_age_days).
    """
    if stapled.get("format") not in (FORMAT, FORMAT_V1) or not str(stapled.get("name", "")).startswith(
            "certificate:"):
        raise OfflineCheckError("statemap.stapled_form")
    try:
        days = min(float(stapled["valid_days"]), float(max_age_days))
    except (KeyError, TypeError, ValueError):
        raise OfflineCheckError("statemap.stapled_form") from None
    if stapled["format"] == FORMAT_V1:
        result = check_status(stapled, log_keys=log_keys, witness_keys=witness_keys,
                              min_cosignatures=min_cosignatures, name=name, max_age_days=days, now=now)
    else:
        try:
            result = check_status(_as_bundle(stapled), log_keys=log_keys, witness_keys=witness_keys,
                                  min_cosignatures=min_cosignatures, name=name, max_age_days=days, now=now,
                                  settled=settled_fields)
        except OfflineCheckError as exc:
            if exc.code != "statemap.proof_failed":
                raise
            # the map's leaf is rebuilt from the last event carried: a path that misses the root means that event
            # is not the latest (a later one was left out, or it was edited), or the path is another checkpoint's
            raise OfflineCheckError("statemap.stapled_not_latest", detail=exc.params.get("detail", "")) from None
    if not result["present"]:
        raise OfflineCheckError("statemap.stapled_form")
    fresh = datetime.fromisoformat(result["as_of"]) + timedelta(days=days)
    return {**result, "fresh_until": fresh.isoformat()}


def _as_bundle(stapled: dict[str, Any]) -> dict[str, Any]:
    """Return the status-bundle view of a v2 proof: its map paths with the leaf rebuilt from the last event and the
    top sibling from the other path (so a proof whose last event is not the mapped one fails exactly as a bundle
    that drops a later event does)."""
    from certbridge.kit.signed_note import parse_checkpoint

    try:
        size = parse_checkpoint(str(stapled["checkpoint"]).split("\n\n", 1)[0] + "\n").size
    except Exception:  # noqa: BLE001 - any unreadable note is the same refusal
        raise OfflineCheckError("offline.bad_note", detail="unreadable checkpoint") from None

    def path(part: dict[str, Any]) -> tuple[str, list[str], tuple[bytes, ...], sm.Leaf]:
        try:
            name, events = str(part["name"]), [str(b) for b in part["events"]]
            siblings = sm.decode_proof(base64.b64decode(part["map_proof"], validate=True) + b"\x00").siblings
            seq = int(json.loads(events[-1])["seq"])
        except (KeyError, TypeError, ValueError, IndexError, sm.ProofError):
            raise OfflineCheckError("offline.bad_bundle") from None
        return name, events, siblings, sm.Leaf(sm.subject_key(name), value_hash(seq, leaf_hash(events[-1].encode())))

    def half(siblings: tuple[bytes, ...], leaf: sm.Leaf) -> bytes:
        """The hash of the half of the tree the leaf is in, from its path below the top."""
        h = sm.leaf_hash(leaf.key, leaf.value_hash)
        for d in range(len(siblings), 0, -1):  # siblings[d - 1] is the sibling at depth d
            bit = leaf.key[d >> 3] >> (7 - (d & 7)) & 1
            h = sm.node_hash(siblings[d - 1], h) if bit else sm.node_hash(h, siblings[d - 1])
        return h

    def bundle(name, events, siblings, leaf, top, part) -> dict[str, Any]:
        proof = base64.b64encode(sm.encode_proof(sm.Proof((top, *siblings), leaf))).decode()
        return {"format": "certbridge-status-proof/v1", "name": name, "present": True,
                "checkpoint": stapled["checkpoint"], "tree_size": size, "map_proof": proof, "events": events,
                "inclusion_proofs": part.get("inclusion_proofs") or [[] for _ in events]}

    cert = path(stapled)
    body_part = stapled.get("body_proof")
    if not isinstance(body_part, dict):  # the body's part gives the certificate's top sibling, and its verdict
        raise OfflineCheckError("statemap.body_missing", name=cert[0])
    body = path(body_part)
    if not body[0].startswith("body:") or not cert[0].startswith("certificate:"):
        raise OfflineCheckError("statemap.body_missing", name=cert[0])
    return {**bundle(*cert, half(body[2], body[3]), stapled),
            "body_proof": bundle(*body, half(cert[2], cert[3]), body_part)}


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
