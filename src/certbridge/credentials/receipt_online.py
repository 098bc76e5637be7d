"""Checking a receipt against this server: the offline checks with this instance's keys, plus its log.

Offline, a receipt cannot show that no event came after the last one it carries (a dropped tail). The
server can: every public event of the certificate, its holder and its body up to the receipt's checkpoint
must be in the receipt.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from certbridge.credentials.receipt_check import verify_receipt
from certbridge.credentials.service import credential_verifier_keys
from certbridge.ledger.journal import subject_history
from certbridge.i18n.catalog import render
from certbridge.ledger.offline import OfflineCheckError
from certbridge.ledger.proofs import log_verifier_keys
from certbridge.ledger.replay import fold
from certbridge.settings import Settings


def _missing(session: Session, subject_type: str, subject_id: Any, items: list[dict[str, Any]], size: int) -> int | None:
    given = {int(item["seq"]) for item in items}
    for event in subject_history(session, subject_type, subject_id):
        if event.public and event.seq < size and event.seq not in given:
            return event.seq
    return None


def check_receipt_online(session: Session, *, settings: Settings, receipt: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return the verdict on a receipt: offline checks with this server's keys, then no event left out."""
    def verdict(valid: bool, complete: bool, code: str, result: dict[str, Any] | None = None, **params: Any):
        claim = (result or {}).get("certificate") or {}
        return {"valid": valid, "complete": complete, "reason": code, "message": render(code, lang, **params),
                "certificate_id": claim.get("id"), "status": (result or {}).get("status"),
                "tree_size": (result or {}).get("tree_size")}

    try:
        result = verify_receipt(receipt, credential_keys=credential_verifier_keys(session, settings),
                                log_keys=log_verifier_keys(session))
    except OfflineCheckError as exc:
        params = dict(exc.params)
        if exc.code == "receipt.claim_differs":  # status codes read as words, as the CLI shows them
            params = {k: render(f"status.{v}", lang) if k in ("claim", "log") and params.get("field") == "status"
                      else v for k, v in params.items()}
        return verdict(False, False, exc.code, **params)
    size, cert = result["tree_size"], receipt["certificate"]
    # A dropped tail: an event of the certificate (or its holder, or its body) in the checkpoint but not here.
    subjects = [("certificate", cert["id"], receipt.get("events") or [])]
    context = receipt.get("context") or {}
    if context:
        state = fold([e["body"] for e in receipt.get("events") or []])
        subjects += [("organization", state.get("organization_id"), context.get("holder") or []),
                     ("body", state.get("body_id"), context.get("body") or [])]
    for subject_type, subject_id, items in subjects:
        seq = _missing(session, subject_type, subject_id, items, size)
        if seq is not None:
            return verdict(False, False, "receipt.event_dropped", result, seq=seq)
    status = render(f"status.{result['status']}", lang)
    return verdict(True, True, "receipt.ok_online", result, status=status, events=len(receipt.get("events") or []))
