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
from certbridge.ledger import background as ledger_background


def _spy(monkeypatch) -> dict[str, threading.Event]:
    started = {"status sweep": threading.Event(), "ledger loop": threading.Event()}

    async def sweep(app, stop):
        started["status sweep"].set()

    async def loop(app, stop):
        started["ledger loop"].set()

    monkeypatch.setattr(status_background, "_run", sweep)
    monkeypatch.setattr(ledger_background, "_loop", loop)
    return started


def test_with_background_work_off_no_periodic_writer_starts(settings, monkeypatch):
    started = _spy(monkeypatch)
    app = create_app(settings.model_copy(update={"background_work": False}))
    with TestClient(app) as client:  # the lifespan has run; a request lets the loop run anything it scheduled
        assert client.get("/api/v1/schemes").status_code == 200
    app.state.engine.dispose()
    assert not any(event.is_set() for event in started.values()), started


def test_with_background_work_on_both_writers_start(settings, monkeypatch):
    started = _spy(monkeypatch)
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/api/v1/schemes").status_code == 200
        assert all(event.wait(30) for event in started.values()), started
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
