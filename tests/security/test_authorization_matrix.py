"""Every route × every role gets exactly what tests/security/matrix.py says; refused writes change nothing."""

from __future__ import annotations

import hashlib
import json
import random
import re
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import inspect, select, text

from certbridge.auth.models import ApiKey, User
from certbridge.auth.sessions import COOKIE as SESSION_COOKIE
from certbridge.kit.uscc import generate_uscc
from certbridge.registry.models import Restriction
from tests.security import matrix_capabilities, matrix_web
from tests.security.matrix import CORE, ROLES, Case, Exempt
from tests.security.matrix_web import Page
from tests.world import PASSWORD

# The core routes, the capabilities' API routes, and the web pages and forms, each in its own file.
MATRIX = CORE + matrix_capabilities.CASES + matrix_web.CASES
CASES = [c for c in MATRIX if isinstance(c, Case)]
READS = [c for c in CASES if not c.writes]
WRITES = [c for c in CASES if c.writes]
PRIVATE_KEYS = {"password", "password_hash", "secret", "secret_hash", "token"}
PRIVATE_EVENT_TYPES = ("user.created", "user.password_set", "api_key.created", "api_key.revoked")
# Reads whose `token` field is a public signed credential (the one a certificate's QR code carries), not a secret.
PUBLIC_TOKENS = {("GET", "/api/v1/certificates/{certificate_id}/token")}
# Writes that answer, once, a secret the caller just created: a new watch's webhook signing secret.
ONE_TIME_SECRETS = {("POST", "/api/v1/watches"): "secret", ("POST", "/api/v1/complaints"): "secret"}
UNAUDITED_TABLES = {"audit_record", "alembic_version",
                    # the statistics' read model: folded from the log in the background at any moment, never a write
                    "stats_cursor", "stats_certificate", "stats_holder", "stats_delta"}


@pytest.fixture
def settings(settings):
    """The matrix's instance runs without periodic background work (CERTBRIDGE_BACKGROUND_WORK=false).

    Each case compares the stored data (or the ledger's new events and their actors) before and after one request.
    A test that runs past ten seconds — any test on a loaded machine — would otherwise meet the status sweep
    (it records date-driven changes, e.g. withdrawing a certificate overdue for surveillance, as `system`) and the
    integrity monitor and ledger loop (they write their watermarks and tree rows) between the two snapshots:
    "changed stored data" for a refused write, `system` among a successful write's actors, or the certificate
    already withdrawn. tests/security/test_background_off.py shows that the setting keeps them quiet.
    """
    return settings.model_copy(update={"background_work": False})


def app_routes(app) -> set[tuple[str, str]]:
    """Return (method, path) of every route the app serves (HEAD rides along with GET)."""
    out = set()
    for rc in iter_route_contexts(app.routes):
        methods = rc.methods or {"GET"}
        for method in methods - {"HEAD"}:
            out.add((method, rc.path))
    return out


def _values(world, seeded, sessions) -> dict[str, Any]:
    v: dict[str, Any] = {**world.ids, **seeded}
    v.update({f"uscc_{k}": code for k, code in world.uscc.items()})
    v["fresh_uscc"] = generate_uscc(random.Random(99), region="450502")
    with sessions() as s:
        v["restriction_a3"] = s.scalar(select(Restriction.id).where(Restriction.subject_type == "person",
                                                                    Restriction.subject_id == world.ids["a3"]))
    return v


def _headers(role: str, world, seeded) -> dict[str, str]:
    token = {"anonymous": None, "cb_a_ro": seeded["token_cb_a_ro"],
             "regulator_ro": seeded["token_regulator_ro"]}.get(role, world.tokens.get(role))
    return {"Authorization": f"Bearer {token}"} if token else {}


def _expected(case: Case, role: str) -> int | None:
    if role in case.outcomes:
        return case.outcomes[role]
    if role in case.allow:
        return None  # any 2xx (a form with `lands`: 303 there)
    if role == "anonymous":
        return 303 if isinstance(case, Page) else 401  # a browser is sent to the sign-in page
    return 403


