"""The lean path (api/lean.py) answers verify, verify by holder and the name search exactly as the full stack does.

Two applications on one database: the one `create_app` builds (lean path in front) and the same without its lean
path (every request through FastAPI and all the middlewares). Each request goes to both; the status, the headers
in order and the body bytes must be the same — hits and misses, every status a certificate can have, both
languages, validation errors, malformed cursors, rate limits and API-key quotas (in-process and in a real Redis).
Each test also checks that the lean path really answered what it should, and left the rest to FastAPI.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from certbridge.api.lean import LeanReads
from certbridge.app import create_app
from tests.conftest import with_environment
from tests.world import certificate_payload

VERIFY, HOLDER, SEARCH = "/api/v1/verify", "/api/v1/verify/holder/", "/api/v1/certificates"
REDIS_URL = "redis://127.0.0.1:6379/0"


def lean_layer(app) -> LeanReads:
    """Return the app's lean path (its middleware stack is built once a client has started it)."""
    layer = app.middleware_stack
    while not isinstance(layer, LeanReads):
        layer = layer.app
    return layer


def without_lean_path(app):
    """Return the app with its lean path taken out: every request through the full stack."""
    app.user_middleware = [m for m in app.user_middleware if m.cls is not LeanReads]
    return app


def _app(settings):
    application = create_app(settings)
    application.state.status_sweep = False  # as the `app` fixture: no sweep or daily recompute under the test
    application.state.risk_daily = False
    return application


@pytest.fixture
def twins(settings, monkeypatch):
    """Return a factory of (lean client, full-stack client) on one database, with the environment given."""
    made = []

    def make(**environment):
        # No background work: two apps integrating the log at once on one SQLite file would contend for its lock.
        environment = {"BACKGROUND_WORK": "false", "RATE_LIMIT_PUBLIC_PER_MINUTE": "1", "RATE_LIMIT_PUBLIC_BURST": "1000",
                       "RATE_LIMIT_KEY_PER_MINUTE": "1", **environment}
        for name, value in environment.items():
            monkeypatch.setenv(f"CERTBRIDGE_{name}", value)
        configured = with_environment(settings)
        lean, full = _app(configured), without_lean_path(_app(configured))
        for application in (lean, full):  # a stopped clock: no token comes back between the two apps' requests
            for buckets in application.state.rate_limits.values():
                buckets.local.clock = lambda: 1000.0
        clients = (TestClient(lean), TestClient(full))
        for c in clients:
            c.__enter__()
        made.append((lean, full, clients))
        return clients

    yield make
    for lean, full, clients in made:
        for c in clients:
            c.__exit__(None, None, None)
        lean.state.engine.dispose()
        full.state.engine.dispose()


def same_answer(lean: TestClient, full: TestClient, path: str, **options):
    """GET `path` from both apps; assert the same status, headers (in order) and bytes; return the lean answer."""
    a, b = lean.get(path, **options), full.get(path, **options)
    assert (a.status_code, a.headers.raw, a.content) == (b.status_code, b.headers.raw, b.content), path
    return a


def _world_certificates(full: TestClient, world) -> list[str]:
    """Issue two more certificates, withdraw one and suspend the other; return every certificate's number."""
    for number, org, action, extra in (("00126Q26101R0M/4500", "org1", "withdraw", {"cause": "other"}),
                                       ("00126Q26102R0M/4500", "org1", "suspend", {})):
        issued = full.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                           json=certificate_payload(world, number=number, org=org))
        assert issued.status_code == 201, issued.text
        changed = full.post(f"/api/v1/certificates/{issued.json()['id']}/{action}", headers=world.auth("cb_a"),
                            json={"reason": "测试原因", **extra})
        assert changed.status_code == 200, changed.text
    with full.app.state.engine.connect() as conn:
        return [number for (number,) in conn.execute(text("SELECT number FROM certificate ORDER BY id"))]


LANGUAGES = ({}, {"headers": {"Accept-Language": "en"}}, {"params": {"lang": "en"}}, {"cookies": {"lang": "en"}})


def test_verify_by_number_and_by_holder_answer_as_the_full_stack(twins, world):
    lean, full = twins()
    numbers = _world_certificates(full, world)
    counts = lean_layer(lean.app).answered
    for number in numbers + ["00126Q99999", "00126q26001r0m/4500"]:
        for options in LANGUAGES:
            query = f"?number={quote(number, safe='')}"
            if "params" in options:
                query += "&lang=en"
            same_answer(lean, full, VERIFY + query, **{k: v for k, v in options.items() if k != "params"})
    for body in ("00126", "00213", "99999", "CNCA-R-2002-126"):
        same_answer(lean, full, f"{VERIFY}?number={quote(numbers[0], safe='')}&body={body}")
    for uscc in (world.uscc["org1"], world.uscc["org2"], world.uscc["org1"].lower(), "91350100M000100Y43"):
        for options in LANGUAGES[:2]:
            same_answer(lean, full, HOLDER + uscc, **options)
    verified = counts[VERIFY]
    # Invalid input: the endpoint's validation, rendered by the app's handler, in the caller's language.
    for query in ("", "?number=", "?number=" + "x" * 61, "?number=x&body=" + "b" * 31, "?body=00126"):
        refused = same_answer(lean, full, VERIFY + query, headers={"Accept-Language": "en"})
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert counts[VERIFY] == verified + 5  # answered (refused) on the lean path, as FastAPI would
    # Not plain: FastAPI answers (a NUL character, a too-long or nested holder, HEAD, another method).
    held = dict(counts)
    assert same_answer(lean, full, f"{VERIFY}?number=a%00b").status_code == 422
    assert same_answer(lean, full, HOLDER + "9" * 41).status_code == 422
    assert same_answer(lean, full, HOLDER + "a%2Fb").status_code == 404
    assert lean.head(f"{VERIFY}?number=x").status_code == full.head(f"{VERIFY}?number=x").status_code
    assert lean.post(VERIFY).status_code == full.post(VERIFY).status_code == 405
    assert counts == held
    assert counts[HOLDER] == 8 and counts[VERIFY] > 40


