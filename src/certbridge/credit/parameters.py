"""Credit rules stored as data (DOMAIN.md "configurable"): bands, points, decay, list durations."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from certbridge.credit.models import CreditSetting
from certbridge.errors import InvalidInput
from certbridge.licensing.parameters import store_parameter
from certbridge.policy import require_regulator
from certbridge.principal import Principal

CLASSES = ("A", "B", "C", "D")

# National defaults; the migration seeds them as rows a regulator can change.
CREDIT_DEFAULTS: dict[str, Any] = {
    # risk score 0–1000 → class (DOMAIN.md: A 0–250, B 251–500, C 501–750, D 751–1000)
    "bands": {"A": [0, 250], "B": [251, 500], "C": [501, 750], "D": [751, 1000]},
    # a subject with no entries scores this (class B, "general")
    "base_score": 300,
    # points each fact adds to the score (negative: lowers the risk)
    "points": {
        "penalty": 200, "penalty_minor": 50,
        "check_passed": -100, "check_corrected": 100, "check_pending_follow_up": 200,
        "check_refused_serious": 400, "check_unreachable": 300, "check_no_activity": 0,
        "certificate_suspended": 80, "certificate_withdrawn": 250, "complaint_upheld": 80,
        "body_suspended": 300, "body_revoked": 600, "person_barred": 600, "dishonesty_listed": 500,
    },
    # a fact counts fully for full_months, then with later_weight until until_months, then not at all
    "decay": {"full_months": 12, "until_months": 36, "later_weight": 0.5},
    # a subject on the serious-dishonesty list is at least this class
    "listed_class": "D",
    "dishonesty_list_years": 3,
    "early_removal_min_years": 1,
    "person_bar_years": 5,
}


def credit_setting(session: Session, key: str) -> Any:
    """Return a credit rule's value (the stored row, else the national default)."""
    row = session.get(CreditSetting, key)
    return row.value if row is not None else CREDIT_DEFAULTS[key]


def _check_bands(value: Any) -> None:
    if not isinstance(value, dict) or sorted(value) != list(CLASSES):
        raise InvalidInput("credit.bands_shape", field="bands")
    expected_low = 0
    for cls in CLASSES:
        low, high = value[cls] if isinstance(value[cls], list) and len(value[cls]) == 2 else (None, None)
        if low != expected_low or not isinstance(high, int) or high < low:
            raise InvalidInput("credit.bands_gap", field="bands", credit_class=cls, low=expected_low)
        expected_low = high + 1
    if expected_low != 1001:
        raise InvalidInput("credit.bands_gap", field="bands", credit_class="D", low=1000)


def _check_value(key: str, value: Any) -> None:
    default = CREDIT_DEFAULTS[key]
    if key == "bands":
        _check_bands(value)
    elif key == "points":
        if not isinstance(value, dict) or set(value) - set(default) or not all(
                isinstance(v, int) and -1000 <= v <= 1000 for v in value.values()):
            raise InvalidInput("credit.points_shape", field="points", kinds=", ".join(sorted(default)))
    elif key == "decay":
        ok = isinstance(value, dict) and set(value) == set(default)
        ok = ok and 0 < value["full_months"] <= value["until_months"] <= 120 and 0 <= value["later_weight"] <= 1
        if not ok:
            raise InvalidInput("credit.decay_shape", field="decay")
    elif key == "listed_class":
        if value not in CLASSES:
            raise InvalidInput("credit.class_unknown", field="listed_class", value=value)
    elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
        raise InvalidInput("field.range", field=key, min=0, max=1000)


def set_credit_setting(session: Session, *, principal: Principal, key: str, value: Any) -> CreditSetting:
    """Change one credit rule (regulators); takes effect at the next recompute."""
    require_regulator(principal)
    if key not in CREDIT_DEFAULTS:
        raise InvalidInput("setting.unknown", field="key", key=key)
    if key == "points" and isinstance(value, dict):
        value = {**credit_setting(session, "points"), **value}
    _check_value(key, value)
    return store_parameter(session, CreditSetting, principal=principal, key=key, value=value)


def class_for_score(bands: dict[str, list[int]], score: int) -> str:
    """Map a 0–1000 score to its class under the configured bands."""
    for cls in CLASSES:
        low, high = bands[cls]
        if low <= score <= high:
            return cls
    return "D"
