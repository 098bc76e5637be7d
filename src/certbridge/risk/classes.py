"""Risk classes for the spot-check draw: supervision asks, risk answers (supervision may import risk; never back).

A batch whose scope says `"risk": "weight"` draws each object in the higher of its credit class and its risk
class. The draw's inputs carry both lists and the rule, so the risk classes are committed to the log with the
inputs' digest before the seed is revealed, exactly like the credit classes, and `verify_export` checks that
every object's class follows from them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.risk.models import RiskScore

RULE = "max(credit, risk)"
BASE_CLASS = "A"  # a subject without a risk score has no signal


def risk_classes(session: Session, subject_type: str) -> dict[int, str]:
    """Return the risk class of every scored subject of a type (the rest are class A)."""
    return dict(session.execute(select(RiskScore.subject_id, RiskScore.risk_class)
                                .where(RiskScore.subject_type == subject_type)).all())


def weighted_class(credit_class: str, risk_class: str) -> str:
    """Return the class an object is drawn in: the higher risk of the two (A lowest, D highest)."""
    return max(credit_class, risk_class)
