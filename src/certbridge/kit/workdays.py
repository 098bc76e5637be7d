"""Chinese working days: the one interface every legal time limit goes through.

Sources, per year, first match wins:
1. an official notice entered in the database (``notices``: the State Council schedule a regulator
   typed in with `certbridge workdays set-year` or the console), which replaces the whole year;
2. the ``chinese_calendar`` package, for the years it ships (2004–2026 in 1.11.0), with
3. an override file (TOML) listing holidays and make-up working days (调休) per year on top — it adds
   years the package does not know yet (packaged with a release) and may correct single dates of covered
   years (an override entry always wins over the package);
4. otherwise the year is **provisional**: the statutory holidays of 《全国年节及纪念日放假办法》 computed by
   rule (``kit.statutory_holidays``), weekends off, no make-up days. A provisional year is never an error —
   a real office does not stop work because next year's notice is not out — but every deadline that
   crosses one is marked provisional by its caller (``provisional_years``) and recomputed when the notice
   is entered.

Counting rule (DOMAIN.md): a limit of n working days is counted from the day after the triggering
act, and only working days are counted, so the n-th one is itself a working day — a deadline can
never land on a rest day, which is exactly the "rolls to the next working day" rule.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from collections.abc import Mapping
from pathlib import Path

import chinese_calendar

from certbridge.kit.statutory_holidays import statutory_holidays

DEFAULT_OVERRIDES_PATH = Path(__file__).with_name("holidays_override.toml")

_ONE_DAY = dt.timedelta(days=1)


# Where a year's calendar comes from (WorkdayCalendar.year_source).
SOURCES = ("notice", "package", "override", "provisional")


class WorkdayCalendarError(Exception):
    """The calendar cannot answer: the override file or an entered notice is wrong, or a year before 2004."""


@dataclass(frozen=True)
class YearNotice:
    """A year's official schedule: rest days, make-up working days (调休) and names of dates."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    names: dict[dt.date, str] = field(default_factory=dict, hash=False)




@dataclass(frozen=True)
class _Year:
    """Every exception to "Monday–Friday work, Saturday–Sunday rest" in one year."""

    rest_weekdays: frozenset[dt.date]
    working_weekends: frozenset[dt.date]
    names: dict[dt.date, str] = field(hash=False)
    source: str = "package"

    def is_workday(self, day: dt.date) -> bool:
        if day.weekday() < 5:
            return day not in self.rest_weekdays
        return day in self.working_weekends


class WorkdayCalendar:
    """Chinese working days: entered notices, ``chinese_calendar``, a local override file, else provisional."""

    def __init__(self, overrides_path: Path | None = DEFAULT_OVERRIDES_PATH,
                 notices: Mapping[int, YearNotice] | None = None) -> None:
        self.overrides_path = overrides_path
        self.notices = dict(notices or {})
        # Parsed eagerly so a broken override file fails at startup, not at the first deadline.
        self._overrides = _load_overrides(overrides_path) if overrides_path is not None else {}
        for year, override in self._overrides.items():
            if not override.holidays and _package_year(year) is None:
                # An empty table would quietly mean "weekends only" — the guess we refuse to make.
                raise WorkdayCalendarError(
                    f"[years.{year}] in {overrides_path} lists no holidays; copy the full "
                    f"schedule from the State Council notice for {year}")
        self._years: dict[int, _Year] = {}

    def is_workday(self, day: dt.date) -> bool:
        """Return True if ``day`` is a working day in mainland China."""
        return self._year(_as_date(day).year).is_workday(day)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """Return the n-th working day after ``start`` (counting starts the day after; n<0 goes back)."""
        day = _as_date(start)
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Count working days after ``start`` up to and including ``end`` (negative if end < start)."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            count += self.is_workday(day)
        return count

    def next_workday(self, day: dt.date) -> dt.date:
        """Return the first working day strictly after ``day``."""
        return self.add_workdays(day, 1)

    def roll_forward(self, day: dt.date) -> dt.date:
        """Return ``day`` if it is a working day, else the next one (for calendar-day deadlines)."""
        day = _as_date(day)
        return day if self.is_workday(day) else self.next_workday(day)

    def holiday_name(self, day: dt.date) -> str | None:
        """Return the Chinese name of the holiday ``day`` belongs to, if it has one."""
        day = _as_date(day)
        return self._year(day.year).names.get(day)

    def year_source(self, year: int) -> str:
        """Return where a year's calendar comes from: notice, package, override or provisional."""
        return self._year(year).source

    def is_provisional(self, year: int) -> bool:
        """Return True if no official schedule covers ``year`` (statutory holidays by rule only)."""
        return self.year_source(year) == "provisional"

    def provisional_years(self, start: dt.date, end: dt.date) -> list[int]:
        """Return the provisional years a count from ``start`` to ``end`` runs through, in order."""
        low, high = sorted((_as_date(start).year, _as_date(end).year))
        return [year for year in range(low, high + 1) if self.is_provisional(year)]

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _Year:
        notice = self.notices.get(year)
        if notice is not None:
            return _from_notice(notice, "notice")
        override = self._overrides.get(year)
        base = _package_year(year)
        if base is None:
            if override is not None:
                return _from_notice(override, "override")
            names = statutory_holidays(year)
            return _Year(frozenset(d for d in names if d.weekday() < 5), frozenset(), names, "provisional")
        if override is None:
            return base
        rest = (set(base.rest_weekdays) | override.holidays) - override.workdays
        work = (set(base.working_weekends) | override.workdays) - override.holidays
        names = {d: n for d, n in base.names.items() if d not in override.workdays}
        names.update(override.names)
        return _Year(
            frozenset(d for d in rest if d.weekday() < 5),
            frozenset(d for d in work if d.weekday() >= 5),
            names,
            "override",
        )


