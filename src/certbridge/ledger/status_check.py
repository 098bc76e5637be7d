"""Check a status or absence proof bundle offline (ledger/status_proofs.py): only the log's key is trusted.

What a passing check establishes, as of the checkpoint in the bundle (signed by your key, and cosigned by
the witnesses you name):

- present: the subject's latest public event is the last event of the bundle — a server that leaves out a
  later event (a suspension) cannot make the map agree — and every event of the bundle is in the log;
  with `prev` links from the first event to the last, the history shown is the subject's whole history
  (the latest event may come without an inclusion proof: the map value commits to its index and leaf hash);
- absent: no public event of any subject with that name exists in the log up to the checkpoint.

The state is folded from the events' `data.state`. For a certificate, `status` is its *effective* status on
the checkpoint's day (ledger/status_verdict.py: expiry, the end of a suspension, its body's approval, whose
events the bundle proves under the same checkpoint), `recorded_status` what its last event recorded; the
status on an earlier date is the effective status on that date, from the events recorded up to it. A
checkpoint older than `max_age_days` (by the time it carries) is refused, so a stale proof cannot be presented
as fresh.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from certbridge.kit import state_map as sm
from certbridge.kit.merkle import ProofError, leaf_hash, verify_inclusion
from certbridge.ledger.offline import OfflineCheckError, decode_b64, verify_checkpoint_note
from certbridge.ledger.state_map import MUTABLE_NAMES, NameTracker, map_version, read_extensions, value_hash
from certbridge.ledger.status_verdict import CHINA, checkpoint_day, effective_verdict, fold_body


def check_status(bundle: dict[str, Any], *, log_keys: list[str], witness_keys: list[str] = (),
                 min_cosignatures: int = 0, name: str | None = None, on_date: date | None = None,
                 max_age_days: float | None = None, now: datetime | None = None,
                 settled: Callable[[str, dict], tuple[str, ...]] | None = None) -> dict[str, Any]:
    """Check a bundle; return what it proves (see the module text) or raise OfflineCheckError.

    `settled` (stapled proofs, form v2): a subject's events may start after its first event, if they are linked
    by `prev_hash` and set every field `settled(kind, folded state)` names (the ones the verdict reads).
    """
    note, bundle_name = _fields(bundle)
    if name is not None and name != bundle_name:
        raise OfflineCheckError("statemap.other_subject", asked=name, bundle=bundle_name)
    verified = verify_checkpoint_note(note, log_keys=log_keys, witness_keys=witness_keys,
                                      min_cosignatures=min_cosignatures)
    cp = verified.checkpoint
    map_root, signed_at = read_extensions(cp.extensions)
    if map_root is None:
        raise OfflineCheckError("statemap.no_map_line", size=cp.size)
    as_of = datetime.fromtimestamp(signed_at, timezone.utc) if signed_at is not None else None
    now = now or datetime.now(timezone.utc)
    if max_age_days is not None and (as_of is None or (now - as_of).total_seconds() > max_age_days * 86400):
        raise OfflineCheckError("statemap.stale", as_of=as_of.isoformat() if as_of else "?", days=max_age_days)
    events = _proven_events(bundle, cp, map_root)
    base = {"name": bundle_name, "tree_size": cp.size, "origin": cp.origin,
            "as_of": as_of.isoformat() if as_of else None, "signed_by": verified.signed_by,
            "cosigned_by": verified.cosigned_by}
    if events is None:
        return {**base, "present": False, "events": 0, "state": None, "status": None}
    complete, now_held = _check_chain(bundle_name, events, settled)
    state = _fold(events)
    status_of = _registration_status if bundle_name.startswith("person:") else _plain_status
    result = {**base, "present": True, "events": len(events), "latest_index": events[-1]["seq"],
              "history_complete": complete, "name_held": bundle_name in now_held,
              "names_now": list(now_held), "state": state,
              "status": status_of(state, bundle_name), "recorded_status": status_of(state, bundle_name),
              "on_date": on_date.isoformat() if on_date else None,
              "status_on_date": (status_of(_fold(e for e in events if _recorded_on(e) <= on_date), bundle_name)
                                 if on_date else None)}
    if bundle_name.startswith("certificate:"):
        result.update(_effective(bundle, bundle_name, events, cp, map_root, signed_at, on_date, now, settled))
    return result


def _fields(bundle: dict[str, Any]) -> tuple[str, str]:
    try:
        return str(bundle["checkpoint"]), str(bundle["name"])
    except (KeyError, TypeError):
        raise OfflineCheckError("offline.bad_bundle") from None


def _proven_events(bundle: dict[str, Any], cp, map_root: bytes) -> list[dict[str, Any]] | None:
    """Check a bundle's map proof and events under a verified checkpoint; return its events (None: absent)."""
    try:
        bundle_name = str(bundle["name"])
        size = int(bundle["tree_size"])
        encoded_proof = decode_b64(bundle["map_proof"], "map_proof")
        bodies = [str(b) for b in bundle.get("events") or []]
        inclusions = bundle.get("inclusion_proofs") or []
    except (KeyError, TypeError, ValueError, AttributeError):
        raise OfflineCheckError("offline.bad_bundle") from None
    if cp.size != size:
        raise OfflineCheckError("offline.size_mismatch", bundle=size, checkpoint=cp.size)
    try:
        mapped = sm.verify(map_root, sm.subject_key(bundle_name, map_version(cp.extensions)),
                           sm.decode_proof(encoded_proof))
    except sm.ProofError as exc:
        raise OfflineCheckError("statemap.proof_failed", detail=str(exc)) from None
    if mapped is None:
        if bodies:
            raise OfflineCheckError("statemap.absent_with_events", name=bundle_name)
        return None
    if not bodies or len(inclusions) != len(bodies):
        raise OfflineCheckError("statemap.events_missing", name=bundle_name)
    events = []
    parsed = []
    for body in bodies:
        try:
            parsed.append(json.loads(body))
        except ValueError:
            raise OfflineCheckError("offline.bad_event") from None
    for i, (body, hashes) in enumerate(zip(bodies, inclusions, strict=True)):
        leaf = leaf_hash(body.encode("utf-8"))
        try:
            event = parsed[i]
            seq = int(event["seq"])
            if seq >= cp.size:
                raise ProofError(f"event {seq} is beyond the checkpoint's tree of {cp.size}")
            # the latest event may go without an inclusion proof (the map value commits to it), and so may one
            # whose successor names it by index and leaf hash (it is then committed to by that successor)
            following = parsed[i + 1] if i < len(bodies) - 1 else None
            linked = following is None or (
                isinstance(following, dict) and following.get("prev") == seq
                and following.get("prev_hash") == base64.b64encode(leaf).decode())
            if hashes or not linked:
                verify_inclusion(leaf, seq, cp.size, [decode_b64(h, "inclusion_proofs") for h in hashes],
                                 cp.root_hash)
        except ProofError as exc:
            raise OfflineCheckError("offline.inclusion_failed", detail=str(exc)) from None
        except (ValueError, KeyError, TypeError):
            raise OfflineCheckError("offline.bad_event") from None
        event["_body"] = body  # the exact text, whose leaf hash the next event's `prev_hash` names
        events.append(event)
        last = (seq, leaf)
    if value_hash(*last) != mapped:
        raise OfflineCheckError("statemap.latest_mismatch", name=bundle_name, seq=last[0])
    return events


