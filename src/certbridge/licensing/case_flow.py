"""The licensing case state machine, declared once: who may take each action, from which states, to which state,
and the working-day limit of the step it opens (DOMAIN.md "Certification bodies and labs").

    draft ─submit→ submitted ─accept→ accepted ─assign_review→ in_review ─record_findings→ reviewed ─approve→ approved
                   │  │                 │  (告知承诺 / cancellation: approve at once)   │ ⇅ rectification         │
                   │  └request_correction→ correcting ─resubmit→ submitted                                 issue_licence
                   └reject→ rejected     refuse → refused                                               → licensed
    licensed (告知承诺) ─confirm_commitment→ licensed (verified) | revoke_commitment → revoked
    withdraw (the applicant): draft, submitted, correcting, accepted → withdrawn
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from certbridge.licensing.parameters import publicity_setting


@dataclass(frozen=True)
class Transition:
    """One action: its side (applicant | regulator), source states, target state and the limit it opens."""

    side: str
    sources: frozenset[str]
    target: str
    limit: str | None  # the publicity_setting key (working days) of the step it opens; None: no legal limit


def _t(side: str, sources: tuple[str, ...], target: str, limit: str | None) -> Transition:
    return Transition(side, frozenset(sources), target, limit)


TRANSITIONS: dict[str, Transition] = {
    "submit": _t("applicant", ("draft",), "submitted", "case_acceptance_workdays"),
    "resubmit": _t("applicant", ("correcting",), "submitted", "case_acceptance_workdays"),
    "withdraw": _t("applicant", ("draft", "submitted", "correcting", "accepted"), "withdrawn", None),
    "accept": _t("regulator", ("submitted",), "accepted", "case_decision_workdays"),
    "reject": _t("regulator", ("submitted",), "rejected", None),
    "request_correction": _t("regulator", ("submitted",), "correcting", None),
    "assign_review": _t("regulator", ("accepted",), "in_review", "case_review_workdays"),
    "request_rectification": _t("regulator", ("in_review",), "rectifying", "case_rectification_workdays"),
    "rectified": _t("applicant", ("rectifying",), "in_review", "case_review_workdays"),
    "record_findings": _t("regulator", ("in_review",), "reviewed", "case_decision_workdays"),
    "approve": _t("regulator", ("accepted", "reviewed"), "approved", "case_licence_workdays"),
    "refuse": _t("regulator", ("accepted", "reviewed"), "refused", None),
    "issue_licence": _t("regulator", ("approved",), "licensed", None),
    "confirm_commitment": _t("regulator", ("licensed",), "licensed", None),
    "revoke_commitment": _t("regulator", ("licensed",), "revoked", None),
}
STATES = ("draft", "submitted", "correcting", "accepted", "in_review", "rectifying", "reviewed", "approved",
          "licensed", "rejected", "refused", "withdrawn", "revoked")
OPEN_STATES = ("submitted", "correcting", "accepted", "in_review", "rectifying", "reviewed", "approved")
# Whose turn it is in each open state (the queue says who holds the case).
APPLICANT_TURN = ("draft", "correcting", "rectifying")
KINDS = ("application", "change", "renewal", "cancellation")
PROCEDURES = ("general", "commitment")
# 告知承诺 is offered for these kinds; a cancellation needs no review either way.
COMMITMENT_KINDS = ("application", "change", "renewal")


def allowed(case_state: str, action: str, *, procedure: str, kind: str, verified: bool = False) -> bool:
    """Tell whether an action may be taken on a case in a state (the table plus the procedure's rules)."""
    step = TRANSITIONS.get(action)
    if step is None or case_state not in step.sources:
        return False
    at_once = procedure == "commitment" or kind == "cancellation"
    if action == "approve" and case_state == "accepted":
        return at_once  # the general procedure approves only after its technical review
    if action == "assign_review":
        return not at_once
    if action in ("confirm_commitment", "revoke_commitment"):
        return procedure == "commitment" and not verified
    return True


def actions_for(case_state: str, side: str, *, procedure: str, kind: str, verified: bool = False) -> list[str]:
    """Return the actions one side may take on a case now, in the table's order."""
    return [name for name, step in TRANSITIONS.items() if step.side == side
            and allowed(case_state, name, procedure=procedure, kind=kind, verified=verified)]


def limit_workdays(session: Session, key: str) -> int:
    """Return a step's limit in working days (the stored rule, else the national default)."""
    return int(publicity_setting(session, key))
