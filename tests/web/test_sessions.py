"""Sign-in sessions and CSRF: server-side, hashed, revocable, and every form refuses a forged post."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from certbridge.auth.models import WebSession
from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from tests.web.conftest import csrf_from, sign_in
from tests.world import PASSWORD


def test_sign_in_stores_only_the_hash_and_sets_a_safe_cookie(client, sessions):
    r = sign_in(client, "cb_a")
    assert r.status_code == 303 and r.headers["location"] == "/cb"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("cb_session="))
    token = cookie.split(";")[0].split("=", 1)[1]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # tests run over http; https turns it on
    with read_session(sessions) as db:
        stored = list(db.scalars(select(WebSession.token_hash)))
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_cookie_is_secure_over_https(app, world):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver") as secure:
        r = sign_in(secure, "cb_a")
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("cb_session="))
        assert "Secure" in cookie


def test_wrong_password_says_so_in_the_users_language(client):
    zh = sign_in(client, "cb_a", "wrong-password-1")
    assert zh.status_code == 401 and "用户名或密码不正确" in zh.text
    assert 'value="cb_a"' in zh.text  # the username is kept, the password is not
    client.cookies.set("lang", "en")
    en = sign_in(client, "nobody", "wrong-password-1")
    assert "Wrong username or password" in en.text


def test_signed_in_header_and_sign_out_revokes_the_session_on_the_server(client, sessions):
    sign_in(client, "cb_a")
    token = client.cookies.get("cb_session")
    page = client.get("/cb")
    assert page.status_code == 200 and "退出" in page.text
    out = client.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    with read_session(sessions) as db:
        assert db.scalar(select(WebSession.revoked_at)) is not None
    client.cookies.set("cb_session", token)  # a stolen copy of the cookie is worthless now
    again = client.get("/cb", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_sign_in_and_out_are_in_the_ledger_without_secrets(client, sessions):
    sign_in(client, "cb_a")
    token = client.cookies.get("cb_session")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    with read_session(sessions) as db:
        events = db.execute(select(LedgerEvent.type, LedgerEvent.public, LedgerEvent.body).where(
            LedgerEvent.type.in_(("web.signed_in", "web.signed_out"))).order_by(LedgerEvent.seq)).all()
    assert [e.type for e in events] == ["web.signed_in", "web.signed_out"]
    assert all(not e.public for e in events)
    for e in events:
        assert token not in e.body and PASSWORD not in e.body
        assert json.loads(e.body)["actor"].startswith("user:")


def test_console_sends_anonymous_visitors_to_sign_in_and_back(client):
    r = client.get("/cb/certificates/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fcb%2Fcertificates%2Fnew"
    login_page = client.get(r.headers["location"])
    token = csrf_from(login_page.text)
    done = client.post("/login", data={"username": "cb_a", "password": PASSWORD, "csrf_token": token,
                                       "next": "/cb/certificates/new"}, follow_redirects=False)
    assert done.headers["location"] == "/cb/certificates/new"


def test_sign_in_never_redirects_off_site(client):
    token = csrf_from(client.get("/login").text)
    r = client.post("/login", data={"username": "cb_a", "password": PASSWORD, "csrf_token": token,
                                    "next": "https://evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/cb"


def test_post_without_csrf_token_is_refused_with_a_clear_page(client):
    r = client.post("/login", data={"username": "cb_a", "password": PASSWORD})
    assert r.status_code == 403
    assert "表单已过期或并非来自本站" in r.text
    r = client.post("/report", data={"number": "X1"}, headers={"Accept-Language": "en"})
    assert r.status_code == 403 and "did not come from this site" in r.text
    assert client.cookies.get("cb_session") is None


def test_anonymous_token_is_bound_to_its_cookie(client, app):
    from fastapi.testclient import TestClient

    token = csrf_from(client.get("/report").text)
    with TestClient(app) as other:  # another browser cannot replay it
        other.get("/report")
        assert other.post("/report", data={"number": "X1", "csrf_token": token}).status_code == 403
    assert client.post("/report", data={"number": "X1", "csrf_token": token}).status_code in (200, 303)


def test_session_token_differs_from_anonymous_and_old_tokens_stop_working(client, signed_in):
    anonymous = csrf_from(client.get("/report").text)
    signed_in("cb_a")
    page = client.get("/account/keys")
    assert csrf_from(page.text) != anonymous
    r = client.post("/account/keys", data={"name": "x", "csrf_token": anonymous})
    assert r.status_code == 403


# Posts of machine protocols, answered by a signature in the body, never by a cookie: no page form, no CSRF token.
MACHINE_POSTS = {"/witness/add-checkpoint"}


def test_every_page_form_post_checks_csrf(app, client, signed_in):
    signed_in("regulator")
    posts = []
    for route in app.routes:
        for sub in getattr(getattr(route, "original_router", None), "routes", [route]):
            path, methods = getattr(sub, "path", ""), getattr(sub, "methods", set()) or set()
            if "POST" in methods and not path.startswith("/api/") and path not in MACHINE_POSTS:
                posts.append(path)
    assert len(posts) >= 20
    for path in posts:
        url = path.replace("{certificate_id}", "1").replace("{action}", "suspend").replace("{upload_id}", "1")
        for name in ("body_id", "lab_id", "person_id", "restriction_id", "report_id", "key_id"):
            url = url.replace("{" + name + "}", "1")
        r = client.post(url, data={"reason": "x"})
        assert r.status_code == 403, (path, r.status_code)


def test_cookie_session_cannot_write_through_the_json_api(client, world, signed_in):
    signed_in("cb_a")
    assert client.get("/api/v1/me").status_code == 200  # reads are fine
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", json={})
    assert r.status_code == 401  # writes need an API key, so a cross-site form cannot use the cookie
