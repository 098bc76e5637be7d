import datetime as dt
import tomllib
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from certbridge.kit.workdays import (
    DEFAULT_OVERRIDES_PATH,
    WorkdayCalendar,
    WorkdayCalendarError,
    YearNotice,
    parse_notice,
)

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return WorkdayCalendar()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "override.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- real schedules, as published by the State Council (国办发明电〔2023〕7号, 〔2024〕12号, 2025-11-04)


@pytest.mark.parametrize(
    ("first", "last", "makeup"),
    [
        (D(2024, 2, 10), D(2024, 2, 17), [D(2024, 2, 4), D(2024, 2, 18)]),
        (D(2025, 1, 28), D(2025, 2, 4), [D(2025, 1, 26), D(2025, 2, 8)]),
        (D(2026, 2, 15), D(2026, 2, 23), [D(2026, 2, 14), D(2026, 2, 28)]),
    ],
    ids=["2024", "2025", "2026"],
)
def test_spring_festival(cal, first, last, makeup):
    day = first
    while day <= last:
        assert not cal.is_workday(day), day
        day += dt.timedelta(days=1)
    for day in makeup:
        assert day.weekday() >= 5
        assert cal.is_workday(day), day
    assert cal.holiday_name(first) == "春节"


def test_2024_new_years_eve_was_only_encouraged_rest_so_it_is_a_workday(cal):
    assert cal.is_workday(D(2024, 2, 9))


@pytest.mark.parametrize(
    ("first", "last", "makeup"),
    [
        (D(2024, 10, 1), D(2024, 10, 7), [D(2024, 9, 29), D(2024, 10, 12)]),
        (D(2025, 10, 1), D(2025, 10, 8), [D(2025, 9, 28), D(2025, 10, 11)]),
        (D(2026, 10, 1), D(2026, 10, 7), [D(2026, 9, 20), D(2026, 10, 10)]),
    ],
    ids=["2024", "2025", "2026"],
)
def test_national_day(cal, first, last, makeup):
    day = first
    while day <= last:
        assert not cal.is_workday(day), day
        day += dt.timedelta(days=1)
    for day in makeup:
        assert day.weekday() >= 5
        assert cal.is_workday(day), day
    assert cal.is_workday(last + dt.timedelta(days=1))


def test_named_make_up_weekends(cal):
    assert D(2024, 10, 12).strftime("%A") == "Saturday" and cal.is_workday(D(2024, 10, 12))
    assert D(2025, 9, 28).strftime("%A") == "Sunday" and cal.is_workday(D(2025, 9, 28))
    assert not cal.is_workday(D(2025, 9, 27))  # the Saturday before it is an ordinary weekend


def test_ordinary_weekdays_and_weekends(cal):
    assert cal.is_workday(D(2025, 3, 12))  # Wednesday
    assert not cal.is_workday(D(2025, 3, 15))  # Saturday


def test_twenty_working_days_across_national_day_2025(cal):
    # Decision on Thursday 2025-09-25 → counting starts Friday 09-26. Working days: 09-26, 09-28 (Sun,
    # make-up), 09-29, 09-30 = 4; 10-01..10-08 are holidays; 10-09, 10-10, 10-11 (Sat, make-up) = 7;
    # 10-13..17 = 12; 10-20..24 = 17; 10-27, 28, 29 = 20.
    assert cal.add_workdays(D(2025, 9, 25), 20) == D(2025, 10, 29)
    # Without the holidays it would have been 2025-10-23: the calendar matters.
    assert cal.workdays_between(D(2025, 9, 25), D(2025, 10, 29)) == 20


def test_seven_working_days_from_the_friday_before_spring_festival_2025(cal):
    # Friday 2025-01-24. Working days: 01-26 (Sun, make-up), 01-27; 01-28..02-04 holidays;
    # 02-05, 02-06, 02-07, 02-08 (Sat, make-up), 02-10 = 7.
    assert cal.add_workdays(D(2025, 1, 24), 7) == D(2025, 2, 10)


def test_counting_starts_the_day_after_the_act(cal):
    monday = D(2025, 3, 10)
    assert cal.add_workdays(monday, 1) == D(2025, 3, 11)
    assert cal.add_workdays(monday, 0) == monday


def test_a_deadline_never_lands_on_a_rest_day(cal):
    # Friday 2024-09-27 + 1 working day skips the weekend... but 09-29 (Sun) is a make-up workday.
    assert cal.add_workdays(D(2024, 9, 27), 1) == D(2024, 9, 29)
    # Thursday 2024-09-26 + 4 → 09-27, 09-29, 09-30, then the holiday, then 10-08.
    assert cal.add_workdays(D(2024, 9, 26), 4) == D(2024, 10, 8)


