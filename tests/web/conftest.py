"""Helpers for page tests: sign in through the form, read CSRF tokens, issue certificates directly."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.kit.uscc import generate_uscc
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


def follow_job(client, response, timeout: float = 60.0):
    """Follow a form's redirect to its background job's page until the job is done; return that last answer.

    A job page shows the progress (`id="job-progress"`, refreshing itself) while the job runs; afterwards it shows
    the result, or (a finished import) redirects to where the result is shown.
    """
    import time

    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    assert "/jobs/" in location, location
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(location, follow_redirects=False)
        if 'id="job-progress"' not in page.text:
            return page
        assert time.monotonic() < deadline, f"the job at {location} did not finish in {timeout} s"
        time.sleep(0.05)


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


def issue_to_two_holders_named_alike(make_certificate, count: int, series: int) -> list[str]:
    """Issue `count` certificates numbered 00126Q<series>… alternately to org1 and to a later holder also named
    …示例电子…; return the numbers in (holder, certificate) order, the order a name search lists them in."""
    other = {"name": "北海市示例电子配件有限公司", "uscc": generate_uscc(random.Random(series), region="450502"),
             "address": "广西北海市银海区 2 号"}
    first, second = [], []
    for i in range(count):
        number = f"00126Q{series}{i:03d}R0M/4500"
        if i % 2:
            make_certificate(number, holder=other)
            second.append(number)
        else:
            make_certificate(number, org="org1")
            first.append(number)
    return first + second
