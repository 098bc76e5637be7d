"""A certificate's effective status as of a checkpoint, derived offline from proven events alone.

The state map commits to a certificate's latest event, not to a verdict: a certificate whose last event is
`certificate.issued` may have expired since, a suspension may have run out, its body's approval may have been
revoked. So the verifier folds the certificate's proven events (`data.state`: status, status_changed_on,
issued_on, expires_on, suspended_until) and its issuing body's proven events (status, the date of its last
status change, valid_until), and applies the one rule (`certificates.effective_status.verdict`) on the
checkpoint's date — China Standard Time, the registry's calendar.

What the proofs do not carry, and how the verdict stays on the safe side:

- the scheme's grace period after a body's revocation is not in the map: a certificate of a body whose
  approval was revoked or withdrawn is never shown valid (grace taken as zero months);
- a standard's transition deadline is not in the map: the daily status sweep records the expiry as an event
  on the deadline's next day, and that event is proven like any other.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from certbridge.certificates.effective_status import Verdict, facts_from_values, verdict

CHINA = timezone(timedelta(hours=8))  # Asia/Shanghai, which has no daylight saving


def checkpoint_day(signed_at: int) -> date:
    """Return the registry's calendar day (China Standard Time) of a checkpoint's signing time."""
    return datetime.fromtimestamp(signed_at, CHINA).date()


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def fold_body(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a body's status, the day it got it and its approval's end, from its events in order."""
    status, since, valid_until = "approved", None, None
    for event in events:
        data = event.get("data") or {}
        state = data.get("state") or {}
        if "valid_until" in state:
            valid_until = state["valid_until"]
        if "approved_on" in state and since is None:
            since = state["approved_on"]
        if "status" in state and state["status"] != status:
            status = state["status"]
            since = data.get("on") or str(event.get("at", ""))[:10]
    return {"status": status, "status_changed_on": since, "valid_until": valid_until}


def effective_verdict(certificate: dict[str, Any], body: dict[str, Any], on: date) -> Verdict:
    """Return the effective status on `on` of a certificate state (folded events) issued by a body (fold_body).

    Raises ValueError when the certificate state lacks the dates the rule needs.
    """
    issued_on, expires_on = _day(certificate.get("issued_on")), _day(certificate.get("expires_on"))
    changed_on = _day(certificate.get("status_changed_on")) or issued_on
    if issued_on is None or expires_on is None or not certificate.get("status"):
        raise ValueError("the certificate's events do not carry its status and dates")
    ended = body["status"] in ("revoked", "withdrawn")
    facts = facts_from_values(
        status=certificate["status"], status_changed_on=changed_on, issued_on=issued_on, expires_on=expires_on,
        suspended_until=_day(certificate.get("suspended_until")), status_reason=certificate.get("status_reason"),
        body_status=body["status"], body_status_on=_day(body.get("status_changed_on")),
        body_valid_until=_day(body.get("valid_until")), grace_months=0 if ended else None)
    return verdict(facts, on)
