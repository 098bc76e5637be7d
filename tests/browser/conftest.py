"""Browser tests: a real uvicorn server on a free port with the test database, driven by Debian's chromium."""

from __future__ import annotations

import os
import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import uvicorn

from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.principal import SYSTEM
from tests.world import PASSWORD, certificate_payload

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(app):
    """Serve the test's app with uvicorn in a background thread; yield its base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Launch chromium once per session (never `playwright install`: Debian's chromium is used)."""
    if not CHROMIUM.exists():
        pytest.fail("chromium not found at /usr/bin/chromium: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    """Open a desktop-sized page on the test server (Chinese first, like a visitor in China)."""
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def phone(browser, server):
    """Open a phone-sized page (375×812, touch)."""
    context = browser.new_context(base_url=server, viewport={"width": 375, "height": 812}, locale="zh-CN",
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def shot(tmp_path):
    """Take a screenshot of a page; it refreshes docs/screenshots/<name>.png only when asked to.

    A normal run writes into the test's temporary directory so the work tree stays clean;
    `CERTBRIDGE_UPDATE_SCREENSHOTS=1 bash scripts/test` (or pytest tests/browser) refreshes the documented ones.
    """
    folder = SCREENSHOTS if os.environ.get("CERTBRIDGE_UPDATE_SCREENSHOTS") == "1" else tmp_path

    def _shot(tab, name: str, full_page: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        tab.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 0, f"empty screenshot {name}"
        return path

    return _shot


@pytest.fixture
def make_certificate(sessions, world):
    """Issue a certificate for body A directly through the service; return its id."""

    def _make(number: str, org: str = "org1", **overrides) -> int:
        draft = CertificateIn.model_validate(certificate_payload(world, number=number, org=org, **overrides))
        with write_session(sessions) as db:
            return issue_certificate(db, principal=SYSTEM, body_id=world.ids["body_a"], draft=draft,
                                     today=date.today()).id

    return _make


@pytest.fixture
def login():
    """Sign a seeded user in through the form, as a person would."""

    def _login(tab, username: str):
        tab.goto("/login")
        tab.get_by_label("用户名").fill(username)
        tab.get_by_label("密码").fill(PASSWORD)
        tab.get_by_role("button", name="登录").click()
        tab.wait_for_load_state()

    return _login
