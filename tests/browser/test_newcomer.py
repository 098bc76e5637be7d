"""A newcomer's first hour, in Chinese and in English, in a real browser against a demo data set:

`certbridge demo` (its printed curl command run for real), a search, a verdict by 统一社会信用代码, a
certificate page, the console's sample CSV downloaded, checked and imported, the lab's console, the API docs,
and no untranslated code (`word.word_word`, `{field}`, `user:2`, `organization:431`, raw enum values) on any
page visited, and the regulator's first spot-check plan, batch and draw (`spot_check_walk`).
"""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import threading
import time

import pytest
import uvicorn
from playwright.sync_api import expect
from typer.testing import CliRunner

from certbridge.app import create_app
from certbridge.cli.main import app as cli_app
from tests.demo.conftest import empty_databases  # noqa: F401  (the fixture, for a fresh demo database)
from tests.demo.test_cli import _env
from tests.leaks import context_of, leaks

WORDS = {
    "zh": {"user": "用户名", "password": "密码", "sign_in": "登录", "check": "检查文件", "all_ok": "所有行都正确",
           "confirm": "确认导入", "imported": "已导入 1 张新证书", "valid": "真实有效", "sample": "下载 CSV 样例"},
    "en": {"user": "Username", "password": "Password", "sign_in": "Sign in", "check": "Check the file",
           "all_ok": "Every row is correct", "confirm": "Confirm import", "imported": "Imported 1 new certificate",
           "valid": "is genuine and valid", "sample": "Download a sample CSV"},
}
# The text a person reads (or hears): shown elements, without what the page marks translate="no" (user names,
# codes a person types) and without scripts.
READ_TEXT = """() => {
  const parts = [];
  const walk = (node) => {
    if (node.nodeType === 3) { parts.push(node.textContent); return; }
    if (node.nodeType !== 1 || node.getAttribute("translate") === "no") return;
    if (["SCRIPT", "STYLE", "TEMPLATE", "svg"].includes(node.tagName)) return;
    const style = getComputedStyle(node);
    if (style.display === "none" || style.visibility === "hidden") return;
    node.childNodes.forEach(walk);
  };
  walk(document.body);
  return parts.join(" ");
}"""
# On a Chinese page the navigation is all Chinese: only the language switch and "API" are Latin.
NAV_LATIN_ALLOWED = {"English", "API"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo(empty_databases):  # noqa: F811
    """Build a small demo data set with `certbridge demo`, serve it where the demo said; yield what it printed."""
    settings = empty_databases()
    port = _free_port()
    built = CliRunner().invoke(cli_app, ["demo", "--no-serve", "--size", "300", "--port", str(port)],
                               env=_env(settings))
    assert built.exit_code == 0, built.output
    settings.public_url = f"http://127.0.0.1:{port}"  # what `certbridge demo` serves with
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    accounts = json.loads((settings.data_dir / "demo-accounts.json").read_text(encoding="utf-8"))
    yield {"base": f"http://127.0.0.1:{port}", "output": built.output, "accounts": accounts}
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


class Walk:
    """A browser tab that checks every page it opens for untranslated codes."""

    def __init__(self, tab, lang: str) -> None:
        self.tab, self.lang, self.seen = tab, lang, []

    def check(self) -> str:
        """Assert the current page reads as people-words; return its text."""
        self.tab.wait_for_load_state()
        text = self.tab.evaluate(READ_TEXT)
        found = leaks(text, self.lang)
        assert not found, f"{self.tab.url}: " + "; ".join(f"{x!r} in …{context_of(text, x)}…" for x in found)
        if self.lang == "zh":
            nav = self.tab.inner_text("nav.main-nav") if self.tab.locator("nav.main-nav").count() else ""
            latin = set(re.findall(r"[A-Za-z][A-Za-z &]+[A-Za-z]", nav)) - NAV_LATIN_ALLOWED
            assert not latin, f"{self.tab.url}: English in the Chinese navigation: {latin}"
        self.seen.append(self.tab.url)
        return text

    def open(self, path: str) -> str:
        """Open a page and check it."""
        response = self.tab.goto(path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        return self.check()

    def job(self, button: str, timeout: float = 60_000) -> str:
        """Press a button that starts a background job (the import's check or run): the browser lands on the job
        page, which refreshes itself until the report replaces the progress; check the report."""
        before = self.tab.url
        self.tab.get_by_role("button", name=button).click()
        self.tab.wait_for_url(lambda url: re.search(r"/cb/import/jobs/\d+$", url) is not None and url != before,
                              timeout=timeout)
        expect(self.tab.locator("#job-progress")).to_have_count(0, timeout=timeout)
        return self.check()

    def sign_in(self, username: str, password: str) -> str:
        """Sign in through the form, as a person would."""
        words = WORDS[self.lang]
        self.open("/login")
        self.tab.get_by_label(words["user"]).fill(username)
        self.tab.get_by_label(words["password"]).fill(password)
        self.tab.get_by_role("button", name=words["sign_in"]).click()
        return self.check()


SPOT_WORDS = {
    "zh": {"plan": "新手的第一个抽查计划", "authority": "北海市市场监督管理局", "batch": "第一批：新手抽查",
           "revealed": "已揭晓", "verified": "已复核：重新抽取结果一致。", "saved": "已保存",
           "shortfalls": "未能抽足"},
    "en": {"plan": "A newcomer's first plan", "authority": "Beihai Market Regulation Bureau",
           "batch": "First batch: a newcomer's draw", "revealed": "revealed",
           "verified": "Verified: re-running gives the same list.", "saved": "Saved",
           "shortfalls": "could not get"},
}


def _drawn(tab) -> list[tuple[str, str]]:
    """Return the objects of the draw on the page with what its inspectors cell says (names, or a count)."""
    cells = tab.locator("table.stack tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.innerText.trim()))")
    return [(row[0], row[1]) for row in cells if row and row[0] != "*"]  # "*": someone excluded from the pool


def spot_check_walk(walk: Walk, accounts: list[dict]) -> None:
    """The first spot-check plan, batch and draw, through the regulator's pages as a newcomer does it.

    Signed in as the regulator: a new annual plan with the default class ratios, its first batch for the
    organizations' matter with the default ratios and dates (saved at the first try), the draw committed and then
    revealed. The newcomer then sees what they expect: a draw marked revealed and verified, the objects drawn with
    the inspectors assigned to each (or, where the directory has too few, a warning naming them — never a bare
    "saved"), the batch's draw listed on the plan, and the same draw on the public page without inspector names.
    """
    tab, words = walk.tab, SPOT_WORDS[walk.lang]
    walk.open("/regulator/supervision")
    plan_form = tab.locator("form[action='/regulator/supervision/plans']")
    plan_form.locator("input[name=name]").fill(words["plan"])
    plan_form.locator("input[name=authority]").fill(words["authority"])
    plan_form.locator("button[type=submit]").click()  # the class ratios left as they are: the defaults
    tab.wait_for_url(re.compile(r"/regulator/supervision/plans/\d+$"))
    plan_url = tab.url
    assert words["plan"] in walk.check()

    batch_form = tab.locator("form[action$='/batches']")
    batch_form.locator("input[name=name]").fill(words["batch"])
    matter = batch_form.locator("select[name=matter_id] option", has_text="RZ-ORG-01").get_attribute("value")
    batch_form.locator("select[name=matter_id]").select_option(matter)  # the organizations' matter
    batch_form.locator("button[type=submit]").click()  # dates and ratios as the form offers them
    tab.wait_for_load_state()
    text = walk.check()
    assert tab.url == plan_url and words["batch"] in text, text[:2000]
    assert tab.locator(".flash-error").count() == 0, tab.inner_text(".flash-error")

    batch = tab.locator(".result", has_text=words["batch"])
    batch.locator("button[type=submit]").click()  # commit the draw: the inputs are frozen, the seed committed
    tab.wait_for_url(re.compile(r"/regulator/supervision/draws/\d+$"))
    draw_url = tab.url
    walk.check()
    tab.locator("form[action$='/reveal'] button[type=submit]").click()
    tab.wait_for_load_state()
    text = walk.check()
    assert tab.url == draw_url
    flash = tab.locator(".flash").first.inner_text()
    assert words["revealed"] in tab.inner_text("dl") and words["verified"] in text
    drawn = _drawn(tab)
    assert drawn, "the draw selected nothing"
    lacking = [name for name, inspectors in drawn if not inspectors]
    if lacking:  # the directory had too few inspectors for some: the page says so instead of "saved"
        assert words["shortfalls"] in flash and words["saved"] not in flash, flash
    else:
        assert words["saved"] in flash, flash

    walk.open(plan_url)
    assert tab.locator(".result", has_text=words["batch"]).locator(f"a[href$='{draw_url.rsplit('/', 1)[-1]}']").count()
    draw_id = draw_url.rsplit("/", 1)[-1]
    public = walk.open(f"/publicity/draws/{draw_id}")
    assert words["verified"] in public
    assert [name for name, _ in _drawn(tab)] == [name for name, _ in drawn]  # the same objects, published


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_newcomer_path_reads_as_people_words(browser, demo, lang, tmp_path):
    words = WORDS[lang]
    base = demo["base"]
    # 1. the curl command the demo printed works as printed
    line = next(x for x in demo["output"].splitlines() if "curl" in x)
    ran = subprocess.run([*shlex.split(line[line.index("curl"):]), "--silent", "--show-error",
                          "--write-out", "\n%{http_code}"], capture_output=True, text=True, timeout=60)
    body, _, status = ran.stdout.rpartition("\n")
    assert status == "200", (line, ran.stdout, ran.stderr)
    found = json.loads(body)["items"]
    assert found, "the printed search term finds certificates"
    term = shlex.split(line)[-1].removeprefix("q=")

    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900},
                                  locale="zh-CN" if lang == "zh" else "en-US")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    walk = Walk(tab, lang)
    try:
        tab.goto(f"/lang/{lang}")
        # 2. the same search in the search box, then a certificate page
        walk.open("/")
        tab.fill("#q", term)
        tab.locator("form[role=search] button[type=submit]").click()
        results = walk.check()
        assert re.search(r"共 \d+ 条|\d+ in all", results)
        walk.open(f"/certificates/{found[0]['id']}")
        # 3. a verdict by 统一社会信用代码 names the certificate number
        holder = next((c for c in found if c["valid_now"]), found[0])
        walk.open("/")
        tab.fill("#q", holder["holder"]["uscc"])
        tab.locator("form[role=search] button[type=submit]").click()
        verdict = tab.inner_text(".verdict")
        walk.check()
        assert holder["number"] in verdict or not holder["valid_now"], verdict
        if holder["valid_now"]:
            assert words["valid"] in verdict
        # 4. the console's sample CSV: download, check, import
        operator = next(a for a in demo["accounts"] if a["role"] == "cb_operator")
        walk.sign_in(operator["username"], operator["password"])
        walk.open("/cb")
        walk.open("/cb/import")
        with tab.expect_download() as download:
            tab.get_by_text(words["sample"]).click()
        sample = tmp_path / f"sample-{lang}.csv"
        download.value.save_as(sample)
        tab.set_input_files("input[type=file]", str(sample))
        assert words["all_ok"] in walk.job(words["check"])
        assert words["imported"] in walk.job(words["confirm"])
        first = tab.locator("a[href^='/cb/certificates/']").first.get_attribute("href")
        walk.open(first)
        walk.open("/account/keys")
        # 5. the lab's console
        lab = next(a for a in demo["accounts"] if a["role"] == "lab_operator")
        context.clear_cookies()
        tab.goto(f"/lang/{lang}")
        walk.sign_in(lab["username"], lab["password"])
        assert tab.url.endswith("/lab")
        # 6. the regulator's registers, and the spot checks (see the hook)
        regulator = next(a for a in demo["accounts"] if a["role"] == "regulator")
        context.clear_cookies()
        tab.goto(f"/lang/{lang}")
        walk.sign_in(regulator["username"], regulator["password"])
        for path in ("/regulator", "/regulator/bodies", "/regulator/labs", "/regulator/people",
                     "/regulator/restrictions", "/regulator/reports", "/publicity"):
            walk.open(path)
        spot_check_walk(walk, demo["accounts"])
        assert len(walk.seen) >= 15
    finally:
        context.close()