def _check_status(response, case: Case, role: str, v) -> None:
    """Assert the status a role must get; a page refusing anonymous must send it to sign in, and come back."""
    want, where = _expected(case, role), f"{case.method} {case.path} as {role}"
    location = response.headers.get("location", "")
    if want is None and isinstance(case, Page) and case.writes and case.lands is not None:
        lands = case.lands(v) if callable(case.lands) else case.lands
        assert response.status_code == 303 and re.fullmatch(lands, location), \
            f"{where}: {response.status_code} to {location!r}, not 303 to {lands!r}: {response.text[:300]}"
    elif want is None:
        assert 200 <= response.status_code < 300, f"{where}: {response.status_code} {location} {response.text[:300]}"
    else:
        assert response.status_code == want, f"{where}: {response.status_code} {location} {response.text[:300]}"
        if want == 303 and role == "anonymous" and isinstance(case, Page):
            assert location.startswith("/login?next=%2F"), f"{where} redirects to {location!r}, not to sign in"


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def _path(case: Case, v) -> str:
    path = case.path
    for name, ref in case.params.items():
        value = v.get(ref, ref) if isinstance(ref, str) else ref
        path = path.replace("{" + name + "}", str(value))
    return path


def _send_web(client, case: Page, role: str, world, seeded, v, *, csrf: bool = True):
    """Send a page or form as the role's browser: its session cookie (a read-only key: Bearer), never another's.

    A form carries the CSRF token of exactly these credentials, read from a page the way a browser gets it;
    for a key or anonymous that is the anonymous cookie-bound token.
    """
    client.cookies.clear()
    cookie = seeded.get(f"web_cookie_{role}")
    headers = {} if cookie else _headers(role, world, seeded)
    if cookie:
        client.cookies.set(SESSION_COOKIE, cookie)
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    query = case.query(v) if callable(case.query) else case.query
    if query:
        kwargs["params"] = query
    if case.writes:
        data = dict(case.form(v) if callable(case.form) else case.form or {})
        if csrf:
            data["csrf_token"] = CSRF_FIELD.search(client.get("/login", headers=headers).text).group(1)
        kwargs["data"] = data
    if case.files is not None:
        kwargs["files"] = case.files(v)
    try:
        return client.request(case.method, _path(case, v), **kwargs)
    finally:
        client.cookies.clear()


def _send(client, case: Case, role: str, world, seeded, v):
    if isinstance(case, Page):
        return _send_web(client, case, role, world, seeded, v)
    path = _path(case, v)
    kwargs: dict[str, Any] = {"headers": _headers(role, world, seeded)}
    query = case.query(v) if callable(case.query) else case.query
    if query:
        kwargs["params"] = query
    if case.json is not None:
        kwargs["json"] = case.json(v) if callable(case.json) else case.json
    if case.files is not None:
        kwargs["files"] = case.files(v)
    if case.prepare is not None:
        kwargs.update(case.prepare(client, role, v))
    return client.request(case.method, path, **kwargs)


_TABLES: dict[str, list[str]] = {}  # table names per database URL: the schema does not change within a test


def _digest(sessions, skip: frozenset[str] = frozenset()) -> str:
    """Hash every row of every table but the audit trail (and `skip`): a refused write must leave it unchanged.

    Rows are read through the driver's own cursor (the same rows and values as through SQLAlchemy, without its
    per-row objects) and sorted, so an unchanged table hashes the same whatever order the database returns it in.
    """
    engine = sessions.kw["bind"]
    url = str(engine.url)
    if url not in _TABLES:
        _TABLES[url] = sorted(set(inspect(engine).get_table_names()) - UNAUDITED_TABLES)
    h = hashlib.sha256()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name in _TABLES[url]:
            if name in skip:
                continue
            cursor.execute(f'SELECT * FROM "{name}"')
            h.update(name.encode() + b"\0" + "\n".join(sorted(map(repr, cursor.fetchall()))).encode())
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return h.hexdigest()