def test_name_search_answers_as_the_full_stack(twins, world):
    lean, full = twins()
    numbers = _world_certificates(full, world)
    counts = lean_layer(lean.app).answered
    for q in ("北海", "海城", "格力", "格力電器", "示例电子", numbers[0], world.uscc["org2"], "没有这样的名字"):
        for options in LANGUAGES[:2]:
            same_answer(lean, full, f"{SEARCH}?q={quote(q)}", **options)
    page = same_answer(lean, full, f"{SEARCH}?q={quote('北海')}&limit=1").json()
    paged = [item["number"] for item in page["items"]]
    pages = 1
    while page["next_cursor"]:  # the cursor the lean path hands out is the full stack's, and it pages the same
        page = same_answer(lean, full, f"{SEARCH}?q={quote('北海')}&limit=1&cursor={page['next_cursor']}"
                           "&lang=en").json()
        paged += [item["number"] for item in page["items"]]
        pages += 1
    whole = same_answer(lean, full, f"{SEARCH}?q={quote('北海')}&limit=200").json()
    assert paged == [item["number"] for item in whole["items"]] and len(paged) >= 3
    bad_cursor = same_answer(lean, full, f"{SEARCH}?q=x&cursor=not-a-cursor")  # the app's own answer to it
    assert bad_cursor.status_code >= 400
    same_answer(lean, full, f"{SEARCH}?q={quote('北海')}&_=1700000000")  # a parameter no one declared: ignored
    answered = counts[SEARCH]
    assert answered == 16 + pages + 3
    # Filters, sorting, counts, peers, odd limits and repeats: FastAPI answers, as before.
    for query in ("q=x&limit=0", "q=x&limit=201", "q=x&limit=abc", "q=x&limit=020", "q=" + "x" * 101, "q=",
                  "q=%E5%8C%97&status=valid", "q=%E5%8C%97&sort=number", "q=%E5%8C%97&total=true",
                  "q=%E5%8C%97&q=x", "status=valid", "", "q=x&cursor=" + "c" * 201):
        same_answer(lean, full, f"{SEARCH}?{query}", headers={"Accept-Language": "en"})
    assert counts[SEARCH] == answered


def test_limits_and_quotas_are_the_full_stacks(twins, world):
    lean, full = twins(RATE_LIMIT_PUBLIC_BURST="3")
    answers = [same_answer(lean, full, f"{VERIFY}?number=x{i}") for i in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert answers[-1].headers["Retry-After"] and answers[-1].json()["code"] == "rate_limited.lookup"
    # The holder look-up and the search draw from the same budget, and are refused the same way.
    assert same_answer(lean, full, HOLDER + world.uscc["org1"], headers={"Accept-Language": "en"}).status_code == 429
    assert same_answer(lean, full, f"{SEARCH}?q=x").status_code == 429
    # A caller with an API key draws from its key's quota, and its answers are not cached (credentialed).
    keyed = [same_answer(lean, full, f"{VERIFY}?number=k{i}", headers=world.auth("cb_a")) for i in range(12)]
    assert [a.status_code for a in keyed] == [200] * 10 + [429] * 2
    assert keyed[0].headers["Cache-Control"] == "no-store" and keyed[0].headers["RateLimit-Limit"] == "10"
    assert keyed[-1].json()["code"] == "rate_limited.key"


def test_a_lean_answer_counts_in_the_limit_shared_through_redis(twins):
    prefix = f"cbtest-lean-{uuid.uuid4().hex[:8]}"
    lean, full = twins(REDIS_URL=REDIS_URL, REDIS_PREFIX=prefix, RATE_LIMIT_PUBLIC_BURST="4")
    # Two processes sharing one Redis share one budget: two answers each, the fifth is refused by either.
    statuses = [c.get(f"{VERIFY}?number=r{i}").status_code for i, c in enumerate((lean, full, lean, full))]
    assert statuses == [200, 200, 200, 200]
    assert lean.get(f"{VERIFY}?number=r5").status_code == 429
    assert full.get(f"{SEARCH}?q=x").status_code == 429
    assert lean_layer(lean.app).answered[VERIFY] == 2  # (a refusal is the limiter's, not the endpoint's answer)


def test_with_redis_down_a_lean_look_up_goes_on_with_this_processs_limit(twins):
    lean, full = twins(REDIS_URL="redis://127.0.0.1:1/0", RATE_LIMIT_PUBLIC_BURST="2")
    answers = [same_answer(lean, full, f"{VERIFY}?number=d{i}") for i in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert lean_layer(lean.app).answered[VERIFY] == 2


def test_without_rate_limits_the_lean_answer_carries_no_ratelimit_headers(twins, world):
    lean, full = twins(RATE_LIMIT_ENABLED="false")
    answer = same_answer(lean, full, f"{HOLDER}{world.uscc['org1']}")
    assert answer.status_code == 200 and "RateLimit-Limit" not in answer.headers
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert lean_layer(lean.app).answered[HOLDER] == 1
