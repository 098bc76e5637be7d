"""Helpers for page tests: sign in through the form, read CSRF tokens, issue certificates directly."""

from __future__ import annotations

import re
from datetime import date

import pytest

from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.principal import SYSTEM
from tests.world import PASSWORD, certificate_payload

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Return the first CSRF token on a page."""
    match = TOKEN.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    """Sign in through the login form and return the response (a redirect on success)."""
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def post_form(client, page: str, action: str | None = None, data: dict | None = None, files=None, **kwargs):
    """Open a page, take its CSRF token, and post a form to `action` (default: the same page)."""
    token = csrf_from(client.get(page).text)
    return client.post(action or page, data={**(data or {}), "csrf_token": token}, files=files,
                       follow_redirects=kwargs.pop("follow_redirects", False), **kwargs)


@pytest.fixture
def signed_in(client):
    """Return a function that signs a seeded user in on the shared client."""

    def _sign_in(username: str):
        r = sign_in(client, username)
        assert r.status_code == 303, r.text
        return client

    return _sign_in


@pytest.fixture
def make_certificate(sessions, world):
    """Issue a certificate for body A directly through the service; return its id."""

    def _make(number: str = "00126Q26001R0M/4500", org: str = "org1", **overrides) -> int:
        draft = CertificateIn.model_validate(certificate_payload(world, number=number, org=org, **overrides))
        with write_session(sessions) as db:
            return issue_certificate(db, principal=SYSTEM, body_id=world.ids["body_a"], draft=draft,
                                     today=date.today()).id

    return _make