def _log_size(sessions) -> int:
    with sessions() as s:
        return s.execute(text("SELECT COUNT(*) FROM ledger_event")).scalar_one()


def _secrets(world, seeded, sessions) -> list[str]:
    found = [PASSWORD, *world.tokens.values(), seeded["token_cb_a_ro"], seeded["token_regulator_ro"]]
    found += [t.split("_", 2)[2] for t in found[1:]]
    found += [value for key, value in seeded.items() if key.startswith("web_cookie_")]
    with sessions() as s:
        found += [h for h in s.scalars(select(User.password_hash)) if h]
        found += list(s.scalars(select(ApiKey.secret_hash)))
    return found


def _walk_keys(value):
    if isinstance(value, dict):
        for k, item in value.items():
            yield k
            yield from _walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_keys(item)


def assert_nothing_private(response, role: str, secrets: list[str], *, token_allowed: bool = False,
                           created_secret: str | None = None) -> None:
    """Fail if a response shows a secret, a private field, or (to non-regulators) private records."""
    body = response.text
    leaked = [s[:12] + "…" for s in secrets if s and s in body]
    assert not leaked, f"{response.request.method} {response.request.url.path} as {role} shows secrets {leaked}"
    if "json" in response.headers.get("content-type", ""):
        keys = set(_walk_keys(json.loads(body))) & PRIVATE_KEYS
        if token_allowed:
            keys.discard("token")
        keys.discard(created_secret)
        assert not keys, f"{response.request.url.path} as {role} has private fields {keys}"
    if role not in ("regulator", "regulator_ro", "admin"):
        # 周敏 is the inspector role's own person: only she (and regulators) may see her name.
        assert role == "inspector" or "周敏" not in body, f"{response.request.url.path} shows the inspector to {role}"
        shown = [t for t in PRIVATE_EVENT_TYPES if t in body]
        assert not shown, f"{response.request.url.path} shows non-public events {shown} to {role}"


def test_every_route_is_in_the_matrix(app):
    placed = {(c.method, c.path) for c in MATRIX}
    missing = sorted(app_routes(app) - placed)
    assert not missing, "routes with no place in the authorization matrix — add it to tests/security/matrix.py (core), matrix_capabilities.py (other API) or matrix_web.py (pages): " + \
        ", ".join(f"{m} {p}" for m, p in missing)


def test_matrix_names_only_real_routes(app):
    stale = sorted({(c.method, c.path) for c in CASES} - app_routes(app))
    assert not stale, f"tests/security/matrix.py names routes the app does not serve: {stale}"


def test_matrix_places_each_route_once():
    keys = [(c.method, c.path) for c in MATRIX]
    assert len(keys) == len(set(keys)), "a route appears twice in tests/security/matrix.py"
    assert all(not isinstance(c, Exempt) or c.reason for c in MATRIX)


def _setup(case: Case, client, v) -> None:
    if isinstance(case, Page) and case.setup is not None:
        v.update(case.setup(client, v))


@pytest.mark.parametrize("case", READS, ids=lambda c: f"{c.method} {c.path}")
def test_reads(case, client, world, seeded, sessions):
    v, secrets = _values(world, seeded, sessions), _secrets(world, seeded, sessions)
    _setup(case, client, v)
    for role in ROLES:
        response = _send(client, case, role, world, seeded, v)
        _check_status(response, case, role, v)
        assert_nothing_private(response, role, secrets, token_allowed=(case.method, case.path) in PUBLIC_TOKENS)


# A refusal (a role without the right, a form without its CSRF token) is decided by the same Python on either
# backend and must write nothing: those cases run on the SQLite pass only (tests/conftest.py leaves them out of the
# PostgreSQL pass and says how many). Every route's reads and every allowed write run on both.
_ONCE = pytest.mark.once_on_sqlite


