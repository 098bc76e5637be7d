"""The effective-status rule on its own (pure), and its SQL date arithmetic against kit.dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import literal, select

from certbridge.certificates.effective_status import Facts, verdict
from certbridge.certificates.effective_status_sql import add_months_sql, day_after
from certbridge.db import read_session
from certbridge.kit.dates import add_months

ISSUED, END = date(2024, 1, 10), date(2027, 1, 9)


def facts(**kw) -> Facts:
    base = {"status": "valid", "status_changed_on": ISSUED, "issued_on": ISSUED, "expires_on": END}
    return Facts(**{**base, **kw})


def test_valid_through_the_last_day_expired_the_day_after():
    assert verdict(facts(), END).valid is True
    after = verdict(facts(), END + timedelta(days=1))
    assert (after.status, after.valid, after.since, after.status_reason) == ("expired", False, END, "validity_ended")
    assert after.codes() == ["expired"] and after.due is not None


def test_not_yet_in_force_before_the_issue_date():
    early = verdict(facts(), ISSUED - timedelta(days=1))
    assert (early.status, early.valid, early.codes()) == ("valid", False, ["not_yet_in_force"])


def test_the_earliest_change_wins():
    # suspended until a day before the end date: withdrawn (not corrected), not expired, even read much later
    f = facts(status="suspended", status_changed_on=date(2026, 10, 1), suspended_until=END - timedelta(days=1))
    late = verdict(f, END + timedelta(days=300))
    assert (late.status, late.since, late.codes()) == ("withdrawn", END - timedelta(days=1),
                                                       ["suspension_not_corrected"])
    # a standard deadline before the end date: lapsed at the deadline
    lapsed = verdict(facts(standard="GB/T 1-2016", standard_deadline=date(2025, 10, 31)), END + timedelta(days=5))
    assert (lapsed.status, lapsed.since, lapsed.codes()[0]) == ("expired", date(2025, 10, 31),
                                                                "standard_transition_over")
    # on the same first day, the suspension's end comes before the expiry
    same = verdict(facts(status="suspended", suspended_until=END), END + timedelta(days=1))
    assert same.status == "withdrawn"


def test_grace_period_after_a_revocation_is_data():
    revoked = date(2026, 3, 31)
    for months, last_valid in ((3, date(2026, 6, 29)), (0, None), (1, date(2026, 4, 29))):
        f = facts(body_status="revoked", body_status_on=revoked, grace_months=months)
        if last_valid is not None:
            inside = verdict(f, last_valid)
            assert inside.valid and inside.codes() == ["body_revoked"]
            assert inside.reasons[0].params == {"date": "2026-03-31", "until": last_valid.isoformat()}
        first_day = add_months(revoked, months)
        over = verdict(f, first_day)
        assert (over.status, over.valid, over.codes(), over.status_reason) == (
            "withdrawn", False, ["body_revoked_grace_over"], "body_revoked")


def test_warnings_never_change_the_status():
    f = facts(body_status="suspended", body_status_on=date(2026, 1, 1), uscc="91350100M000100Y4Z",
              uscc_needs_check=True, holder_flags=("dishonesty_list",),
              standard="GB/T 1-2016", standard_deadline=date(2026, 12, 31))
    result = verdict(f, date(2026, 6, 1))
    assert result.valid and result.codes() == ["body_suspended", "standard_superseded", "uscc_unverified",
                                               "holder_dishonesty_list"]


def test_final_statuses_stay_and_keep_their_own_reason():
    for status in ("withdrawn", "cancelled"):
        result = verdict(facts(status=status, status_changed_on=date(2025, 5, 5), status_reason="测试",
                               body_status="revoked", body_status_on=date(2024, 6, 1)), date(2030, 1, 1))
        assert (result.status, result.codes()) == (status, [status])
        assert result.reasons[0].params["date"] == "2025-05-05" and result.due is None


@pytest.mark.parametrize("day, months", [(date(2024, 1, 31), 1), (date(2023, 1, 31), 1), (date(2024, 2, 29), 12),
                                         (date(2024, 8, 31), 3), (date(2024, 12, 31), 2), (date(2025, 3, 15), 0),
                                         (date(2024, 11, 30), 3), (date(2024, 10, 31), 4)])
def test_sql_month_arithmetic_is_kit_dates(sessions, day, months):
    with read_session(sessions) as session:
        got, after = session.execute(select(add_months_sql(literal(day), literal(months)),
                                            day_after(literal(day)))).one()
    as_date = (lambda v: v if isinstance(v, date) else date.fromisoformat(v))
    assert as_date(got) == add_months(day, months) and as_date(after) == day + timedelta(days=1)
