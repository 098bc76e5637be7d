"""The statutory holidays by rule against the official 2025 and 2026 schedules (chinese_calendar's tables)."""

import datetime as dt

import chinese_calendar
import pytest

from certbridge.kit.statutory_holidays import LAST_TABLE_YEAR, statutory_holidays

D = dt.date
# The package names dates by the holiday period they belong to (2025-10-06 中秋 sits in 国庆's week).
PACKAGE_NAMES = {"元旦": "元旦", "春节": "春节", "清明": "清明节", "劳动节": "劳动节", "端午": "端午节",
                 "中秋": "中秋节", "国庆节": "国庆节"}


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_statutory_day_is_an_official_holiday_of_the_same_name(year):
    days = statutory_holidays(year)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3
    for day, name in days.items():
        is_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        assert is_holiday and day not in chinese_calendar.in_lieu_days, day
        if (day.month, name) != (10, "中秋节"):
            chinese = chinese_calendar.Holiday(holiday).chinese
            assert PACKAGE_NAMES.get(chinese, chinese) == name, (day, holiday)


def test_known_dates():
    assert {d for d, n in statutory_holidays(2025).items() if n == "春节"} == {D(2025, 1, 28) + dt.timedelta(i)
                                                                              for i in range(4)}
    days = statutory_holidays(2026)
    assert days[D(2026, 2, 16)] == "春节" and days[D(2026, 4, 5)] == "清明节"
    assert days[D(2026, 6, 19)] == "端午节" and days[D(2026, 9, 25)] == "中秋节"
    days = statutory_holidays(2027)
    assert days[D(2027, 2, 5)] == "春节" and days[D(2027, 4, 5)] == "清明节"
    assert days[D(2027, 6, 9)] == "端午节" and days[D(2027, 9, 15)] == "中秋节"


def test_every_table_year_has_thirteen_days_or_twelve_when_mid_autumn_is_national_day():
    for year in range(2025, LAST_TABLE_YEAR + 1):
        days = statutory_holidays(year)
        assert len(days) in (12, 13), year
        assert len(days) == 13 or any(days.get(D(year, 10, d)) for d in (1, 2, 3))
    assert len(statutory_holidays(LAST_TABLE_YEAR + 1)) == 6  # only the fixed-date ones past the table


def test_before_the_amended_measures_only_the_fixed_dates_are_assumed():
    assert set(statutory_holidays(2000).values()) == {"元旦", "劳动节", "国庆节"}
