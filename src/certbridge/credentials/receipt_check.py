"""Checking a verification receipt offline: its signature, its checkpoint, its events, its claim.

Needs no database and no network. Pass the credential and log verifier keys you trust (published by
the instance, e.g. GET /api/v1/ledger/keys, or printed in its documentation); without them the keys
embedded in the receipt are used, which proves the receipt was not altered but not who made it —
the result says so, and the CLI warns.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from datetime import date
from typing import Any

from certbridge.certificates.effective_status import facts_from_values, verdict
from certbridge.credentials.receipt_accreditation import check_accreditation, reference_state
from certbridge.i18n.catalog import render
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.merkle import ProofError, leaf_hash, verify_inclusion
from certbridge.kit.signed_note import InvalidKeyError, Verifier
from certbridge.ledger.state_map import holder_name, map_version
from certbridge.ledger.tail_proofs import check_tail
from certbridge.ledger.offline import OfflineCheckError, decode_b64, verify_checkpoint_note

RECEIPT_FORMAT = "certbridge-receipt/v1"
RECEIPT_CONTEXT = b"certbridge-receipt/v1\n"


_EMBEDDED = re.compile(rb"/Type\s*/EmbeddedFile\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)")


def extract_receipt(data: bytes) -> dict[str, Any]:
    """Return the receipt from receipt.json bytes, or from the JSON embedded in a receipt PDF."""
    if data.lstrip().startswith(b"{"):
        try:
            return json.loads(data)
        except ValueError:
            raise OfflineCheckError("receipt.format") from None
    if not data.startswith(b"%PDF-"):
        raise OfflineCheckError("receipt.format")
    # Our PDFs hold one embedded file: find its dictionary, then its stream of /Length bytes.
    for match in _EMBEDDED.finditer(data):
        start = data.rfind(b" obj", 0, match.start())
        head_end = data.find(b"stream", match.end())
        length = _LENGTH.search(data, start, head_end)
        if start < 0 or head_end < 0 or length is None:
            continue
        body_start = head_end + len(b"stream")
        body_start += 2 if data[body_start:body_start + 2] == b"\r\n" else 1
        raw = data[body_start:body_start + int(length.group(1))]
        if b"/FlateDecode" in data[start:head_end]:
            raw = zlib.decompress(raw)
        try:
            return json.loads(raw)
        except ValueError:
            continue
    raise OfflineCheckError("receipt.no_embedded_json")


# Reasons a receipt may give for "not valid" that rest on facts beyond the certificate's own events (its body,
# its standard): the offline check cannot confirm them, but a claim of *less* than the events allow is safe.
OUTSIDE_REASONS = frozenset({"standard_transition_over", "body_revoked_grace_over", "body_withdrawn_grace_over"})


def effective_status_on(state: dict[str, Any], on: str) -> tuple[str, bool]:
    """Return (status, valid) on a day (ISO) from a certificate's folded state: the rule of effective_status."""
    try:
        result = verdict(facts_from_values(
            status=state.get("status") or "", status_changed_on=state.get("status_changed_on") or on,
            issued_on=state.get("issued_on") or on, expires_on=state.get("expires_on") or on,
            suspended_until=state.get("suspended_until"), status_reason=state.get("status_reason")),
            date.fromisoformat(on))
    except (TypeError, ValueError):
        raise OfflineCheckError("receipt.format") from None
    return result.status, result.valid


def _check_signature(receipt: dict[str, Any], keys: list[str]) -> str:
    sig = receipt.get("signature") or {}
    try:
        signature = base64.b64decode(sig.get("value", ""), validate=True)
    except (binascii.Error, ValueError):
        raise OfflineCheckError("receipt.bad_signature") from None
    unsigned = {k: v for k, v in receipt.items() if k != "signature"}
    message = RECEIPT_CONTEXT + canonical_bytes(unsigned)
    for key in keys:
        try:
            verifier = Verifier(key)
        except InvalidKeyError as exc:
            raise OfflineCheckError("offline.bad_key", detail=str(exc)) from None
        name = f"{verifier.name}+{verifier.key_id:08x}"
        if name == sig.get("key") and verifier.name == f"{receipt.get('issuer')}/credential":
            if verifier.verify(message, signature):
                return name
            raise OfflineCheckError("receipt.bad_signature")
    raise OfflineCheckError("receipt.unknown_key", key=sig.get("key"))


ISSUE_EVENTS = ("certificate.issued", "certificate.renewed")


