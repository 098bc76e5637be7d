"""Per-account sign-in backoff and lockout: many addresses guessing one account gain nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from certbridge.app import create_app
from tests.conftest import with_environment
from certbridge.auth.lockout import LockoutPolicy, account_key, check_not_locked, record_failure
from certbridge.auth.models import SignInThrottle
from certbridge.db import read_session, utcnow, write_session
from certbridge.errors import Unauthenticated
from certbridge.ledger.journal import LedgerEvent
from tests.security.test_limits_and_headers import anonymous_csrf
from tests.world import PASSWORD

PROXY = "10.9.0.1"


@pytest.fixture
def behind_proxy(settings, monkeypatch):
    """Return a client whose requests come through a trusted proxy, each from the address it names."""
    monkeypatch.setenv("CERTBRIDGE_TRUSTED_PROXIES", '["10.9.0.0/16"]')
    settings = with_environment(settings)
    app = create_app(settings)
    with TestClient(app, client=(PROXY, 40000)) as c:
        yield c
    app.state.engine.dispose()


def sign_in(client, username: str, password: str, address: str, lang: str = "zh"):
    """Post the sign-in form as if from `address`."""
    token = anonymous_csrf(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       headers={"X-Forwarded-For": address, "Accept-Language": lang}, follow_redirects=False)


def guesses(client, username: str, count: int, first: int = 0) -> list[int]:
    """Send `count` wrong passwords for an account, each from another address; return the statuses."""
    return [sign_in(client, username, f"guess-{i:04d}-wrong", f"203.0.113.{first + i}").status_code
            for i in range(count)]


def shape(text: str) -> str:
    """Return a page's message with its numbers blanked, to compare answers given at different moments."""
    match = re.search(r"该账号登录失败次数过多[^<]*|Too many failed sign-ins[^<]*|用户名或密码[^<]*", text)
    return re.sub(r"\d+", "#", match.group(0)) if match else ""


def test_forty_wrong_passwords_from_forty_addresses_then_the_right_one_is_refused(behind_proxy):
    statuses = guesses(behind_proxy, "cb_a", 40)
    assert statuses[:4] == [401] * 4
    assert set(statuses[4:]) == {429}  # locked from the fifth failure on; no password is checked any more
    right = sign_in(behind_proxy, "cb_a", PASSWORD, "198.51.100.99")
    assert right.status_code == 429
    assert "cb_session" not in right.cookies
    wait = int(right.headers["Retry-After"])
    assert 1 <= wait <= 30
    assert f"请在 {wait} 秒后" in right.text and "北京时间" in right.text
    english = sign_in(behind_proxy, "cb_a", PASSWORD, "198.51.100.98", lang="en")
    assert "Too many failed sign-ins for this account" in english.text and "China Standard Time" in english.text
    assert sign_in(behind_proxy, "cb_b", PASSWORD, "198.51.100.97").status_code == 303  # other accounts sign in


def test_an_unknown_account_gets_the_same_answers(behind_proxy):
    real = [sign_in(behind_proxy, "cb_a", "wrong-password-x", f"203.0.113.{i}") for i in range(7)]
    ghost = [sign_in(behind_proxy, "no-such-user", "wrong-password-x", f"203.0.114.{i}") for i in range(7)]
    assert [r.status_code for r in real] == [r.status_code for r in ghost] == [401] * 4 + [429] * 3
    assert [shape(r.text) for r in real] == [shape(r.text) for r in ghost]
    assert all(shape(r.text) for r in real)


def test_a_successful_sign_in_resets_the_count(behind_proxy):
    assert guesses(behind_proxy, "cb_a", 4) == [401] * 4
    assert sign_in(behind_proxy, "cb_a", PASSWORD, "198.51.100.1").status_code == 303
    behind_proxy.cookies.clear()  # signed out again
    assert guesses(behind_proxy, "cb_a", 4, first=10) == [401] * 4  # counting starts again
    assert guesses(behind_proxy, "cb_a", 1, first=20) == [429]


def test_the_lock_survives_a_restart_and_a_regulator_lifts_it(behind_proxy, settings, monkeypatch):
    guesses(behind_proxy, "regulator", 5)
    second = create_app(with_environment(settings))  # another process or a restart: the lock is in the database
    with TestClient(second, client=("192.0.2.50", 40000)) as fresh:
        assert sign_in(fresh, "regulator", PASSWORD, "ignored").status_code == 429
        from certbridge.cli.main import app as cli

        monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("CERTBRIDGE_SECRET_KEY", settings.secret_key)
        result = CliRunner().invoke(cli, ["users", "unlock", "regulator"])
        assert result.exit_code == 0, result.output
        assert "已解除账号 regulator 的登录锁定" in result.output
        assert sign_in(fresh, "regulator", PASSWORD, "ignored").status_code == 303
        fresh.cookies.clear()
        again = CliRunner().invoke(cli, ["users", "unlock", "regulator"])
        assert again.exit_code == 0 and "没有被锁定" in again.output
        assert CliRunner().invoke(cli, ["users", "unlock", "nobody"]).exit_code == 1
    with read_session(second.state.sessions) as db:
        types = list(db.scalars(select(LedgerEvent.type).where(LedgerEvent.type.like("sign_in.%"))))
    assert types == ["sign_in.locked", "sign_in.unlocked"]
    second.state.engine.dispose()


def test_the_lock_doubles_with_each_failure_up_to_the_cap(sessions):
    policy = LockoutPolicy(free=3, base_seconds=10, max_seconds=60, forget_seconds=3600)
    assert [policy.lock_seconds(n) for n in range(1, 8)] == [0, 0, 10, 20, 40, 60, 60]
    key, now = account_key("Someone ", b"pepper"), utcnow()
    assert key == account_key("someone", b"pepper") != account_key("someone", b"other")
    locks = []
    for _ in range(5):
        with write_session(sessions) as db:
            locks.append(record_failure(db, key, policy, now=now))
        now += timedelta(seconds=locks[-1] + 1)  # each guess waits out the lock before the next
    assert locks == [0, 0, 10, 20, 40]
    with read_session(sessions) as db:
        with pytest.raises(Unauthenticated) as refused:
            check_not_locked(db, key, now=now - timedelta(seconds=6))  # the last lock (40 s) ends 1 s before now
        assert refused.value.status == 429 and refused.value.retry_after == 5
        check_not_locked(db, key, now=now)
        row = db.scalar(select(SignInThrottle).where(SignInThrottle.account_key == key))
        assert row.failures == 5 and row.account_key == key  # a keyed hash, never the typed name
    with write_session(sessions) as db:  # a day later the old failures no longer count
        assert record_failure(db, key, policy, now=now + timedelta(hours=2)) == 0
