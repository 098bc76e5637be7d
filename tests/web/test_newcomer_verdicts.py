"""A verdict by 统一社会信用代码 names the certificate numbers; system status reasons read as words."""

from __future__ import annotations

import re
from datetime import date

from certbridge.certificates import workflow
from certbridge.db import write_session
from tests.leaks import leaks, visible_text


def _verdict(html: str) -> str:
    return " ".join(visible_text(html.split('class="verdict')[1].split("</section>")[0]).split())


def test_a_uscc_verdict_names_the_valid_certificate(client, world, make_certificate):
    make_certificate("00126Q26071R0M/4500", org="org1")
    zh = _verdict(client.get("/", params={"q": world.uscc["org1"]}).text)
    assert "证书 00126Q26071R0M/4500 真实有效" in zh, zh
    assert "证书  " not in zh
    en = _verdict(client.get("/", params={"q": world.uscc["org1"], "lang": "en"}).text)
    assert "Certificate 00126Q26071R0M/4500 is genuine and valid" in en, en


def test_an_expired_certificate_says_why_in_words(client, sessions, world, make_certificate):
    cert_id = make_certificate("00126Q26072R0M/4500", org="org2")
    with write_session(sessions) as db:
        # the system writes coded reasons: surveillance overdue → suspended, then (effective-status rules,
        # DOMAIN.md) the suspension runs out uncorrected → withdrawn, dated when each took effect
        workflow.sweep_due(db, on=date(2028, 3, 1))
    verdict = _verdict(client.get("/", params={"q": world.uscc["org2"]}).text)
    said = re.search(r"证书 00126Q26072R0M/4500 存在，但[^（]*（([^）]+)）", verdict)
    # words, not suspension_not_corrected / validity_ended
    assert said and said.group(1) in ("暂停期满未纠正", "有效期届满", "监督审核逾期未实施"), verdict
    assert not leaks(verdict), leaks(verdict)
    page = visible_text(client.get(f"/certificates/{cert_id}").text)
    assert said.group(1) in page and not leaks(page), leaks(page)