def _effective(bundle: dict[str, Any], name: str, events: list[dict[str, Any]], cp, map_root: bytes,
               signed_at: int | None, on_date: date | None, now: datetime,
               settled: Callable[[str, dict], tuple[str, ...]] | None = None) -> dict[str, Any]:
    """Return the certificate's effective status as of the checkpoint (and today, and `on_date`), from its events
    and its body's, both proven under the same checkpoint (ledger/status_verdict.py)."""
    body_bundle = bundle.get("body_proof")
    code = name.split(":")[1]
    if not isinstance(body_bundle, dict) or body_bundle.get("name") != f"body:{code}":
        raise OfflineCheckError("statemap.body_missing", name=name)
    if str(body_bundle.get("checkpoint")) != str(bundle["checkpoint"]):
        raise OfflineCheckError("statemap.body_other_checkpoint", name=name)
    body_events = _proven_events(body_bundle, cp, map_root)
    if body_events is None:
        raise OfflineCheckError("statemap.body_missing", name=name)
    _check_chain(body_bundle["name"], body_events, settled)
    state = _fold(events)
    if str(state.get("body_id")) != str((body_events[-1].get("subject") or {}).get("id")):
        raise OfflineCheckError("statemap.body_missing", name=name)
    if signed_at is None:
        raise OfflineCheckError("statemap.no_time", size=cp.size)
    day = checkpoint_day(signed_at)
    try:
        at_checkpoint = effective_verdict(state, fold_body(body_events), day)
        today = now.astimezone(CHINA).date()
        later = effective_verdict(state, fold_body(body_events), today) if today > day else at_checkpoint
        shown = None
        if on_date is not None:
            until = [e for e in events if _recorded_on(e) <= on_date]
            shown = (effective_verdict(_fold(until), fold_body([e for e in body_events if _recorded_on(e) <= on_date]),
                                       on_date) if until else None)
    except ValueError:
        raise OfflineCheckError("offline.bad_event") from None
    return {"status": at_checkpoint.status, "valid": at_checkpoint.valid, "as_of_day": day.isoformat(),
            "effective": at_checkpoint.as_dict(), "valid_today": at_checkpoint.valid and later.valid,
            "status_today": later.status, "status_on_date": shown.status if shown else ("-" if on_date else None)}