def statement(certificate: dict[str, Any], *, at: str, origin: str, size: int, lang: str) -> str:
    """Return the receipt's sentence in one language (the builder writes it, the checker regenerates it)."""
    return render("receipt.statement", lang, number=certificate["number"], body=certificate["body"]["name"],
                  holder=certificate["holder"]["name"], status=render(f"status.{certificate['status']}", lang),
                  at=at, origin=origin, size=size)


def _fold_chain(items: list[dict[str, Any]], subject: dict[str, str], root: bytes, size: int,
                first_types: tuple[str, ...] | None = None) -> tuple[dict[str, Any], bool]:
    """Check a subject's events (proofs, subject, order, `prev` chain) and fold them; return (state, chained).

    Each event that names its subject's previous event (`prev`) must follow exactly that event in the list,
    so a dropped event in the middle breaks the chain; the first event must start the chain (`prev` null,
    or an event from before `prev` existed) and, for a certificate, be its issue event.
    """
    state: dict[str, Any] = {}
    last, chained = None, False
    for item in items:
        seq, body = int(item["seq"]), item["body"]
        proof = [decode_b64(h, "inclusion_proof") for h in item["inclusion_proof"]]
        try:
            verify_inclusion(leaf_hash(body.encode("utf-8")), seq, size, proof, root)
        except ProofError as exc:
            raise OfflineCheckError("receipt.event_not_in_log", seq=seq, detail=str(exc)) from None
        event = json.loads(body)
        if event.get("seq") != seq or event.get("subject") != subject:
            raise OfflineCheckError("receipt.event_foreign", seq=seq)
        if last is not None and seq <= last:
            raise OfflineCheckError("receipt.event_order", seq=seq)
        if last is None and first_types is not None and event.get("type") not in first_types:
            raise OfflineCheckError("receipt.chain_start", seq=seq)
        if "prev" in event:
            chained = True
            if event["prev"] != last:
                raise OfflineCheckError("receipt.chain_broken", seq=seq, prev=event["prev"],
                                        given="-" if last is None else last)
        last = seq
        change = (event.get("data") or {}).get("state")
        if isinstance(change, dict) and event.get("type") != "import.previewed":
            state.update(change)
    return state, chained


def _claim_differs(field: str, claim: Any, logged: Any) -> None:
    if claim != logged:
        raise OfflineCheckError("receipt.claim_differs", field=field, claim=claim, log=logged)


def _check_claim(receipt: dict[str, Any], root: bytes, size: int,
                 origin: str) -> tuple[dict[str, Any], str, bool, dict[str, Any]]:
    """Check every field the receipt states against the folds of the events it carries; return (claim, status,
    full, the certificate's folded state)."""
    claim = receipt["certificate"]
    cert_id = str(claim["id"])
    state, chained = _fold_chain(receipt.get("events") or [], {"type": "certificate", "id": cert_id}, root, size,
                                 ISSUE_EVENTS)
    if not state:
        raise OfflineCheckError("receipt.no_events")
    known = {"id", "number", "scheme", "scope", "body", "holder", "issued_on", "expires_on", "status", "valid",
             "reasons", "accreditation"}
    extra = sorted(set(claim) - known)
    if extra:
        raise OfflineCheckError("receipt.claim_unproven", field=extra[0])
    for name, logged in (("number", state.get("number")), ("scheme", state.get("scheme_code")),
                         ("holder.name", state.get("holder_name")), ("issued_on", state.get("issued_on")),
                         ("expires_on", state.get("expires_on"))):
        head, _, tail = name.partition(".")
        _claim_differs(name, (claim.get(head) or {}).get(tail) if tail else claim.get(head), logged)
    if "scope" in claim or chained:
        _claim_differs("scope", claim.get("scope"), state.get("scope"))
    # The status the certificate's own events give on the receipt's day (the rule of effective_status). A "not
    # valid" resting on facts beyond those events (its standard, its body) is accepted only when it claims less.
    status, valid = effective_status_on(state, receipt["issued_at"][:10])
    outside = {r.get("code") for r in claim.get("reasons") or [] if isinstance(r, dict)} & OUTSIDE_REASONS
    narrower = bool(outside) and valid and claim.get("valid") is False and claim.get("status") in ("expired", "withdrawn")
    if not narrower and (status != claim.get("status") or claim.get("valid") != valid):
        raise OfflineCheckError("receipt.claim_differs", field="status", claim=claim.get("status"), log=status)
    context = receipt.get("context")
    full = context is not None
    if chained and not full:  # made after prev existed: the holder's and body's events must be there
        raise OfflineCheckError("receipt.claim_unproven", field="holder.uscc")
    if full:
        holder, _ = _fold_chain(context.get("holder") or [], {"type": "organization",
                                                               "id": str(state.get("organization_id"))}, root, size)
        body, _ = _fold_chain(context.get("body") or [], {"type": "body", "id": str(state.get("body_id"))}, root, size)
        _claim_differs("holder.uscc", (claim.get("holder") or {}).get("uscc"), holder.get("uscc"))
        for key in ("code", "name", "approval_number"):
            _claim_differs(f"body.{key}", (claim.get("body") or {}).get(key), body.get(key))
    if "accreditation" in claim:  # the label is proven by the accreditation body's events, or refused
        if not full or not state.get("accreditation_body_id"):
            raise OfflineCheckError("receipt.claim_unproven", field="accreditation")
        accredited, _ = _fold_chain(context.get("accreditation_body") or [],
                                    {"type": "accreditation_body", "id": str(state["accreditation_body_id"])},
                                    root, size)
        accredited = accredited or reference_state(state["accreditation_body_id"])  # seeded, never changed
        if not accredited:
            raise OfflineCheckError("receipt.claim_unproven", field="accreditation")
        check_accreditation(claim["accreditation"], accredited, state, receipt["issued_at"][:10])
    for lang in ("zh", "en"):
        wanted = statement(claim, at=receipt["issued_at"], origin=origin, size=size, lang=lang)
        if (receipt.get("statement") or {}).get(lang) != wanted:
            raise OfflineCheckError("receipt.statement_differs", lang=lang)
    return claim, status, full, state