def _from_notice(notice: YearNotice, source: str) -> _Year:
    return _Year(frozenset(d for d in notice.holidays if d.weekday() < 5),
                 frozenset(d for d in notice.workdays if d.weekday() >= 5), dict(notice.names), source)


def parse_notice(year: int, table: object, origin: str = "notice") -> tuple[YearNotice, str | None]:
    """Check a year's schedule as a TOML-like table (holidays, workdays, names, source); return it and its source.

    Raises WorkdayCalendarError naming what is wrong: a date outside the year, a date both rest and work,
    an empty holiday list, a make-up working day that is not a weekend.
    """
    notice = _parse_year(Path(origin), str(year), table)
    if not notice.holidays:
        raise WorkdayCalendarError(f"{origin}: {year} lists no holidays; copy the full schedule from the notice")
    weekdays = sorted(d for d in notice.workdays if d.weekday() < 5)
    if weekdays:
        raise WorkdayCalendarError(f"{origin}: make-up working days must be weekends: {weekdays[0].isoformat()}")
    source = table.get("source") if isinstance(table, dict) else None
    return notice, (str(source).strip() or None) if source is not None else None


def _as_date(day: dt.date) -> dt.date:
    # A datetime's calendar date depends on its time zone; make the caller decide which one.
    if isinstance(day, dt.datetime):
        raise TypeError("pass a date in China Standard Time, not a datetime")
    return day


def _package_year(year: int) -> _Year | None:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return None
    # Read the package's published tables once per year instead of calling is_workday 365 times
    # (each call rescans the whole table); the rule is the package's own: a listed workday works,
    # otherwise Monday–Friday work unless listed as a holiday.
    return _Year(
        frozenset(d for d in chinese_calendar.holidays if d.year == year and d.weekday() < 5),
        frozenset(d for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5),
        {
            d: chinese_calendar.Holiday(name).chinese
            for d, name in chinese_calendar.holidays.items()
            if d.year == year
        },
    )


def _load_overrides(path: Path) -> dict[int, YearNotice]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise WorkdayCalendarError(f"holiday override file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise WorkdayCalendarError(f"holiday override file {path} is not valid TOML: {exc}") from exc
    years = data.get("years", {})
    if not isinstance(years, dict):
        raise WorkdayCalendarError(f"{path}: 'years' must be a table of [years.YYYY] tables")
    return {_parse_year_key(path, key): _parse_year(path, key, table) for key, table in years.items()}


def _parse_year_key(path: Path, key: str) -> int:
    if not (key.isascii() and key.isdigit() and len(key) == 4):
        raise WorkdayCalendarError(f"{path}: [years.{key}] is not a four-digit year")
    return int(key)


def _parse_year(path: Path, key: str, table: object) -> YearNotice:
    if not isinstance(table, dict):
        raise WorkdayCalendarError(f"{path}: [years.{key}] must be a table")
    year = int(key)
    unknown = set(table) - {"holidays", "workdays", "names", "source"}
    if unknown:
        raise WorkdayCalendarError(f"{path}: [years.{key}] has unknown keys {sorted(unknown)}")
    holidays = _parse_dates(path, year, "holidays", table.get("holidays", []))
    workdays = _parse_dates(path, year, "workdays", table.get("workdays", []))
    both = holidays & workdays
    if both:
        listed = ", ".join(d.isoformat() for d in sorted(both))
        raise WorkdayCalendarError(f"{path}: [years.{key}] lists {listed} as both holiday and workday")
    names_table = table.get("names", {})
    if not isinstance(names_table, dict):
        raise WorkdayCalendarError(f"{path}: [years.{key}.names] must map dates to names")
    names = {
        _parse_date(path, year, "names", raw): str(name) for raw, name in names_table.items()
    }
    return YearNotice(frozenset(holidays), frozenset(workdays), names)


def _parse_dates(path: Path, year: int, key: str, values: object) -> set[dt.date]:
    if not isinstance(values, list):
        raise WorkdayCalendarError(f"{path}: [years.{year}] {key} must be a list of dates")
    return {_parse_date(path, year, key, value) for value in values}


def _parse_date(path: Path, year: int, key: str, value: object) -> dt.date:
    # Accept TOML date literals as well as "YYYY-MM-DD" strings.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError as exc:
            raise WorkdayCalendarError(
                f"{path}: [years.{year}] {key}: {value!r} is not a YYYY-MM-DD date"
            ) from exc
    if day.year != year:
        raise WorkdayCalendarError(f"{path}: [years.{year}] {key}: {day} is not in {year}")
    return day