def _check_chain(name: str, events: list[dict[str, Any]],
                 settled: Callable[[str, dict], tuple[str, ...]] | None = None) -> tuple[bool, tuple[str, ...]]:
    """Check the events are one subject's, of the name's kind, in order, linked by `prev` (and `prev_hash` where
    they carry it), and that the name is one whose map entry the last event updates (NameTracker's rule).

    Return (whether the links prove the history complete, the names the subject holds after the last event).
    """
    subject = events[0].get("subject")
    kind, _, rest = name.partition(":")
    if not isinstance(subject, dict) or subject.get("type") != kind:
        raise OfflineCheckError("statemap.chain_broken", seq=events[0].get("seq"))
    linked = True
    suffix = events[0].get("prev") is not None and "prev_hash" in events[0]
    if suffix:  # a run of the latest events (stapled, v2): allowed only where it settles what the verdict reads
        if settled is None or any("prev_hash" not in e for e in events):
            raise OfflineCheckError("statemap.chain_broken", seq=events[0].get("seq"))
        state = _fold(events)
        for field in settled(kind, state):
            if field not in state:
                raise OfflineCheckError("statemap.stapled_incomplete", name=name, field=field)
        linked = False
    for i, event in enumerate(events):
        if event.get("subject") != subject:
            raise OfflineCheckError("statemap.chain_broken", seq=event.get("seq"))
        if i and event["seq"] <= events[i - 1]["seq"]:
            raise OfflineCheckError("statemap.chain_broken", seq=event.get("seq"))
        if "prev" not in event:
            linked = False  # written before events named their predecessor
            continue
        before = events[i - 1]["seq"] if i else None
        if i == 0 and suffix:
            continue
        if "prev_hash" in event:  # names the previous public event by index and leaf hash
            if event["prev"] != before or event["prev_hash"] != (_leaf_b64(events[i - 1]) if i else None):
                raise OfflineCheckError("statemap.chain_broken", seq=event.get("seq"))
        elif event["prev"] != before:
            # written before 2026-12-07, `prev` may name a private event of the subject in between
            if not (isinstance(event["prev"], int) and (before is None or before < event["prev"]) and
                    event["prev"] < event["seq"]):
                raise OfflineCheckError("statemap.chain_broken", seq=event.get("seq"))
            linked = False
    first_state = (events[0].get("data") or {}).get("state") or {}
    if kind == "certificate" and first_state.get("number") not in (None, rest.partition(":")[2]):
        raise OfflineCheckError("statemap.chain_broken", seq=events[0].get("seq"))
    if kind == "body" and first_state.get("code") not in (None, rest):
        raise OfflineCheckError("statemap.chain_broken", seq=events[0].get("seq"))
    held: tuple[str, ...] = (name,)
    if kind in MUTABLE_NAMES:
        tracker, updated = NameTracker(), ()
        for event in events:
            updated = tracker.names(kind, str(subject.get("id")), (event.get("data") or {}).get("state") or {})
        if name not in updated:
            raise OfflineCheckError("statemap.chain_broken", seq=events[-1].get("seq"))
        held = tracker.held(kind, str(subject.get("id")))
    return linked, held


def _leaf_b64(event: dict[str, Any]) -> str | None:
    body = event.get("_body")
    return base64.b64encode(leaf_hash(body.encode("utf-8"))).decode() if isinstance(body, str) else None


def _plain_status(state: dict[str, Any], name: str) -> Any:
    return state.get("status")


def _registration_status(state: dict[str, Any], name: str) -> Any:
    """A person registration's status: the one of the registration the name is about."""
    number = name.partition(":")[2]
    for entry in state.get("registrations") or []:
        if isinstance(entry, list) and entry and entry[0] == number:
            return entry[3] if len(entry) > 3 else None
    return "-"


def _fold(events) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for event in events:
        state.update((event.get("data") or {}).get("state") or {})
    return state


def _recorded_on(event: dict[str, Any]) -> date:
    return datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00")).date()