def verify_receipt(receipt: dict[str, Any], *, credential_keys: list[str] | None = None,
                   log_keys: list[str] | None = None, witness_keys: list[str] = (),
                   min_cosignatures: int = 0) -> dict[str, Any]:
    """Check a receipt completely; raise OfflineCheckError naming what fails, or return what it proves.

    Proven: the signature; the checkpoint; every event's inclusion; the certificate's chain of events from
    its issue event (`prev`); and every stated field — number, scheme, scope, holder, USCC, body, dates,
    status, and the statement text, regenerated — against the folds of the events carried; and, when the
    receipt carries `map_proofs` (`tail_proven`), that the last event of the certificate, its holder and its
    body is each one's latest under the checkpoint's state map — no dropped tail. Without them (receipts
    made before the map, or while the map was ahead of the checkpoint) a dropped tail is not provable
    offline; `POST /api/v1/receipts/verify` checks it against the log.
    """
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        raise OfflineCheckError("receipt.format")
    embedded = (receipt.get("keys") or {})
    try:
        signed_by = _check_signature(receipt, credential_keys or [embedded.get("credential", "")])
        verified = verify_checkpoint_note(receipt["checkpoint"], log_keys=log_keys or list(embedded.get("log") or []),
                                          witness_keys=witness_keys, min_cosignatures=min_cosignatures)
        cp = verified.checkpoint
        if cp.size != receipt["tree_size"]:
            raise OfflineCheckError("offline.size_mismatch", bundle=receipt["tree_size"], checkpoint=cp.size)
        claim, status, full, state = _check_claim(receipt, cp.root_hash, cp.size,
                                                  receipt["checkpoint"].split("\n", 1)[0])
        tail = "map_proofs" in receipt
        if tail:  # the last event of each subject is its latest (ledger/tail_proofs.py)
            code = claim["body"]["code"]
            context = receipt.get("context") or {}
            check_tail(cp.extensions, receipt["map_proofs"], {
                f"certificate:{code}:{claim['number']}": _last(receipt.get("events")),
                holder_name(state.get("organization_id"), [str(e["body"]) for e in context.get("holder") or []],
                            map_version(cp.extensions)): _last(context.get("holder")),
                f"body:{code}": _last(context.get("body"))})
    except (KeyError, TypeError, ValueError, AttributeError):
        raise OfflineCheckError("receipt.format") from None
    return {"certificate": claim, "status": status, "issued_at": receipt["issued_at"], "tree_size": cp.size,
            "origin": cp.origin, "signed_by": signed_by, "log_signed_by": verified.signed_by,
            "cosigned_by": verified.cosigned_by, "embedded_keys": not (credential_keys and log_keys),
            "statement": receipt.get("statement") or {}, "fields_proven": full, "tail_proven": tail}


def _last(items: list[dict[str, Any]] | None) -> str | None:
    return str(items[-1]["body"]) if items else None
