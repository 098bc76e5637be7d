"""Per-client rate limits with a clear 429, request size limits, and security headers on pages and API."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from fastapi.testclient import TestClient

from certbridge.app import create_app
from tests.conftest import with_environment
from certbridge.security.ratelimit import TokenBucketLimiter, client_key
from tests.world import PASSWORD


@pytest.fixture
def limited(settings, monkeypatch):
    """Return a factory of clients (one per address) on an app with tight, env-configured limits."""
    monkeypatch.setenv("CERTBRIDGE_RATE_LIMIT_LOGIN_PER_MINUTE", "3")
    monkeypatch.setenv("CERTBRIDGE_RATE_LIMIT_LOGIN_BURST", "3")
    monkeypatch.setenv("CERTBRIDGE_RATE_LIMIT_PUBLIC_PER_MINUTE", "5")
    monkeypatch.setenv("CERTBRIDGE_RATE_LIMIT_PUBLIC_BURST", "5")
    monkeypatch.setenv("CERTBRIDGE_MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("CERTBRIDGE_TRUSTED_PROXIES", '["10.9.0.0/16"]')
    settings = with_environment(settings)
    app = create_app(settings)
    clients = []

    def make(ip: str = "192.0.2.10", **kwargs) -> TestClient:
        c = TestClient(app, client=(ip, 40000), **kwargs)
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)
    app.state.engine.dispose()


def anonymous_csrf(client) -> str:
    """Return the CSRF token of an anonymous form (the documented signed double-submit of web/csrf.py)."""
    client.get("/login")
    key = client.app.state.settings.resolved_secret_key().encode()
    return hmac.new(key, f"anon|{client.cookies['cb_csrf']}".encode(), hashlib.sha256).hexdigest()


def _login(client, username="cb_a", password="wrong-password-123", **headers):
    token = anonymous_csrf(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       headers=headers, follow_redirects=False)


def test_web_sign_in_is_limited_per_client_with_a_translated_429(limited):
    attacker = limited("192.0.2.10")
    for _ in range(3):
        assert _login(attacker).status_code == 401
    refused = _login(attacker, password=PASSWORD)  # even the right password waits: no guessing at speed
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "登录尝试过于频繁" in refused.text
    english = _login(attacker, **{"Accept-Language": "en"})
    assert english.status_code == 429 and "Too many sign-in attempts" in english.text
    neighbour = limited("192.0.2.11")
    assert _login(neighbour, password=PASSWORD).status_code == 303


def test_public_lookups_are_limited_with_problem_json_and_retry_after(limited, seeded):
    c = limited("198.51.100.7")
    for _ in range(5):
        assert c.get("/api/v1/verify", params={"number": seeded["cert_a_number"]}).status_code == 200
    r = c.get("/api/v1/verify", params={"number": seeded["cert_a_number"]}, headers={"Accept-Language": "en"})
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 429 and body["code"] == "rate_limited.lookup"
    assert body["detail"].startswith("Too many look-ups; try again in")
    assert body["detail"].endswith(f"try again in {r.headers['Retry-After']} s")
    assert c.get("/api/v1/certificates", params={"q": "北海"}).status_code == 429  # search shares the budget
    assert c.get("/api/v1/bodies").status_code == 200  # directories are not look-ups
    assert limited("198.51.100.8").get("/api/v1/verify", params={"number": "X"}).status_code == 200


def test_home_page_search_is_limited_with_retry_after(limited):
    c = limited("198.51.100.20")
    for _ in range(5):
        assert c.get("/", params={"q": "北海"}).status_code == 200
    refused = c.get("/", params={"q": "北海"}, headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert f"try again in {refused.headers['Retry-After']} s" in refused.text
    assert c.get("/", params={"status": "valid"}).status_code == 429  # any search on the home page counts
    assert c.get("/api/v1/verify", params={"number": "X"}).status_code == 429  # one budget with the API look-ups
    assert c.get("/").status_code == 200  # the bare home page (no search) is not a look-up
    assert c.get("/", params={"q": ""}).status_code == 200
    assert limited("198.51.100.21").get("/", params={"q": "北海"}).status_code == 200


def test_forwarded_address_counts_only_behind_a_trusted_proxy(limited):
    proxy = limited("10.9.0.1")
    for i in range(5):
        r = proxy.get("/api/v1/verify", params={"number": "X"}, headers={"X-Forwarded-For": f"203.0.113.{i}"})
        assert r.status_code == 200  # five clients behind the proxy, one look-up each
    stranger = limited("192.0.2.99")
    for i in range(5):
        stranger.get("/api/v1/verify", params={"number": "X"}, headers={"X-Forwarded-For": f"203.0.113.{i}"})
    assert stranger.get("/api/v1/verify", params={"number": "X"},
                        headers={"X-Forwarded-For": "203.0.113.200"}).status_code == 429  # spoofing buys nothing


def test_bodies_over_the_limit_are_refused_before_the_app_reads_them(limited, world):
    c = limited()
    r = c.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
               content=b"{" + b" " * 5000 + b"}", )
    assert r.status_code == 413
    assert r.json()["code"] == "request.too_large"

    def chunks():
        for _ in range(10):
            yield b"x" * 1000

    streamed = c.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates/import", headers=world.auth("cb_a"),
                      content=chunks())
    assert streamed.status_code == 413


def test_token_bucket_refills_and_forgets_idle_clients():
    now = [0.0]
    bucket = TokenBucketLimiter(per_minute=60, burst=2, max_keys=2, clock=lambda: now[0])
    assert bucket.hit("a") == 0 and bucket.hit("a") == 0
    assert bucket.hit("a") == pytest.approx(1.0)
    now[0] = 1.0
    assert bucket.hit("a") == 0
    bucket.hit("b"), bucket.hit("c")
    assert len(bucket._buckets) == 2  # memory stays bounded under many addresses
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff") == "2001:db8::/64"
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"


@pytest.mark.parametrize("path", ["/api/v1/bodies", "/", "/login"])
def test_security_headers_on_pages_and_api(client, path):
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in r.headers  # plain http: HSTS would be ignored or lock users out


def test_hsts_over_https_and_no_store_for_credentialed_answers(app, world):
    with TestClient(app, base_url="https://registry.example") as c:
        r = c.get("/api/v1/me", headers=world.auth("cb_a"))
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert r.headers["Cache-Control"] == "no-store"
