"""Weights and thresholds of the risk signals, kept as data (`risk_parameter`, defaults from the migration)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.risk.models import RiskParameter

# signal, weight (points at the threshold), threshold, window in days, raises a warning alone
DEFAULTS = [
    ("complaints", 150, 3.0, 365, False),
    ("complaint_rate", 100, 5.0, 365, False),
    ("suspensions", 100, 3.0, 365, False),
    ("failed_checks", 200, 1.0, 730, False),
    ("penalties", 250, 1.0, 1095, False),
    ("issued_while_restricted", 400, 1.0, 1095, True),
    ("pace", 150, 3.0, 365, False),
    ("auditor_load", 150, 220.0, 365, False),
    ("short_audits", 200, 1.0, 730, True),
    ("double_booked", 400, 1.0, 730, True),
    ("late_report", 150, 1.0, 1095, False),  # annual reports filed late or missing (risk/disclosures.py)
    ("score", 0, 500.0, 0, True),  # a score at or above this raises a warning
]
CLASS_BANDS = ((250, "A"), (500, "B"), (750, "C"), (1000, "D"))


@dataclass(frozen=True)
class Parameter:
    """One signal's parameters as read from the table."""

    signal: str
    weight: int
    threshold: float
    window_days: int
    warn: bool


def load_parameters(session: Session) -> dict[str, Parameter]:
    """Return every parameter by signal (the defaults where the table has no row)."""
    found = {d[0]: Parameter(*d) for d in DEFAULTS}
    for row in session.scalars(select(RiskParameter)):
        found[row.signal] = Parameter(row.signal, row.weight, row.threshold, row.window_days, row.warn)
    return found


def risk_class(score: int) -> str:
    """Return the class A–D of a 0–1000 score (the credit bands of DOMAIN.md)."""
    return next(cls for bound, cls in CLASS_BANDS if score <= bound)


def set_parameter(session: Session, *, principal: Principal, signal: str, weight: int, threshold: float,
                  window_days: int, warn: bool) -> RiskParameter:
    """Change one signal's weight, threshold, window or warning flag (recorded in the log)."""
    require_regulator(principal)
    if signal not in {d[0] for d in DEFAULTS}:
        raise InvalidInput("risk.signal_unknown", field="signal", signal=signal)
    if not 0 <= weight <= 1000:
        raise InvalidInput("risk.weight_range", field="weight")
    if threshold <= 0:
        raise InvalidInput("risk.threshold_positive", field="threshold")
    if not 0 <= window_days <= 3650:
        raise InvalidInput("risk.window_range", field="window_days")
    row = session.get(RiskParameter, signal) or RiskParameter(signal=signal)
    row.weight, row.threshold, row.window_days, row.warn = weight, threshold, window_days, warn
    session.add(row)
    session.flush()
    record_event(session, type="risk.parameter_set", subject_type="risk_parameter", subject_id=signal,
                 actor=principal.actor, data={"state": {"weight": weight, "threshold": threshold,
                                                        "window_days": window_days, "warn": warn}})
    return row
