"""The QR landing page /v/{token}: every verdict of the online token check, in words a visitor understands."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from certbridge.credentials import pages as credential_pages


@dataclass(frozen=True)
class Check:
    authentic: bool
    reason: str
    payload: dict | None
    status: str | None
    valid_now: bool
    certificate_id: int | None
    changed_fields: tuple = field(default=())


@pytest.fixture
def verdict(monkeypatch):
    """Make the token check answer what a test says (the real one is tested with the credentials capability)."""

    def _set(check):
        monkeypatch.setattr(credential_pages, "verify_token_online", lambda session, settings, token: check)

    return _set


def test_valid_token_shows_the_certificate(client, verdict, make_certificate):
    cid = make_certificate("00126Q26901R0M/4500")
    verdict(Check(True, "token.valid", {"id": cid}, "valid", True, cid))
    page = client.get("/v/abc")
    assert page.status_code == 200
    assert "真实，且目前有效" in page.text and "00126Q26901R0M/4500" in page.text
    assert f'href="/certificates/{cid}"' in page.text


def test_forged_token_says_not_authentic_and_offers_a_report(client, verdict):
    verdict(Check(False, "token.bad_signature", None, None, False, None))
    page = client.get("/v/forged")
    assert page.status_code == 400
    assert "该二维码不是真实的" in page.text and 'href="/report"' in page.text
    en = client.get("/v/forged?lang=en")
    assert "This QR code is not authentic" in en.text


def test_other_registrys_token_names_it(client, verdict):
    verdict(Check(False, "token.other_issuer", {"iss": "guangxi.example"}, None, False, None))
    assert "另一平台（guangxi.example）" in client.get("/v/x").text


def test_suspended_certificate_is_authentic_but_not_valid(client, verdict, make_certificate):
    cid = make_certificate("00126Q26902R0M/4500")
    verdict(Check(True, "token.not_valid", {"id": cid}, "suspended", False, cid))
    page = client.get("/v/x").text
    assert "真实，但目前无效" in page and "证书暂停期间不得使用，视为无效" in page


def test_outdated_token_names_what_changed(client, verdict, make_certificate):
    cid = make_certificate("00126Q26903R0M/4500")
    verdict(Check(True, "token.outdated", {"id": cid}, "valid", False, cid, ("h", "e")))
    page = client.get("/v/x").text
    assert "真实，但信息已过时" in page and "获证组织名称、有效期" in page


def test_certificate_qr_code_round_trip(client, sessions, make_certificate):
    """With the credentials capability: the page's QR token verifies, and a tampered one does not."""
    import re

    cid = make_certificate("00126Q26904R0M/4500")
    page = client.get(f"/certificates/{cid}").text
    assert "<svg" in page and f"/api/v1/certificates/{cid}/receipt.pdf" in page
    token = re.search(r'href="/v/([^"]+)"', page).group(1)
    landing = client.get(f"/v/{token}")
    assert landing.status_code == 200 and "真实，且目前有效" in landing.text and "00126Q26904R0M/4500" in landing.text
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    forged = client.get(f"/v/{tampered}")
    assert forged.status_code == 400 and "该二维码不是真实的" in forged.text
