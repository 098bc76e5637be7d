"""What one certificate's events fold to: the runs of its effective status, day by day (pure).

Each status event opens a segment from the day its status holds: the sweep's date-driven changes carry
`due_on` (the first day the new status holds), the other changes their `status_changed_on`. Within a segment
the certificate's facts are fixed, so its effective status — `effective_status.verdict`, the one rule — can
change only on its issue day and on the first day of a date-driven change; the verdict is read at each of
those breakpoints. The result is a short list of runs `[first day, label]`, label "valid" (the verdict says
valid), "pending" (issued later than that day) or the effective status (suspended, withdrawn, expired,
cancelled). A past date before the sweep ran is thus counted as the sweep will record it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from certbridge.certificates.effective_status import DEFAULT_GRACE_MONTHS, Facts, due_changes, verdict

FIRST_DAY = date.min  # the open start of a certificate's first segment
STATUS_FLOWS = ("suspended", "withdrawn", "expired", "cancelled")  # status changes counted in a period


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def facts_from_state(state: dict[str, Any], context) -> Facts:
    """Return a certificate's facts from its folded event state and the status context (bodies, standards)."""
    body_status, body_on, body_until = context.bodies.get(state.get("body_id"), ("approved", None, None))
    standard, deadline = context.standards.get(state.get("standard_id"), (None, None))
    return Facts(state["status"], _day(state["status_changed_on"]), _day(state["issued_on"]),
                 _day(state["expires_on"]), _day(state.get("suspended_until")), state.get("status_reason"),
                 body_status, body_on, body_until,
                 context.grace_months.get(state.get("scheme_code"), DEFAULT_GRACE_MONTHS), standard, deadline)


def label_on(facts: Facts, on: date) -> str:
    """Return what a certificate counts as on a day: valid, pending (not yet issued) or its effective status."""
    result = verdict(facts, on)
    if result.valid:
        return "valid"
    return "pending" if result.status == "valid" else result.status


def segments(events: Iterable[dict[str, Any]], context) -> tuple[dict[str, Any], list[tuple[date, Facts]]]:
    """Return a certificate's last state and its segments (first day, facts), from its events in log order."""
    state: dict[str, Any] = {}
    out: list[tuple[date, Facts]] = []
    for event in events:
        data = event.get("data") or {}
        change = data.get("state") or {}
        opens = bool(out) and "status" in change
        state = {**state, **change}
        if "status" not in state:
            continue
        facts = facts_from_state(state, context)
        if not out:
            out.append((FIRST_DAY, facts))
        elif opens:
            start = _day(data.get("due_on")) or _day(change.get("status_changed_on")) or out[-1][0]
            start = max(start, out[-1][0])
            if start == out[-1][0]:
                out[-1] = (start, facts)
            else:
                out.append((start, facts))
        else:
            out[-1] = (out[-1][0], facts)
    return state, out


def runs_of(parts: list[tuple[date, Facts]]) -> list[tuple[date, str]]:
    """Return the runs (first day, label) of a certificate's segments, merging equal neighbours."""
    runs: list[tuple[date, str]] = []
    for i, (start, facts) in enumerate(parts):
        end = parts[i + 1][0] if i + 1 < len(parts) else date.max
        points = {start} | {d for d in [facts.issued_on] + [c.first_day for c in due_changes(facts)] if start < d < end}
        for point in sorted(points):
            label = label_on(facts, point)
            if not runs or runs[-1][1] != label:
                runs.append((point, label))
    return runs


def fold_certificate(events: Iterable[dict[str, Any]], context, scheme_kinds: dict[str, str]) -> dict[str, Any]:
    """Return a certificate's fold: its holder organization, dimensions, issue day and status runs."""
    state, parts = segments(events, context)
    if not parts:
        return {}
    standard = context.standards.get(state.get("standard_id"), ("", None))[0] or ""
    return {
        "organization_id": state.get("organization_id"),
        "body_id": state.get("body_id"),
        "issued_on": state.get("issued_on"),
        "dims": certificate_dimensions(state, scheme_kinds, standard),
        "runs": [[None if day == FIRST_DAY else day.isoformat(), label] for day, label in runs_of(parts)],
    }


def certificate_dimensions(state: dict[str, Any], scheme_kinds: dict[str, str], standard: str) -> dict[str, str]:
    """Return the values a certificate is counted under, per dimension (add a dimension here and in DIMENSIONS)."""
    scheme = state.get("scheme_code") or ""
    return {"scheme": scheme, "type": scheme_kinds.get(scheme, ""), "standard": standard[:60],
            "body": str(state.get("body_id") or "")}
