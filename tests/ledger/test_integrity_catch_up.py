"""The integrity monitor keeps up with a large log: one run takes as many steps as the backlog needs (within its
time budget), replaying certificates in batches, and the background runner comes back at once while behind."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from certbridge.db import read_session, write_session
from certbridge.ledger import integrity


@pytest.fixture
def settings(settings):
    """No background runner: these tests count the monitor's own runs, and on a loaded machine the app's runner
    (tests/ledger/test_integrity_monitor.py covers it) would take some of the steps between them."""
    return settings.model_copy(update={"background_work": False})


@pytest.fixture
def small_shares(monkeypatch):
    """Shares small enough that a handful of certificates is a backlog of many steps."""
    monkeypatch.setattr(integrity, "EVENTS_PER_RUN", 4)
    monkeypatch.setattr(integrity, "ROWS_PER_RUN", 2)
    monkeypatch.setattr(integrity, "BATCH", 2)


def _fresh_monitor(sessions) -> None:
    """The monitor starts on an existing log (an upgrade, an import): nothing checked yet."""
    with write_session(sessions) as session:
        session.execute(text("DELETE FROM ledger_integrity"))
    integrity.forget(sessions.kw["bind"])


def _watermarks(sessions) -> tuple[int, int, int]:
    with read_session(sessions) as session:
        return tuple(session.execute(text(
            "SELECT checked_seq, checked_tree, checked_certificate FROM ledger_integrity WHERE id = 1")).one())


def _sizes(sessions) -> tuple[int, int, int]:
    with read_session(sessions) as session:
        return (session.scalar(text("SELECT size FROM ledger_head WHERE id = 1")),
                session.scalar(text("SELECT size FROM ledger_tree WHERE id = 1")),
                session.scalar(text("SELECT max(id) FROM certificate")))


def test_one_run_catches_up_on_a_backlog_many_shares_long(client, issue, sessions, small_shares):
    for _ in range(7):
        issue()
    _fresh_monitor(sessions)
    status = integrity.run(sessions, budget_seconds=120)
    assert status.ok
    assert _watermarks(sessions) == _sizes(sessions)  # every event, leaf and certificate checked in one run
    assert not integrity.behind(sessions.kw["bind"])


def test_a_run_out_of_time_says_it_is_behind_and_the_next_runs_go_on(client, issue, sessions, small_shares):
    for _ in range(5):
        issue()
    _fresh_monitor(sessions)
    integrity.run(sessions, budget_seconds=0)  # one step only
    engine = sessions.kw["bind"]
    assert integrity.behind(engine) and _watermarks(sessions)[0] == 4
    runs = 1
    while integrity.behind(engine):
        integrity.run(sessions, budget_seconds=0)
        runs += 1
        assert runs < 100
    head, _, _ = _sizes(sessions)
    assert _watermarks(sessions) == _sizes(sessions)
    assert runs >= head // 4  # one share of events per step: the backlog, not a fixed count, decides


def test_a_row_edited_far_past_the_first_share_is_found_in_the_same_run(client, issue, sessions, small_shares):
    certs = [issue() for _ in range(6)]
    with write_session(sessions) as session:
        session.execute(text("UPDATE certificate SET scope = '伪造的范围' WHERE id = :id"), {"id": certs[-1]["id"]})
    _fresh_monitor(sessions)
    status = integrity.run(sessions, budget_seconds=120)
    assert not status.ok
    assert {"code": "integrity.row_differs",
            "params": {"table": "certificate", "id": certs[-1]["id"], "field": "scope"}} in status.problems
