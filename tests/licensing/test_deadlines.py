"""Legal deadlines in Chinese working days over real holiday periods, and provisional years."""

from __future__ import annotations

from datetime import date

import pytest

from certbridge.licensing.deadlines import calendar_for, provisional_message, workday_deadline

D = date


@pytest.mark.parametrize(("start", "days", "due"), [
    # Spring Festival 2024: 10–17 Feb off; Sunday 4 Feb and Sunday 18 Feb worked; 9 Feb (除夕) a working day
    (D(2024, 2, 2), 7, D(2024, 2, 18)),
    (D(2024, 2, 8), 3, D(2024, 2, 19)),
    # National Day 2024: 1–7 Oct off; Sunday 29 Sep and Saturday 12 Oct worked
    (D(2024, 9, 27), 7, D(2024, 10, 12)),
    (D(2024, 9, 27), 20, D(2024, 10, 30)),
    # Spring Festival 2025: 28 Jan–4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked
    (D(2025, 1, 24), 7, D(2025, 2, 10)),
    (D(2025, 1, 20), 20, D(2025, 2, 21)),
    # National Day 2025: 1–8 Oct off; Sunday 28 Sep and Saturday 11 Oct worked
    (D(2025, 9, 26), 3, D(2025, 9, 30)),
    (D(2025, 9, 30), 3, D(2025, 10, 11)),
    # Spring Festival 2026: 15–23 Feb off; Saturday 14 Feb and Saturday 28 Feb worked
    (D(2026, 2, 13), 7, D(2026, 3, 2)),
    (D(2026, 2, 13), 20, D(2026, 3, 19)),
    # National Day 2026: 1–7 Oct off; Sunday 20 Sep and Saturday 10 Oct worked
    (D(2026, 9, 29), 7, D(2026, 10, 14)),
])
def test_deadlines_across_spring_festival_and_national_day(start, days, due):
    assert workday_deadline(calendar_for(), start, days).due_on == due


def test_a_deadline_never_lands_on_a_rest_day_and_counts_from_the_next_day():
    cal = calendar_for()
    assert workday_deadline(cal, D(2025, 1, 27), 1).due_on == D(2025, 2, 5)  # decided on the eve of the holiday
    assert workday_deadline(cal, D(2024, 10, 11), 1).due_on == D(2024, 10, 12)  # a make-up Saturday counts


def test_a_deadline_into_an_unconfigured_year_is_computed_and_provisional_in_both_languages():
    deadline = workday_deadline(calendar_for(), D(2026, 12, 25), 7)
    assert deadline.due_on == D(2027, 1, 6) and deadline.provisional and deadline.provisional_year == 2027
    zh, en = provisional_message(2027, "zh"), provisional_message(2027, "en")
    assert "暂定" in zh and "2027 年" in zh and "全国年节及纪念日放假办法" in zh
    assert "Provisional deadline" in en and "2027" in en
    official = workday_deadline(calendar_for(), D(2026, 11, 2), 20)
    assert official.due_on == D(2026, 11, 30) and not official.provisional and provisional_message(None) is None


def test_deadlines_into_2028_name_the_first_provisional_year():
    deadline = workday_deadline(calendar_for(), D(2026, 12, 30), 260)
    assert deadline.due_on.year == 2028 and deadline.provisional_year == 2027


def test_a_configured_override_year_is_used(tmp_path):
    path = tmp_path / "override.toml"
    path.write_text('[years.2027]\nholidays = ["2027-01-01", "2027-01-02", "2027-01-03"]\nworkdays = []\n',
                    encoding="utf-8")
    deadline = workday_deadline(calendar_for(path), D(2026, 12, 25), 7)
    assert deadline.due_on == D(2027, 1, 6) and not deadline.provisional  # the file is official for 2027