def test_next_workday_and_roll_forward(cal):
    assert cal.next_workday(D(2025, 9, 30)) == D(2025, 10, 9)
    assert cal.next_workday(D(2025, 3, 10)) == D(2025, 3, 11)
    assert cal.roll_forward(D(2025, 3, 10)) == D(2025, 3, 10)
    # Monthly report due on the 10th: 2026-10-10 is a Saturday make-up day, so it stays.
    assert cal.roll_forward(D(2026, 10, 10)) == D(2026, 10, 10)
    assert cal.roll_forward(D(2025, 10, 5)) == D(2025, 10, 9)


def test_negative_counts_go_backwards(cal):
    assert cal.add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert cal.workdays_between(D(2025, 10, 9), D(2025, 9, 30)) == -1


def test_datetimes_are_refused(cal):
    with pytest.raises(TypeError):
        cal.is_workday(dt.datetime(2025, 3, 10, 12))


@given(
    start=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 10, 1)),
    n=st.integers(min_value=0, max_value=45),
)
def test_add_and_between_agree(start, n):
    cal = _shared_calendar()
    end = cal.add_workdays(start, n)
    assert cal.workdays_between(start, end) == n
    if n:
        assert cal.is_workday(end)


def test_agrees_with_chinese_calendar_on_every_covered_day():
    cal = WorkdayCalendar(None)
    day = D(2004, 1, 1)
    while day.year <= 2026:
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


_CACHE: list[WorkdayCalendar] = []


def _shared_calendar() -> WorkdayCalendar:
    if not _CACHE:
        _CACHE.append(WorkdayCalendar())
    return _CACHE[0]


# -- unconfigured years and the override file


def test_a_year_nobody_configured_is_provisional_not_an_error(cal):
    # 2027: no package data, no override, no notice. Statutory days off, weekends off, nothing else.
    assert cal.year_source(2027) == "provisional" and cal.is_provisional(2027)
    assert cal.year_source(2026) == "package" and not cal.is_provisional(2026)
    assert not cal.is_workday(D(2027, 1, 1))  # 元旦, a Friday
    assert cal.is_workday(D(2027, 2, 4))  # the Thursday before 除夕 (2027-02-05)
    assert [cal.is_workday(D(2027, 2, d)) for d in range(5, 10)] == [False, False, False, False, True]
    assert cal.holiday_name(D(2027, 2, 5)) == "春节"
    assert not cal.is_workday(D(2027, 4, 5))  # 清明, a Monday
    assert not cal.is_workday(D(2027, 10, 1)) and cal.is_workday(D(2027, 10, 4))  # no 7-day week without a notice


def test_a_provisional_year_has_no_make_up_days_and_does_not_move_weekend_holidays(cal):
    # 2027-05-01 and 05-02 are Saturday and Sunday: without the notice nothing is moved to Monday.
    assert cal.is_workday(D(2027, 5, 3))
    assert all(not cal.is_workday(d) for d in (D(2027, 2, 6), D(2027, 2, 13)))  # weekends stay off


def test_a_count_that_runs_into_an_unconfigured_year_goes_on_and_names_it(cal):
    due = cal.add_workdays(D(2026, 12, 25), 20)
    assert due == D(2027, 1, 25)  # Dec 28–31 (4), 1 Jan off, then 16 working days in January
    assert cal.provisional_years(D(2026, 12, 25), due) == [2027]
    assert cal.provisional_years(D(2026, 1, 5), D(2026, 12, 1)) == []
    assert cal.add_workdays(D(2027, 12, 20), 20) > D(2028, 1, 1)
    assert cal.provisional_years(D(2027, 12, 20), cal.add_workdays(D(2027, 12, 20), 20)) == [2027, 2028]


def test_an_entered_notice_replaces_the_provisional_year():
    notice = YearNotice(holidays=frozenset({D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3), D(2027, 5, 3)}),
                        workdays=frozenset({D(2027, 1, 9)}), names={D(2027, 5, 3): "劳动节"})
    cal = WorkdayCalendar(notices={2027: notice})
    assert cal.year_source(2027) == "notice" and cal.provisional_years(D(2026, 12, 1), D(2027, 3, 1)) == []
    assert not cal.is_workday(D(2027, 5, 3)) and cal.is_workday(D(2027, 1, 9))
    assert cal.is_workday(D(2027, 2, 8))  # a notice is the whole year: nothing of the rule is kept


def test_years_before_the_package_are_provisional_too_never_an_error():
    cal = WorkdayCalendar(None)
    assert cal.is_provisional(2000) and cal.is_workday(D(2000, 1, 3)) and not cal.is_workday(D(2000, 1, 1))
    assert cal.add_workdays(D(2000, 1, 1), 7) == D(2000, 1, 11)


