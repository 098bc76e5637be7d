"""The statutory holidays of 《全国年节及纪念日放假办法》 by rule, for years no holiday notice covers yet.

The Measures (as amended by State Council Decree No. 795 of 2024-11-10, in force 2025-01-01) give every
citizen these days off:

    元旦  1 day   January 1
    春节  4 days  除夕 (the day before 正月初一) and 正月初一 to 初三
    清明  1 day   the day of the 清明 solar term
    劳动节 2 days  May 1 and 2
    端午  1 day   五月初五
    中秋  1 day   八月十五
    国庆  3 days  October 1 to 3

The yearly State Council notice (国务院办公厅关于YYYY年部分节假日安排的通知) then joins them with weekends
and moves working days (调休); that part cannot be derived by rule, so a provisional year has the
statutory days only, weekends off, and no make-up days — a statutory day that falls on a weekend is not
moved either.

Lunar dates and the 清明 term come from a table (``_DATES``) made with two independent libraries —
lunar-python 1.4.8 (6tail) and sxtwl 2.0 — which agreed on every date from 2025 to 2100; the table is
checked against the official 2025 and 2026 schedules in tests/kit/test_statutory_holidays.py and the
script that made it is scripts/statutory_holiday_table.py. Past 2100, and before 2004 (the first year
``chinese_calendar`` ships; only an odd input date reaches that far), only the fixed-date holidays are
used — an approximation, still marked provisional by the caller, never an error.
"""

from __future__ import annotations

import datetime as dt

FIRST_YEAR = 2025  # the amended Measures apply from 2025-01-01
_ONE_DAY = dt.timedelta(days=1)

# year: (除夕, 清明, 端午, 中秋) as "MM-DD"
_DATES: dict[int, tuple[str, str, str, str]] = {
    2025: ("01-28", "04-04", "05-31", "10-06"),
    2026: ("02-16", "04-05", "06-19", "09-25"),
    2027: ("02-05", "04-05", "06-09", "09-15"),
    2028: ("01-25", "04-04", "05-28", "10-03"),
    2029: ("02-12", "04-04", "06-16", "09-22"),
    2030: ("02-02", "04-05", "06-05", "09-12"),
    2031: ("01-22", "04-05", "06-24", "10-01"),
    2032: ("02-10", "04-04", "06-12", "09-19"),
    2033: ("01-30", "04-04", "06-01", "09-08"),
    2034: ("02-18", "04-05", "06-20", "09-27"),
    2035: ("02-07", "04-05", "06-10", "09-16"),
    2036: ("01-27", "04-04", "05-30", "10-04"),
    2037: ("02-14", "04-04", "06-18", "09-24"),
    2038: ("02-03", "04-05", "06-07", "09-13"),
    2039: ("01-23", "04-05", "05-27", "10-02"),
    2040: ("02-11", "04-04", "06-14", "09-20"),
    2041: ("01-31", "04-04", "06-03", "09-10"),
    2042: ("01-21", "04-04", "06-22", "09-28"),
    2043: ("02-09", "04-05", "06-11", "09-17"),
    2044: ("01-29", "04-04", "05-31", "10-05"),
    2045: ("02-16", "04-04", "06-19", "09-25"),
    2046: ("02-05", "04-04", "06-08", "09-15"),
    2047: ("01-25", "04-05", "05-29", "10-04"),
    2048: ("02-13", "04-04", "06-15", "09-22"),
    2049: ("02-01", "04-04", "06-04", "09-11"),
    2050: ("01-22", "04-04", "06-23", "09-30"),
    2051: ("02-10", "04-05", "06-13", "09-19"),
    2052: ("01-31", "04-04", "06-01", "09-07"),
    2053: ("02-18", "04-04", "06-20", "09-26"),
    2054: ("02-07", "04-04", "06-10", "09-16"),
    2055: ("01-27", "04-05", "05-30", "10-05"),
    2056: ("02-14", "04-04", "06-17", "09-24"),
    2057: ("02-03", "04-04", "06-06", "09-13"),
    2058: ("01-23", "04-04", "06-25", "10-02"),
    2059: ("02-11", "04-05", "06-14", "09-21"),
    2060: ("02-01", "04-04", "06-03", "09-09"),
    2061: ("01-20", "04-04", "06-22", "09-28"),
    2062: ("02-08", "04-04", "06-11", "09-17"),
    2063: ("01-28", "04-05", "06-01", "10-06"),
    2064: ("02-16", "04-04", "06-19", "09-25"),
    2065: ("02-04", "04-04", "06-08", "09-15"),
    2066: ("01-25", "04-04", "05-28", "10-03"),
    2067: ("02-13", "04-05", "06-16", "09-23"),
    2068: ("02-02", "04-04", "06-04", "09-11"),
    2069: ("01-22", "04-04", "06-23", "09-29"),
    2070: ("02-10", "04-04", "06-13", "09-19"),
    2071: ("01-30", "04-05", "06-02", "09-08"),
    2072: ("02-18", "04-04", "06-20", "09-26"),
    2073: ("02-06", "04-04", "06-10", "09-16"),
    2074: ("01-26", "04-04", "05-30", "10-05"),
    2075: ("02-14", "04-04", "06-17", "09-24"),
    2076: ("02-04", "04-04", "06-06", "09-12"),
    2077: ("01-23", "04-04", "06-24", "10-01"),
    2078: ("02-11", "04-04", "06-14", "09-20"),
    2079: ("02-01", "04-04", "06-04", "09-10"),
    2080: ("01-21", "04-04", "06-22", "09-28"),
    2081: ("02-08", "04-04", "06-11", "09-17"),
    2082: ("01-28", "04-04", "06-01", "10-06"),
    2083: ("02-16", "04-04", "06-19", "09-26"),
    2084: ("02-05", "04-04", "06-07", "09-14"),
    2085: ("01-25", "04-04", "05-27", "10-03"),
    2086: ("02-13", "04-04", "06-15", "09-22"),
    2087: ("02-02", "04-04", "06-05", "09-11"),
    2088: ("01-23", "04-04", "06-23", "09-29"),
    2089: ("02-09", "04-04", "06-13", "09-18"),
    2090: ("01-29", "04-04", "06-02", "09-08"),
    2091: ("02-17", "04-04", "06-21", "09-27"),
    2092: ("02-06", "04-04", "06-09", "09-16"),
    2093: ("01-26", "04-04", "05-29", "10-05"),
    2094: ("02-14", "04-04", "06-17", "09-24"),
    2095: ("02-04", "04-04", "06-06", "09-13"),
    2096: ("01-24", "04-04", "06-24", "09-30"),
    2097: ("02-11", "04-04", "06-14", "09-20"),
    2098: ("01-31", "04-04", "06-04", "09-09"),
    2099: ("01-20", "04-04", "06-23", "09-29"),
    2100: ("02-08", "04-05", "06-12", "09-18"),
}

LAST_TABLE_YEAR = max(_DATES)


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """Return the statutory holidays of a year by the amended Measures, with their names (fixed dates only
    outside the lunar table)."""
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    lunar = _DATES.get(year) if year >= FIRST_YEAR else None
    if lunar is not None:
        eve, qingming, duanwu, midautumn = (dt.date.fromisoformat(f"{year}-{md}") for md in lunar)
        for offset in range(4):
            days[eve + offset * _ONE_DAY] = "春节"
        days[qingming] = "清明节"
        days[duanwu] = "端午节"
        days[midautumn] = "中秋节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    for day in (1, 2, 3):
        days.setdefault(dt.date(year, 10, day), "国庆节")  # 中秋 may fall on Oct 1–3: the day stays one holiday
    return days
