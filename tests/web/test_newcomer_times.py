"""Pages show times in China Standard Time with the zone, never bare UTC."""

from __future__ import annotations

from certbridge.db import read_session
from certbridge.ledger.journal import subject_history
from certbridge.kit.local_time import show_time
from tests.leaks import visible_text


def test_the_certificate_history_shows_when_in_beijing_time(client, sessions, make_certificate):
    cert_id = make_certificate("00126Q26081R0M/4500")
    with read_session(sessions) as db:
        at = next(iter(subject_history(db, "certificate", cert_id))).at
    text = visible_text(client.get(f"/certificates/{cert_id}").text)
    assert show_time(at) in text, text  # e.g. 2026-12-07 04:15 (UTC+8)
    assert " UTC " not in text and "UTC ·" not in text
