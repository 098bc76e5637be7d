"""A certificate's effective status on a date, with the reasons for it: the one place that decides.

The recorded row says what the last event made of the certificate. What holds on a given day also depends on
dates — its end date, the end of a suspension, its standard's transition deadline, the end of the grace period
after its body's approval was revoked — and on facts beside it (its body, its holder's identity checks). The
pure function `verdict(facts, on)` turns all of that into one answer, used by every surface (verification,
search filters, pages, tokens, receipts, exports, the API) and by the sweep that records the date-driven
changes as events, so a page read before the sweep says what the sweep will write. `effective_status_sql`
is the same rule as a SQL expression for list filters; a property test keeps the two in agreement.

Reasons are message codes `effective.<code>` with parameters (see docs/effective-status.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from certbridge.kit.dates import add_months

OPEN_STATUSES = ("valid", "suspended")  # the statuses dates can still change
ENDED_BODY_STATUSES = ("revoked", "withdrawn")  # approvals whose certificates run out after a grace period
DEFAULT_GRACE_MONTHS = 3  # DOMAIN.md: three months after the body's revocation (configurable per scheme)
HOLDER_FLAG_CODES = {"dishonesty_list": "holder_dishonesty_list", "permanent_exit": "holder_permanent_exit"}
# Codes that explain a status other than valid (the rest are warnings on a certificate that may still be valid).
STATUS_CODES = frozenset({"expired", "standard_transition_over", "suspended", "suspension_not_corrected",
                          "withdrawn", "cancelled", "body_revoked_grace_over", "body_withdrawn_grace_over",
                          "not_yet_in_force"})
# What the sweep writes as the status reason of each date-driven change.
SWEEP_REASONS = {"expired": "validity_ended", "standard_transition_over": "standard_transition_ended",
                 "suspension_not_corrected": "suspension_not_corrected",
                 "body_revoked_grace_over": "body_revoked", "body_withdrawn_grace_over": "body_revoked"}


class Facts(NamedTuple):
    """Everything a certificate's effective status depends on (dates as `date`).

    Named tuples, here and below: the verification answers build one per certificate on the hot path.
    """

    status: str
    status_changed_on: date
    issued_on: date
    expires_on: date
    suspended_until: date | None = None
    status_reason: str | None = None
    body_status: str = "approved"
    body_status_on: date | None = None  # when the body's approval got its current status
    body_valid_until: date | None = None
    grace_months: int = DEFAULT_GRACE_MONTHS  # the scheme's grace after a body's revocation
    standard: str | None = None  # "GB/T 19001-2016", for the reasons' text
    standard_deadline: date | None = None  # the standard version's transition deadline
    uscc: str | None = None
    uscc_needs_check: bool = False
    holder_flags: tuple[str, ...] = ()


class Reason(NamedTuple):
    """One reason a verdict carries: a message code (`effective.<code>`) and its parameters."""

    code: str
    params: dict[str, Any] = {}  # never mutated

    def as_dict(self) -> dict[str, Any]:
        """Return the reason as JSON-ready data."""
        return {"code": self.code, "params": dict(self.params)}


class Change(NamedTuple):
    """A date-driven change due on a certificate: the status it leads to, recorded on `on`, for `code`."""

    status: str
    on: date
    code: str
    first_day: date  # the first day the new status holds


class Verdict(NamedTuple):
    """The effective status on a date, whether that is valid for every public purpose, and why."""

    status: str
    valid: bool
    since: date
    status_reason: str | None
    reasons: tuple[Reason, ...]
    due: Change | None = None  # a date-driven change the sweep has not recorded yet

    def codes(self) -> list[str]:
        """Return the reason codes, in order."""
        return [r.code for r in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        """Return the verdict as JSON-ready data."""
        return {"status": self.status, "valid": self.valid, "since": self.since.isoformat(),
                "reasons": [r.as_dict() for r in self.reasons]}


def _day(value: Any) -> date | None:
    """Return a date from a date or ISO text (SQLite hands dates back as text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def grace_end(facts: Facts) -> date | None:
    """Return the first day a revoked or withdrawn body's certificates are no longer valid, or None."""
    if facts.body_status not in ENDED_BODY_STATUSES:
        return None
    start = facts.body_status_on or facts.status_changed_on
    return add_months(start, max(facts.grace_months, 0))


def due_changes(facts: Facts) -> list[Change]:
    """Return the date-driven changes a certificate in an open status is heading for, earliest first."""
    if facts.status not in OPEN_STATUSES:
        return []
    one = timedelta(days=1)
    changes = []
    if facts.status == "suspended" and facts.suspended_until is not None:
        changes.append(Change("withdrawn", facts.suspended_until, "suspension_not_corrected",
                              facts.suspended_until + one))
    changes.append(Change("expired", facts.expires_on, "expired", facts.expires_on + one))
    if facts.standard_deadline is not None:
        changes.append(Change("expired", facts.standard_deadline, "standard_transition_over",
                              facts.standard_deadline + one))
    end = grace_end(facts)
    if end is not None:
        code = "body_revoked_grace_over" if facts.body_status == "revoked" else "body_withdrawn_grace_over"
        changes.append(Change("withdrawn", end, code, end))
    # Earliest first; on the same day, the order above (suspension, expiry, standard, body) decides (stable sort).
    changes.sort(key=lambda c: c.first_day)
    return changes


def due_change(facts: Facts, on: date) -> Change | None:
    """Return the date-driven change that has taken effect by `on` and is not recorded yet, or None."""
    for change in due_changes(facts):
        return change if change.first_day <= on else None
    return None


def plainly_valid(status, body_status, standard_deadline, uscc_needs_check, holder_flags, issued_on, expires_on,
                  body_valid_until, on) -> bool:
    """Tell whether a certificate is valid on `on` with nothing due and nothing to say (most answers).

    `verdict`'s fast path, callable on raw column values before any conversion: the dates and `on` must all be
    dates, or all ISO text (which orders the same way).
    """
    return (status == "valid" and body_status == "approved" and standard_deadline is None and not uscc_needs_check
            and not holder_flags and issued_on <= on <= expires_on and (body_valid_until is None or on <= body_valid_until))


FINAL_STATUSES = ("expired", "withdrawn", "cancelled")
_OWN_REASON_EXCEPTIONS = ("standard_transition_ended", "suspension_not_corrected", "body_revoked")


def plainly_final(status, status_reason, uscc_needs_check, holder_flags) -> bool:
    """Tell whether a certificate ended for its own reason with nothing else to say (`verdict`'s second fast path).

    Its verdict is then its recorded status, since its recorded date, with the one reason `final_reason` gives.
    """
    return (status in FINAL_STATUSES and status_reason not in _OWN_REASON_EXCEPTIONS and not uscc_needs_check
            and not holder_flags)


def final_reason(status: str, since: str, status_reason: str | None) -> dict[str, Any]:
    """Return the reason (as data) of a plainly final certificate, `since` as ISO text."""
    if status == "expired":
        return {"code": "expired", "params": {"date": since}}
    return {"code": status, "params": {"date": since, "reason": status_reason or ""}}


def verdict(facts: Facts, on: date) -> Verdict:
    """Return the certificate's effective status on a date with every reason (the one rule; pure)."""
    if plainly_valid(facts.status, facts.body_status, facts.standard_deadline, facts.uscc_needs_check,
                     facts.holder_flags, facts.issued_on, facts.expires_on, facts.body_valid_until, on):
        return Verdict("valid", True, facts.status_changed_on, facts.status_reason, ())
    if plainly_final(facts.status, facts.status_reason, facts.uscc_needs_check, facts.holder_flags):
        reason = final_reason(facts.status, facts.status_changed_on.isoformat(), facts.status_reason)
        return Verdict(facts.status, False, facts.status_changed_on, facts.status_reason,
                       (Reason(reason["code"], reason["params"]),))
    change = due_change(facts, on)
    if change is not None:
        status, since = change.status, max(change.on, facts.status_changed_on)
        status_reason = SWEEP_REASONS[change.code]
    else:
        status, since, status_reason = facts.status, facts.status_changed_on, facts.status_reason
    reasons: list[Reason] = []
    std = None if facts.standard_deadline is None else {"standard": facts.standard or "",
                                                        "deadline": facts.standard_deadline.isoformat()}
    if change is not None:
        if change.code == "expired":
            reasons.append(Reason("expired", {"date": facts.expires_on.isoformat()}))
        elif change.code == "standard_transition_over":
            reasons.append(Reason("standard_transition_over", std))
        elif change.code == "suspension_not_corrected":
            reasons.append(Reason("suspension_not_corrected", {"date": change.on.isoformat()}))
    elif status == "expired":
        reasons.append(Reason("standard_transition_over", std or {"standard": facts.standard or "", "deadline": ""})
                       if facts.status_reason == "standard_transition_ended"
                       else Reason("expired", {"date": since.isoformat()}))
    elif status == "withdrawn" and facts.status_reason == "suspension_not_corrected":
        reasons.append(Reason("suspension_not_corrected", {"date": since.isoformat()}))
    elif status == "withdrawn" and facts.status_reason == "body_revoked" and grace_end(facts) is not None:
        pass  # the body's reason below says why
    elif status in ("suspended", "withdrawn", "cancelled"):
        params = {"date": since.isoformat(), "reason": status_reason or ""}
        if status == "suspended":
            params["until"] = facts.suspended_until.isoformat() if facts.suspended_until else ""
        reasons.append(Reason(status, params))
    valid = status == "valid" and facts.issued_on <= on
    if status == "valid" and not valid:
        reasons.append(Reason("not_yet_in_force", {"date": facts.issued_on.isoformat()}))
    reasons += _body_reasons(facts, on, status, status_reason)
    if facts.standard_deadline is not None and status in OPEN_STATUSES and on <= facts.standard_deadline:
        reasons.append(Reason("standard_superseded", std))
    if facts.uscc_needs_check:
        reasons.append(Reason("uscc_unverified", {"uscc": facts.uscc or ""}))
    reasons += [Reason(HOLDER_FLAG_CODES[k]) for k in dict.fromkeys(facts.holder_flags) if k in HOLDER_FLAG_CODES]
    return Verdict(status, valid, since, status_reason, tuple(reasons), change)


def _body_reasons(facts: Facts, on: date, status: str, status_reason: str | None) -> list[Reason]:
    """Return what the issuing body's approval adds to a verdict."""
    by_body = status == "withdrawn" and status_reason == "body_revoked"  # the sweep's withdrawal (due or recorded)
    if status not in OPEN_STATUSES and not by_body:
        return []  # ended for its own reasons: the body's approval changes nothing more
    when = facts.body_status_on.isoformat() if facts.body_status_on else ""
    end = grace_end(facts)
    if end is not None:
        kind = "revoked" if facts.body_status == "revoked" else "withdrawn"
        last = (end - timedelta(days=1)).isoformat()
        over = on >= end or by_body
        return [Reason(f"body_{kind}_grace_over" if over else f"body_{kind}", {"date": when, "until": last})]
    if facts.body_status == "suspended":
        return [Reason("body_suspended", {"date": when})]
    if facts.body_valid_until is not None and on > facts.body_valid_until:
        return [Reason("body_approval_lapsed", {"date": facts.body_valid_until.isoformat()})]
    return []


def facts_of(cert, body, org=None, standard=None, scheme=None, holder_flags=()) -> Facts:
    """Return the facts of loaded ORM objects (certificate, body, organization, standard, scheme)."""
    return Facts(
        status=cert.status, status_changed_on=cert.status_changed_on, issued_on=cert.issued_on,
        expires_on=cert.expires_on, suspended_until=cert.suspended_until, status_reason=cert.status_reason,
        body_status=body.status, body_status_on=getattr(body, "status_changed_on", None),
        body_valid_until=body.valid_until,
        grace_months=scheme.body_revoked_grace_months if scheme is not None else DEFAULT_GRACE_MONTHS,
        standard=f"{standard.code}-{standard.version}" if standard is not None else None,
        standard_deadline=standard.transition_deadline if standard is not None else None,
        uscc=org.uscc if org is not None else None, uscc_needs_check=bool(org.uscc_needs_check) if org else False,
        holder_flags=tuple(holder_flags),
    )


def facts_from_values(*, status, status_changed_on, issued_on, expires_on, suspended_until=None, status_reason=None,
                      body_status="approved", body_status_on=None, body_valid_until=None, grace_months=None,
                      standard=None, standard_deadline=None, uscc=None, uscc_needs_check=False,
                      holder_flags=()) -> Facts:
    """Return facts from plain column values (dates as dates or ISO text), as statements hand them back."""
    return Facts(status, _day(status_changed_on), _day(issued_on), _day(expires_on), _day(suspended_until),
                 status_reason, body_status, _day(body_status_on), _day(body_valid_until),
                 DEFAULT_GRACE_MONTHS if grace_months is None else grace_months, standard, _day(standard_deadline),
                 uscc, bool(uscc_needs_check), tuple(holder_flags))


__all__ = ["Facts", "Reason", "Change", "Verdict", "verdict", "plainly_valid", "plainly_final", "final_reason", "due_change", "due_changes", "grace_end", "facts_of",
           "facts_from_values", "STATUS_CODES", "SWEEP_REASONS", "OPEN_STATUSES", "ENDED_BODY_STATUSES",
           "DEFAULT_GRACE_MONTHS"]
