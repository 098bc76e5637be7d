"""Times are shown in China Standard Time with the zone; the API keeps ISO-8601 with its offset."""

from __future__ import annotations

from datetime import date, datetime, timezone

from certbridge.credentials.receipt_pdf import header_line
from certbridge.kit.local_time import show_day, show_time


def test_a_utc_evening_is_the_next_morning_in_beijing():
    at = datetime(2026, 12, 6, 20, 15, tzinfo=timezone.utc)
    assert show_time(at) == "2026-12-07 04:15 (UTC+8)"
    assert show_time(at.replace(tzinfo=None)) == "2026-12-07 04:15 (UTC+8)"  # the database's naive UTC
    assert show_time("2026-12-06T12:15:30Z", seconds=True) == "2026-12-06 20:15:30 (UTC+8)"
    assert show_day(at) == "2026-12-07" and show_day(date(2026, 12, 6)) == "2026-12-06"
    assert show_time(None) == "" and show_time("not a time") == "not a time"


def test_the_pdf_receipt_header_shows_beijing_time():
    line = header_line({"issuer": "certs.example", "issued_at": "2026-12-06T20:15:00Z"})
    assert line == "certs.example · 2026-12-07 04:15:00 (UTC+8)"