def _write_params():
    for case in WRITES:
        yield pytest.param(case, None, id=f"{case.method} {case.path} [refused roles]", marks=_ONCE)
        for role in sorted(case.allow):
            yield pytest.param(case, role, id=f"{case.method} {case.path} [{role}]")
        if isinstance(case, Page):
            yield pytest.param(case, "no csrf", id=f"{case.method} {case.path} [no csrf]", marks=_ONCE)


def _assert_unchanged(sessions, before: str, size: int, where: str, skip: frozenset[str] = frozenset()) -> None:
    assert _log_size(sessions) == size, f"{where} appended to the ledger"
    assert _digest(sessions, skip) == before, f"{where} changed stored data"


def _job_count(sessions) -> int:
    with sessions() as s:
        return s.execute(text("SELECT COUNT(*) FROM job")).scalar_one()


@pytest.mark.parametrize(("case", "role"), list(_write_params()))
def test_writes(case, role, client, world, seeded, sessions):
    v, secrets = _values(world, seeded, sessions), _secrets(world, seeded, sessions)
    _setup(case, client, v)
    if role is None:
        # Each refused request must leave the data as it was before the first: one snapshot, compared after each.
        before, size = _digest(sessions), _log_size(sessions)
        for refused in [r for r in ROLES if r not in case.allow]:
            response = _send(client, case, refused, world, seeded, v)
            _check_status(response, case, refused, v)
            _assert_unchanged(sessions, before, size, f"{case.method} {case.path} as {refused}")
            assert_nothing_private(response, refused, secrets)
        return
    if role == "no csrf":
        # A form without its token is refused before anything is read or written, even for a role it allows.
        sender = sorted(case.allow)[0]
        before, size = _digest(sessions), _log_size(sessions)
        response = _send_web(client, case, sender, world, seeded, v, csrf=False)
        assert response.status_code == 403, f"{case.method} {case.path} as {sender} without CSRF token: " \
                                            f"{response.status_code} {response.headers.get('location')}"
        _assert_unchanged(sessions, before, size, f"{case.method} {case.path} without CSRF token")
        return
    size = _log_size(sessions)
    if getattr(case, "read_job", False):  # a read run as a job: the job is recorded, nothing else changes
        before, jobs = _digest(sessions, skip=frozenset({"job"})), _job_count(sessions)
        response = _send(client, case, role, world, seeded, v)
        assert client.app.state.jobs.wait_idle(60), "a background job the request started did not finish"
        _check_status(response, case, role, v)
        _assert_unchanged(sessions, before, size, f"{case.method} {case.path} as {role}", skip=frozenset({"job"}))
        assert _job_count(sessions) == jobs + 1, f"{case.path} as {role} recorded no job"
        return
    response = _send(client, case, role, world, seeded, v)
    assert client.app.state.jobs.wait_idle(60), "a background job the request started did not finish"
    _check_status(response, case, role, v)
    assert _log_size(sessions) > size, f"{case.path} as {role} succeeded without a ledger event"
    with sessions() as s:
        actors = set(s.scalars(text("SELECT actor FROM ledger_event WHERE seq >= :n"), {"n": size}))
    username = {"cb_a_ro": "cb_a", "regulator_ro": "regulator"}.get(role, role)
    if role == "anonymous":
        assert actors == {"anonymous"}, f"events of {role} carry actors {actors}"
    else:
        assert all(f":{username}" in a for a in actors), f"events of {role} carry actors {actors}"
    token_allowed = case.path.endswith("/keys") and case.method == "POST" and not isinstance(case, Page)
    assert_nothing_private(response, role, [s for s in secrets if s not in response.json().get("token", "")]
                           if token_allowed else secrets, token_allowed=token_allowed,
                           created_secret=ONE_TIME_SECRETS.get((case.method, case.path)))
