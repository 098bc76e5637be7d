"""Publicity rules stored as data (DOMAIN.md "configurable"): deadlines and publication periods."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.ledger.journal import record_event
from certbridge.licensing.models import PublicitySetting
from certbridge.policy import require_regulator
from certbridge.principal import Principal

# The national defaults (DOMAIN.md "双公示" and "Credit"); the migration seeds them as rows.
PUBLICITY_DEFAULTS: dict[str, Any] = {
    "licensing_publication_workdays": 7,
    "penalty_publication_workdays": 7,
    "penalty_publication_workdays_samr": 20,
    "withdrawal_workdays": 3,
    "penalty_public_years": 3,
    "penalty_minor_public_months": 3,
    "repair_wait_months": {"general": 6, "food": 12, "drugs": 12, "special_equipment": 12},
    # Licensing case limits (licensing/case_flow.py), working days; the commitment check in months.
    "case_acceptance_workdays": 5,
    "case_review_workdays": 45,
    "case_rectification_workdays": 30,
    "case_decision_workdays": 20,
    "case_licence_workdays": 10,
    "commitment_check_months": 3,
}
_RANGES = {
    "licensing_publication_workdays": (1, 60), "penalty_publication_workdays": (1, 60),
    "penalty_publication_workdays_samr": (1, 60), "withdrawal_workdays": (1, 30),
    "penalty_public_years": (1, 10), "penalty_minor_public_months": (1, 36),
    "case_acceptance_workdays": (1, 60), "case_review_workdays": (1, 120), "case_rectification_workdays": (1, 120),
    "case_decision_workdays": (1, 60), "case_licence_workdays": (1, 60), "commitment_check_months": (1, 24),
}


def publicity_setting(session: Session, key: str) -> Any:
    """Return a publicity rule's value (the stored row, else the national default)."""
    row = session.get(PublicitySetting, key)
    return row.value if row is not None else PUBLICITY_DEFAULTS[key]


def set_publicity_setting(session: Session, *, principal: Principal, key: str, value: Any) -> PublicitySetting:
    """Change one publicity rule (regulators)."""
    require_regulator(principal)
    if key not in PUBLICITY_DEFAULTS:
        raise InvalidInput("setting.unknown", field="key", key=key)
    if key in _RANGES:
        low, high = _RANGES[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput("field.range", field=key, min=low, max=high)
    elif key == "repair_wait_months":
        if not isinstance(value, dict) or set(value) != set(PUBLICITY_DEFAULTS[key]) or not all(
                isinstance(v, int) and 1 <= v <= 60 for v in value.values()):
            raise InvalidInput("setting.repair_wait_shape", field=key,
                               sectors=", ".join(PUBLICITY_DEFAULTS[key]))
    return store_parameter(session, PublicitySetting, principal=principal, key=key, value=value)


def store_parameter(session: Session, table: type, *, principal: Principal, key: str, value: Any) -> Any:
    """Store one checked rule-table value (a key/value row of `table`) and record `<table>.changed` in the log.

    Every rule table (publicity deadlines here, credit bands and points in credit.parameters) is changed
    through this one function, so each change lands the same way with the same event.
    """
    row = session.get(table, key)
    if row is None:
        row = table(key=key, value=value)
        session.add(row)
    else:
        row.value = value
    session.flush()
    name = table.__tablename__
    record_event(session, type=f"{name}.changed", subject_type=name, subject_id=key, actor=principal.actor,
                 data={"state": {"value": value}})
    return row
