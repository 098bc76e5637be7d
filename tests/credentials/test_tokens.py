"""Certificate tokens: authentic offline, valid online only while the certificate is valid."""

from __future__ import annotations

from datetime import date, timedelta

from certbridge.credentials.qr import qr_svg
from certbridge.credentials.tokens import decode_token
from tests.ledger.conftest import published_keys


def _token(client, cert_id: int) -> dict:
    r = client.get(f"/api/v1/certificates/{cert_id}/token")
    assert r.status_code == 200
    return r.json()


def _check(client, token: str, lang: str = "en") -> dict:
    return client.get("/api/v1/tokens/verify", params={"token": token}, headers={"Accept-Language": lang}).json()


def test_a_token_carries_the_certificate_essentials_and_its_issue_event(client, issue, world):
    cert = issue()
    out = _token(client, cert["id"])
    payload = decode_token(out["token"])[0]
    history = client.get(f"/api/v1/certificates/{cert['id']}/history").json()
    assert payload == {"v": 1, "iss": "certbridge.local", "kid": payload["kid"], "id": cert["id"],
                       "no": cert["number"], "cb": "00126", "h": "北海市海城区示例电子有限公司",
                       "u": world.uscc["org1"], "s": "QMS", "i": "2025-03-01", "e": cert["expires_on"],
                       "seq": history[0]["seq"]}
    assert out["url"] == f"http://127.0.0.1:8000/v/{out['token']}"
    assert out["keys"] == published_keys(client, "credential")


def test_a_certificate_withdrawn_after_issue_is_authentic_but_never_valid_online(client, issue, act, cli):
    cert = issue()
    token = _token(client, cert["id"])["token"]
    assert _check(client, token)["valid_now"] is True
    act(cert["id"], "withdraw", cause="holder")
    check = _check(client, token)
    assert check["authentic"] is True and check["valid_now"] is False
    assert check["status"] == "withdrawn" and check["reason"] == "token.not_valid"
    assert check["message"] == "The token is genuine, but the certificate is now Withdrawn: it is not valid"
    assert "撤销" in _check(client, token, lang="zh")["message"]
    # Offline the same token is still authentic — and the CLI says that is all it proves.
    result = cli("verify-token", token, "--key", published_keys(client, "credential")[0])
    assert result.exit_code == 0, result.output
    assert "authenticity only" in result.output and cert["number"] in result.output


def test_suspension_and_restoration_show_up_at_once(client, issue, act):
    cert = issue()
    token = _token(client, cert["id"])["token"]
    act(cert["id"], "suspend")
    assert _check(client, token)["status"] == "suspended" and not _check(client, token)["valid_now"]
    act(cert["id"], "restore")
    assert _check(client, token)["valid_now"]


def test_a_certificate_past_its_expiry_does_not_verify_even_before_the_sweep(client, issue):
    issued = date.today() - timedelta(days=400)
    cert = issue(issued_on=issued.isoformat(), expires_on=(date.today() - timedelta(days=1)).isoformat())
    check = _check(client, _token(client, cert["id"])["token"])
    assert check["authentic"] and not check["valid_now"] and check["status"] == "expired"


def test_forged_and_tampered_tokens_are_refused(client, issue, cli):
    cert = issue()
    token = _token(client, cert["id"])["token"]
    body, sig = token.split(".")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    assert _check(client, f"{flipped}.{sig}")["authentic"] is False
    assert _check(client, "not-a-token")["reason"] == "token.malformed"
    other = cli("verify-token", token, "--key",
                "certbridge.local/credential+00000000+AQgDpn21kds2UEEQC6xGT1ARTGs75JNqJ4DvzMmiLnyE")
    assert other.exit_code == 1
    bad_sig = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    result = cli("verify-token", f"http://127.0.0.1:8000/v/{body}.{bad_sig}")
    assert result.exit_code == 1 and ("Invalid signature" in result.output or "not a valid" in result.output)


def test_qr_codes_carry_the_verification_url(client, issue):
    cert = issue()
    url = _token(client, cert["id"])["url"]
    svg = client.get(f"/api/v1/certificates/{cert['id']}/qr.svg")
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text == qr_svg(url)
    png = client.get(f"/api/v1/certificates/{cert['id']}/qr.png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert client.get("/api/v1/certificates/999999/qr.png").status_code == 404
