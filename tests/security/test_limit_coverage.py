"""Rate limits by normalized route: every route has a declared class, costly ones are limited, keys have quotas."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.routing import compile_path

from certbridge.app import create_app
from tests.conftest import with_environment
from certbridge.auth.service import create_api_key
from certbridge.db import write_session
from certbridge.principal import SYSTEM
from certbridge.security.coverage import COSTLY, LOOKUP, READ, SIGNIN, WRITE, RouteResolver, request_class, \
    route_class
from tests.security.test_authorization_matrix import app_routes


@pytest.fixture
def limited(settings, monkeypatch):
    """Return a factory of clients (one per address) on an app with tight limits per class."""
    # Costly requests refill one a minute: a receipt PDF on a busy machine can take longer than 20 s (a
    # refill at 3 a minute let a request through that the test expects to be refused).
    for name, value in {"PUBLIC_PER_MINUTE": 5, "PUBLIC_BURST": 5, "COSTLY_PER_MINUTE": 1, "COSTLY_BURST": 3,
                        "WRITE_PER_MINUTE": 4, "WRITE_BURST": 4}.items():
        monkeypatch.setenv(f"CERTBRIDGE_RATE_LIMIT_{name}", str(value))
    app = create_app(with_environment(settings))
    clients = []

    def make(ip: str = "192.0.2.10") -> TestClient:
        c = TestClient(app, client=(ip, 40000))
        c.__enter__()
        clients.append(c)
        return c

    make.app = app
    yield make
    for c in clients:
        c.__exit__(None, None, None)
    app.state.engine.dispose()


def test_every_route_has_a_declared_limit_class(app):
    unplaced = sorted(f"{m} {p}" for m, p in app_routes(app) if route_class(m, p) is None)
    assert not unplaced, ("routes with no limit class — place them in COVERAGE of src/certbridge/security/"
                          f"coverage.py (read only if trivial): {unplaced}")


@pytest.mark.parametrize(("method", "path", "cls"), [
    ("POST", "/login", SIGNIN),
    ("GET", "/api/v1/tokens/verify", COSTLY),
    ("GET", "/api/v1/certificates/{certificate_id}/receipt.pdf", COSTLY),
    ("GET", "/api/v1/certificates/{certificate_id}/receipt.json", COSTLY),
    ("GET", "/api/v1/certificates/{certificate_id}/qr.png", COSTLY),
    ("GET", "/api/v1/certificates/{certificate_id}/qr.svg", COSTLY),
    ("GET", "/api/v1/certificates/{certificate_id}/token", COSTLY),
    ("GET", "/v/{token}", COSTLY),
    ("POST", "/cb/export", COSTLY),
    ("GET", "/jobs/{job_id}/file", COSTLY),
    ("POST", "/regulator/credit/recompute", COSTLY),
    ("GET", "/api/v1/publicity/export", COSTLY),
    ("GET", "/api/v1/supervision/draws/{draw_id}/export", COSTLY),
    ("POST", "/api/v1/bodies/{body_id}/certificates/import", COSTLY),
    ("POST", "/cb/import", COSTLY),
    ("POST", "/cb/import/{upload_id}", COSTLY),
    ("GET", "/api/v1/verify", LOOKUP),
    ("GET", "/api/v1/certificates", LOOKUP),
    ("GET", "/api/v1/ledger/proof/inclusion", LOOKUP),
    ("GET", "/log/tile/{path:path}", LOOKUP),
    ("GET", "/verify", LOOKUP),
    ("POST", "/api/v1/certificates/{certificate_id}/suspend", WRITE),
    ("GET", "/api/v1/bodies", READ),
    ("GET", "/regulator", READ),
])
def test_costly_and_lookup_routes_are_in_their_class(app, method, path, cls):
    assert (method, path) in app_routes(app), f"{method} {path} is not a route any more; update this test"
    assert route_class(method, path) == cls


def test_the_resolver_finds_the_route_the_router_would(app):
    resolver = RouteResolver.for_app(app)
    for method, template in sorted(app_routes(app)):
        sample = template.replace("{path:path}", "x/y")
        while "{" in sample:
            start = sample.index("{")
            sample = sample[:start] + "7" + sample[sample.index("}", start) + 1:]
        found = resolver.resolve(method, sample)
        assert found is not None, f"{method} {sample}"
        assert compile_path(found)[0].match(sample), (method, sample, found)
        # a literal route listed first wins, as in the router (e.g. /cb/import before /cb/import/{upload_id})
        if found != template:
            assert "{" not in found or found.count("{") < template.count("{"), (method, sample, found, template)
    assert resolver.resolve("GET", "/static/app.css") == "/static"
    assert resolver.resolve("GET", "/no/such/page") is None


def test_home_search_is_classified_on_decoded_parameters():
    assert request_class("GET", "/", "q=共田".encode()) == LOOKUP
    assert request_class("GET", "/", b"%71=%E5%85%B1%E7%94%B0") == LOOKUP  # %71 is q
    assert request_class("GET", "/", b"lang=en&q=") == READ
    assert request_class("GET", "/", b"") == READ


def test_a_percent_encoded_parameter_name_does_not_bypass_the_search_limit(limited):
    c = limited("198.51.100.30")
    for _ in range(5):
        assert c.get("/?%71=%E5%85%B1%E7%94%B0").status_code == 200
    refused = c.get("/?%71=%E5%85%B1%E7%94%B0", headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert c.get("/?Q=x&q=%E5%85%B1").status_code == 429  # any spelling of the same search is the same budget
    assert c.get("/").status_code == 200


def test_token_checks_and_receipt_pdfs_are_limited(limited, seeded):
    c = limited("198.51.100.31")
    cert = seeded["cert_a"]
    token = c.get(f"/api/v1/certificates/{cert}/token")
    assert token.status_code == 200
    assert token.headers["RateLimit-Limit"] == "3" and token.headers["RateLimit-Remaining"] == "2"
    assert c.get("/api/v1/tokens/verify", params={"token": token.json()["token"]}).status_code == 200
    assert c.get(f"/api/v1/certificates/{cert}/receipt.pdf").status_code == 200
    refused = c.get(f"/api/v1/certificates/{cert}/receipt.pdf", headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited.costly"
    assert f"try again in {refused.headers['Retry-After']} s" in refused.json()["detail"]
    assert c.get("/api/v1/tokens/verify", params={"token": token.json()["token"]}).status_code == 429
    assert c.get(f"/api/v1/certificates/{cert}/qr.png").status_code == 429
    assert c.get(f"/api/v1/certificates/{cert}").status_code == 200  # a look-up has its own budget
    assert limited("198.51.100.32").get("/api/v1/tokens/verify", params={"token": "x"}).status_code != 429


def test_anonymous_writes_are_limited(limited, seeded):
    c = limited("198.51.100.33")
    statuses = [c.post(f"/api/v1/certificates/{seeded['cert_a']}/suspend", json={}).status_code for _ in range(5)]
    assert statuses[:4] == [401] * 4 and statuses[4] == 429


def test_an_api_key_has_its_own_quota_not_the_anonymous_budget(limited, world, seeded):
    c = limited("198.51.100.40")
    number = seeded["cert_a_number"]
    for i in range(30):  # six times the anonymous budget of this app
        r = c.get("/api/v1/verify", params={"number": number}, headers=world.auth("regulator"))
        assert r.status_code == 200, (i, r.text)
    assert int(r.headers["RateLimit-Limit"]) == 300  # the default 3,000 a minute, a tenth at once
    assert 270 <= int(r.headers["RateLimit-Remaining"]) < 300  # 30 taken; it refills at 50 a second
    for _ in range(5):
        assert c.get("/api/v1/verify", params={"number": number}).status_code == 200
    assert c.get("/api/v1/verify", params={"number": number}).status_code == 429  # anonymous from the same address
    assert c.get("/api/v1/verify", params={"number": number}, headers=world.auth("cb_a")).status_code == 200
    assert c.get("/api/v1/verify", params={"number": number},
                 headers={"Authorization": "Bearer cbk_nothere_x"}).status_code == 429  # a fake key buys nothing


def test_a_key_created_with_a_quota_is_held_to_it(limited, world, seeded):
    with write_session(limited.app.state.sessions) as session:
        token = create_api_key(session, principal=SYSTEM, user_id=world.ids["user_cb_b"], name="small",
                               quota_per_minute=60).token
    c = limited("198.51.100.41")
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    for _ in range(10):
        assert c.get("/api/v1/verify", params={"number": "X"}, headers=headers).status_code == 200
    refused = c.get("/api/v1/verify", params={"number": "X"}, headers=headers)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited.key"
    assert "quota of 60 requests a minute" in refused.json()["detail"]
    assert refused.headers["RateLimit-Remaining"] == "0" and int(refused.headers["Retry-After"]) >= 1


def test_only_an_administrator_sets_a_key_quota(client, world):
    me = world.ids["user_cb_a"]
    r = client.post(f"/api/v1/users/{me}/keys", json={"name": "mine", "quota_per_minute": 100000},
                    headers=world.auth("cb_a"))
    assert r.status_code == 403
    r = client.post(f"/api/v1/users/{me}/keys", json={"name": "theirs", "quota_per_minute": 100000},
                    headers=world.auth("admin"))
    assert r.status_code == 201 and r.json()["quota_per_minute"] == 100000


def test_the_cli_creates_a_key_with_its_own_quota(settings, monkeypatch):
    from sqlalchemy import select
    from typer.testing import CliRunner

    from certbridge.auth.models import ApiKey
    from certbridge.cli.main import app as cli
    from certbridge.db import make_engine, make_sessionmaker, read_session

    monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(cli, ["keys", "create", "cb_b", "--name", "buyer", "--quota", "20000"])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(cli, ["keys", "create", "cb_b", "--name", "x", "--quota", "0"]).exit_code == 1
    engine = make_engine(settings.database_url)
    with read_session(make_sessionmaker(engine)) as db:
        quotas = {k.name: k.quota_per_minute for k in db.scalars(select(ApiKey))}
    engine.dispose()
    assert quotas["buyer"] == 20000 and "x" not in quotas