@pytest.mark.parametrize(("table", "match"), [
    ({"holidays": []}, "no holidays"),
    ({"holidays": ["2027-01-01"], "workdays": ["2027-01-04"]}, "weekends"),
    ({"holidays": ["2028-01-01"]}, "not in 2027"),
    ({"holidays": ["2027-01-01"], "colour": "red"}, "unknown keys"),
])
def test_parse_notice_refuses_what_is_not_a_schedule(table, match):
    with pytest.raises(WorkdayCalendarError, match=match):
        parse_notice(2027, table)


def test_parse_notice_returns_the_schedule_and_its_source():
    notice, source = parse_notice(2027, {"holidays": ["2027-01-01"], "workdays": ["2027-02-20"], "source": " 国办 "})
    assert notice.holidays == {D(2027, 1, 1)} and notice.workdays == {D(2027, 2, 20)} and source == "国办"


def test_override_adds_a_year(tmp_path):
    path = write(
        tmp_path,
        """
[years.2031]
source = "test"
holidays = ["2031-01-01", "2031-10-01", "2031-10-02", "2031-10-03"]
workdays = ["2031-09-28"]
[years.2031.names]
"2031-10-01" = "国庆节"
""",
    )
    cal = WorkdayCalendar(path)
    assert not cal.is_workday(D(2031, 1, 1))  # Wednesday, holiday
    assert cal.is_workday(D(2031, 1, 2))
    assert cal.is_workday(D(2031, 9, 28))  # Sunday, make-up
    assert not cal.is_workday(D(2031, 10, 4))  # ordinary Saturday
    assert cal.holiday_name(D(2031, 10, 1)) == "国庆节"
    assert cal.add_workdays(D(2031, 9, 30), 1) == D(2031, 10, 6)


def test_override_wins_over_the_package_for_a_covered_year(tmp_path):
    # Pretend an extra rest day was decreed, and a holiday Friday was turned into a workday.
    path = write(
        tmp_path,
        """
[years.2025]
holidays = ["2025-03-12"]
workdays = ["2025-10-03"]
""",
    )
    cal = WorkdayCalendar(path)
    assert not cal.is_workday(D(2025, 3, 12))
    assert cal.is_workday(D(2025, 10, 3))
    assert cal.holiday_name(D(2025, 10, 3)) is None
    # Everything else still comes from the package.
    assert not cal.is_workday(D(2025, 10, 2))
    assert cal.is_workday(D(2025, 9, 28))
    assert cal.holiday_name(D(2025, 10, 1)) == "国庆节"


def test_toml_date_literals_are_accepted(tmp_path):
    path = write(tmp_path, "[years.2031]\nholidays = [2031-01-01]\n")
    assert not WorkdayCalendar(path).is_workday(D(2031, 1, 1))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[years.2031]\nholidays = ["2031-02-30"]\n', "not a YYYY-MM-DD"),
        ('[years.2031]\nholidays = ["2032-01-01"]\n', "not in 2031"),
        ('[years.2031]\nholidays = ["2031-01-04"]\nworkdays = ["2031-01-04"]\n', "both"),
        ('[years.2031]\nholiday = ["2031-01-01"]\n', "unknown keys"),
        ("[years.31]\n", "four-digit"),
        ("[years.2031\n", "not valid TOML"),
    ],
)
def test_malformed_override_files_fail_at_construction(tmp_path, text, match):
    with pytest.raises(WorkdayCalendarError, match=match):
        WorkdayCalendar(write(tmp_path, text))


def test_missing_override_file_fails(tmp_path):
    with pytest.raises(WorkdayCalendarError, match="not found"):
        WorkdayCalendar(tmp_path / "nope.toml")


def test_an_uncovered_year_without_holidays_is_refused(tmp_path):
    with pytest.raises(WorkdayCalendarError, match="lists no holidays"):
        WorkdayCalendar(write(tmp_path, '[years.2031]\nworkdays = ["2031-01-05"]\n'))


def test_shipped_override_file_loads_and_its_commented_example_matches_the_package():
    WorkdayCalendar(DEFAULT_OVERRIDES_PATH)  # parses
    lines = DEFAULT_OVERRIDES_PATH.read_text(encoding="utf-8").splitlines()
    start = lines.index("# [years.2026]")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("# 2027"))
    example = "\n".join(line.removeprefix("#").removeprefix(" ") for line in lines[start:end])
    year = tomllib.loads(example)["years"]["2026"]
    holidays = {D.fromisoformat(d) for d in year["holidays"]}
    workdays = {D.fromisoformat(d) for d in year["workdays"]}
    # The example must stand on its own: compare its lists, not a calendar that also reads the package.
    day = D(2026, 1, 1)
    while day.year == 2026:
        expected_workday = day in workdays or (day.weekday() < 5 and day not in holidays)
        assert expected_workday == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    assert holidays == {d for d in chinese_calendar.holidays if d.year == 2026}
