"""Helpers for ledger and credential tests: issuing through the API, a second database, the CLI."""

from __future__ import annotations


import pytest
from typer.testing import CliRunner

from certbridge.app import create_app
from certbridge.kit.signed_note import Verifier
from certbridge.settings import Settings
from tests.conftest import copy_database
from tests.world import certificate_payload


@pytest.fixture
def issue(client, world):
    """Issue a certificate as body A through the API and return its detail JSON."""
    counter = iter(range(1, 10_000))

    def _issue(**overrides):
        overrides.setdefault("number", f"00126Q26{next(counter):03d}R0M/4500")
        r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                        json=certificate_payload(world, **overrides))
        assert r.status_code == 201, r.text
        return r.json()

    return _issue


@pytest.fixture
def act(client, world):
    """Run a lifecycle action on a certificate as body A; assert it worked."""

    def _act(cert_id: int, action: str, **body):
        body.setdefault("reason", "测试原因")
        r = client.post(f"/api/v1/certificates/{cert_id}/{action}", headers=world.auth("cb_a"), json=body)
        assert r.status_code in (200, 201), r.text
        return r.json()

    return _act


def published_keys(client, purpose: str) -> list[str]:
    """Return the verifier keys an instance publishes for a purpose."""
    return [k["verifier_key"] for k in client.get("/api/v1/ledger/keys").json() if k["purpose"] == purpose]


def open_checkpoint(client, note: str | None = None):
    """Return the parsed latest (or given) checkpoint after checking its signature with the published key."""
    from certbridge.kit.signed_note import open as open_note, parse_checkpoint

    note = note if note is not None else client.get("/log/checkpoint").text
    return parse_checkpoint(open_note(note, [Verifier(k) for k in published_keys(client, "log")]).text)


@pytest.fixture
def cli(settings, monkeypatch):
    """Run `certbridge …` in-process against this test's instance; returns the click Result."""
    from certbridge.cli.main import app as cli_app

    monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CERTBRIDGE_LANG", "en")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def _run(*args: str, lang: str = "en"):
        monkeypatch.setenv("CERTBRIDGE_LANG", lang)
        return runner.invoke(cli_app, [str(a) for a in args])

    return _run


@pytest.fixture
def second_database_url(template, tmp_path):
    """Return a second fresh copy of the template (another instance's database)."""
    yield from copy_database(template["url"], prefix=f"{template['prefix']}_w", target=tmp_path / "second.db")


@pytest.fixture
def witness_app(second_database_url, tmp_path):
    """Return another certbridge instance ("witness.test") on its own database and data directory."""
    settings = Settings(data_dir=tmp_path / "witness-data", database_url=second_database_url,
                        secret_key="witness-secret", instance_name="witness.test", public_url="http://witness.test")
    application = create_app(settings)
    application.state.ledger_interval = None  # the test drives integration itself
    yield application
    application.state.engine.dispose()


@pytest.fixture
def payload(world):
    """Return a valid certificate issue payload for body A."""
    return lambda **kw: certificate_payload(world, **kw)
