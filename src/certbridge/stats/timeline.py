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


def segments(events: Iterable[dict[str, Any]], context, tail: list | None = None
             ) -> tuple[dict[str, Any], list[tuple[date, Facts]]]:
    """Return a certificate's last state and its segments (first day, facts), from its events in log order —
    continued from a stored `tail` (the last segment's first day and state, `fold_certificate`'s "tail") when given:
    the parts before it never change with later events, so only the tail and what follows are returned."""
    state: dict[str, Any] = {}
    out: list[tuple[date, Facts]] = []
    if tail is not None:
        state = dict(zip(TAIL_FIELDS, tail[1], strict=True))
        out.append((_day(tail[0]) or FIRST_DAY, facts_from_state(state, context)))
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


def runs_of(parts: list[tuple[date, Facts]], runs: list[tuple[date, str]] | None = None) -> list[tuple[date, str]]:
    """Return the runs (first day, label) of a certificate's segments, merging equal neighbours (after `runs`: those
    of the segments before these)."""
    runs = list(runs or [])
    for i, (start, facts) in enumerate(parts):
        end = parts[i + 1][0] if i + 1 < len(parts) else date.max
        points = {start} | {d for d in [facts.issued_on] + [c.first_day for c in due_changes(facts)] if start < d < end}
        for point in sorted(points):
            label = label_on(facts, point)
            if not runs or runs[-1][1] != label:
                runs.append((point, label))
    return runs


# The state fields a fold reads (facts_from_state, fold_certificate): what its "tail" keeps to continue from, as
# a list in this order (an absent field kept as None: every reader takes the two alike).
TAIL_FIELDS = ("status", "status_changed_on", "issued_on", "expires_on", "suspended_until", "status_reason",
               "body_id", "standard_id", "scheme_code", "organization_id")


def fold_certificate(events: Iterable[dict[str, Any]], context, scheme_kinds: dict[str, str],
                     resume: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a certificate's fold: its holder organization, dimensions, issue day, status runs, and its "tail" (the
    last segment's first day and the state fields it holds). With `resume` (a stored fold of the certificate's
    earlier events) only the later `events` are read: the same fold as from every event."""
    tail = resume.get("tail") if resume else None
    state, parts = segments(events, context, tail)
    if not parts:
        return {}
    before: list[tuple[date, str]] = []
    if tail is not None:
        # the runs of the segments before the tail's never change; nor do the tail segment's own before the next
        # segment's first day when the new events left its facts as they were (its verdicts are read again else)
        cut = tail[0]
        if len(parts) > 1 and parts[0][1] == facts_from_state(dict(zip(TAIL_FIELDS, tail[1])), context):
            cut, parts = parts[1][0].isoformat(), parts[1:]
        if cut is not None:
            before = [(_day(day) or FIRST_DAY, label) for day, label in resume["runs"] if day is None or day < cut]
    standard = context.standards.get(state.get("standard_id"), ("", None))[0] or ""
    return {
        "organization_id": state.get("organization_id"),
        "body_id": state.get("body_id"),
        "issued_on": state.get("issued_on"),
        "dims": certificate_dimensions(state, scheme_kinds, standard),
        "runs": [[None if day == FIRST_DAY else day.isoformat(), label] for day, label in runs_of(parts, before)],
        "tail": [None if parts[-1][0] == FIRST_DAY else parts[-1][0].isoformat(),
                 [state.get(k) for k in TAIL_FIELDS]],
    }


def certificate_dimensions(state: dict[str, Any], scheme_kinds: dict[str, str], standard: str) -> dict[str, str]:
    """Return the values a certificate is counted under, per dimension (add a dimension here and in DIMENSIONS)."""
    scheme = state.get("scheme_code") or ""
    return {"scheme": scheme, "type": scheme_kinds.get(scheme, ""), "standard": standard[:60],
            "body": str(state.get("body_id") or "")}
