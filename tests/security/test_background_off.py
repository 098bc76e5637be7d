"""CERTBRIDGE_BACKGROUND_WORK=false starts none of the periodic background writers; on, they run and write.

The authorization matrix compares stored data before and after one request. Its cases failed now and then on a
loaded machine because the app's periodic work — the status sweep 10 s after start (it records date-driven
changes as `system`) and the ledger loop with the integrity monitor (watermarks, tree rows) — wrote between the
two snapshots of a test that ran past ten seconds. The matrix runs with the setting off; this shows that the
setting really keeps those writers from starting, and that they do write when on.
"""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from certbridge.app import create_app
from certbridge.certificates import background as status_background
from certbridge.credit import follow as credit_follow
from certbridge.ledger import background as ledger_background
from certbridge.opendata.feeds import background as feeds_background
from certbridge.risk import daily as risk_daily
from certbridge.stats import background as stats_background
from certbridge.stats import reports as stats_reports

WRITERS = ("status sweep", "ledger loop", "credit follow-up", "statistics fold", "statistics reports", "feed deliverer",
           "risk daily")


def _spy(monkeypatch) -> dict[str, threading.Event]:
    """Replace each periodic writer's step by one that only says it ran."""
    started = {name: threading.Event() for name in WRITERS}

    def mark(name):
        def step(*args, **kwargs):
            started[name].set()
        return step

    async def loop(app, stop):
        started["ledger loop"].set()

    monkeypatch.setattr(status_background, "_sweep_and_log", mark("status sweep"))
    monkeypatch.setattr(ledger_background, "_loop", loop)
    monkeypatch.setattr(credit_follow, "follow_now", mark("credit follow-up"))
    monkeypatch.setattr(stats_background, "_fold_step", mark("statistics fold"))
    monkeypatch.setattr(stats_background, "FOLD_EVERY_SECONDS", 0.05)
    monkeypatch.setattr(stats_reports, "_reports_step", mark("statistics reports"))
    monkeypatch.setattr(feeds_background, "deliver_once", mark("feed deliverer"))
    monkeypatch.setattr(risk_daily, "_recompute_and_log", mark("risk daily"))
    return started


def _soon(app) -> None:
    """Let every writer that starts run its first step at once."""
    app.state.status_sweep_delay = 0.0
    app.state.credit_follow_interval = 0.05
    app.state.stats_reports_delay = 0.0
    app.state.risk_daily_delay = 0.0


def test_with_background_work_off_no_periodic_writer_starts(settings, monkeypatch):
    started = _spy(monkeypatch)
    app = create_app(settings.model_copy(update={"background_work": False}))
    _soon(app)
    app.state.credit_follow_interval = None  # what background_work=False set; _soon would turn it back on
    with TestClient(app) as client:  # the lifespan has run; a request lets the loop run anything it scheduled
        assert client.get("/api/v1/schemes").status_code == 200
        time.sleep(0.5)
    app.state.engine.dispose()
    assert not [name for name, event in started.items() if event.is_set()]


def test_with_background_work_on_every_writer_starts(settings, monkeypatch):
    started = _spy(monkeypatch)
    app = create_app(settings)
    _soon(app)
    with TestClient(app) as client:
        assert client.get("/api/v1/schemes").status_code == 200
        assert all(event.wait(30) for event in started.values()), [n for n, e in started.items() if not e.is_set()]
    app.state.engine.dispose()


def test_the_status_sweep_writes_as_system_when_on(settings):
    """The writer the matrix met: started at once here, it records what is due with the actor `system`."""
    app = create_app(settings)
    app.state.status_sweep_delay = 0.0
    with app.state.sessions() as s:
        before = s.execute(text("SELECT COUNT(*) FROM ledger_event WHERE actor = 'system'")).scalar_one()
    with TestClient(app):
        deadline = time.monotonic() + 60
        while True:
            with app.state.sessions() as s:
                now = s.execute(text("SELECT COUNT(*) FROM ledger_event WHERE actor = 'system'")).scalar_one()
            if now > before:
                break
            assert time.monotonic() < deadline, "the status sweep recorded nothing"
            time.sleep(0.05)
    app.state.engine.dispose()
