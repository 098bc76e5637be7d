"""Property: every surface gives the same verdict for the same (certificate, date).

Hypothesis builds certificates through the services — in every state, with bodies approved, suspended,
revoked or withdrawn, standards current or superseded, holders with good or failing codes, listed or not —
with dates on and around every boundary relative to today (the day before, of and after the end date,
the end of a suspension, the standard's transition deadline, the end of the grace period after the
body's revocation). Then it reads the certificate everywhere a user can: verify by number (the event-loop
path and the session path with a body), by USCC, the name search, the `status=` filters (id order and
name order), the certificate page, the token check, the receipt, the export row, the API, the SQL
expression and the Python function; and once more after the sweep has recorded what was due. Beside the
agreement, DOMAIN rules are checked directly against the generated dates.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from certbridge.app import create_app
from certbridge.certificates.effective_status_sql import effective_status_sql
from certbridge.certificates.export import export_rows
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import AuditIn, CertificateIn, HolderIn, StatusChangeIn
from certbridge.certificates.service import issue_certificate
from certbridge.certificates.status_context import certificate_verdict
from certbridge.certificates.workflow import (
    cancel_certificate,
    expire_certificate,
    restore_certificate,
    suspend_certificate,
    sweep_due,
    withdraw_certificate,
)
from certbridge.db import read_session, write_session
from certbridge.kit.dates import add_months
from certbridge.kit.uscc import generate_uscc
from certbridge.principal import SYSTEM
from certbridge.registry import bodies, people, restrictions, schemes

TODAY = date.today()
STATUSES = ("valid", "suspended", "withdrawn", "cancelled", "expired")
NEAR = st.sampled_from([-2, -1, 0, 1, 2])  # the day before, of and after a boundary (± one more)
EXAMPLES = itertools.count(1)


@pytest.fixture
def app(settings):
    """The application, without per-client rate limits: this test reads a dozen surfaces per example.

    The limits are part of Settings (settings.py): the environment is read when Settings is built, not by
    create_app, so the switch goes on the settings object."""
    application = create_app(settings.model_copy(update={"rate_limit_enabled": False}))
    application.state.status_sweep = False  # the test sweeps when it means to
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app):
    """An HTTP client of that application."""
    with TestClient(app) as c:
        yield c


@st.composite
def cases(draw):
    """A certificate's story: its dates, what happened to it, its body, standard and holder."""
    expires = draw(st.one_of(NEAR, st.sampled_from([-400, -31, 31, 400]), st.integers(-800, 800)))
    return {
        "expires": expires,
        "history": draw(st.sampled_from(["valid", "suspended", "restored", "withdrawn", "cancelled", "expired"])),
        "suspended_until": draw(st.one_of(NEAR, st.sampled_from([30, -30]))),
        "body": draw(st.sampled_from(["approved", "suspended", "revoked", "withdrawn"])),
        "grace_edge": draw(NEAR),  # revocation date = three months ago + this
        "standard": draw(st.sampled_from(["current", "superseded"])),
        "deadline": draw(st.one_of(NEAR, st.sampled_from([-60, 60]))),
        "bad_uscc": draw(st.booleans()),
        "listed": draw(st.booleans()),
    }


def _build(session, rng_seed: int, case: dict) -> int:
    """Create the case through the services (as it would happen over time); return the certificate id."""
    import random

    n = next(EXAMPLES)
    rng = random.Random(rng_seed * 7919 + n)
    body = bodies.approve_body(session, principal=SYSTEM, code=f"{70000 + n}", approval_number=f"CNCA-R-2010-{n:03d}",
                               name=f"性质测试认证中心{n}号有限公司", fields=["SYS-QMS"], approved_on=date(2010, 1, 1))
    people.register_person(session, principal=SYSTEM, name=f"审核员{n}", kind="auditor", body_id=body.id,
                           registrations=[{"number": f"2020-N1QMS-9{n:06d}", "field": "QMS"}])
    code = f"T/PT {n}"
    old = schemes.publish_standard(session, principal=SYSTEM, scheme_code="QMS", code=code, version="2015",
                                   title="性质测试标准", published_on=date(2015, 1, 1))
    uscc = generate_uscc(rng, region="450502")
    if case["bad_uscc"]:
        uscc = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")
    expires_on = TODAY + timedelta(days=case["expires"])
    issued_on = expires_on - timedelta(days=1000)
    audit = issued_on - timedelta(days=5)
    recent = min(TODAY, expires_on) - timedelta(days=5)  # a surveillance audit, so surveillance is never overdue
    holder = f"性质测试第{n}号示例有限公司"
    cert = issue_certificate(session, principal=SYSTEM, body_id=body.id, today=TODAY, draft=CertificateIn(
        number=f"{70000 + n}Q10{n:04d}R0M", scheme="QMS", standard_code=code, standard_version="2015",
        holder=HolderIn(name=holder, uscc=uscc, address="广西北海市"), scope="电子元器件的生产",
        issued_on=issued_on, expires_on=expires_on,
        audits=[AuditIn(kind="initial", method="FS01", start_on=audit, end_on=audit,
                        auditors=[{"registration_number": f"2020-N1QMS-9{n:06d}", "role": "leader"}]),
                AuditIn(kind="surveillance", method="FS01", start_on=recent, end_on=recent,
                        auditors=[{"registration_number": f"2020-N1QMS-9{n:06d}", "role": "leader"}])]))
    history, until = case["history"], TODAY + timedelta(days=case["suspended_until"])
    suspend_on = max(issued_on + timedelta(days=1), until - timedelta(days=60))
    act = {"principal": SYSTEM, "certificate_id": cert.id, "today": TODAY}
    if history in ("suspended", "restored"):
        suspend_certificate(session, **act, change=StatusChangeIn(reason="测试暂停", on=suspend_on, until=until))
        back = suspend_on + timedelta(days=1)  # corrected the next day, if the suspension and validity allow
        if history == "restored" and back <= min(until, TODAY, expires_on):
            restore_certificate(session, **act, change=StatusChangeIn(reason="已纠正", on=back))
    elif history == "withdrawn":
        withdraw_certificate(session, **act, change=StatusChangeIn(reason="测试撤销", on=suspend_on, cause="other"))
    elif history == "cancelled":
        cancel_certificate(session, **act, change=StatusChangeIn(reason="持证人申请", on=suspend_on))
    elif history == "expired" and expires_on <= TODAY:
        expire_certificate(session, **act, change=StatusChangeIn(reason="validity_ended", on=expires_on))
    if case["standard"] == "superseded":
        schemes.publish_standard(session, principal=SYSTEM, scheme_code="QMS", code=code, version="2024",
                                 title="性质测试标准", published_on=date(2024, 1, 1), supersedes_id=old.id,
                                 transition_deadline=TODAY + timedelta(days=case["deadline"]))
    if case["listed"]:
        restrictions.impose_restriction(session, principal=SYSTEM, subject_type="organization",
                                        subject_id=cert.organization_id, kind="dishonesty_list",
                                        reason="严重违法失信", starts_on=TODAY - timedelta(days=10), ends_on=None)
    if case["body"] != "approved":
        bodies.set_body_status(session, principal=SYSTEM, body_id=body.id, status=case["body"], reason="测试",
                               on=add_months(TODAY, -3) + timedelta(days=case["grace_edge"]))
    return cert.id


def _ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def _surfaces(client, sessions, cert_id: int) -> dict[str, tuple[str, bool]]:
    """Read the certificate on every surface; return (status, valid) per surface."""
    seen: dict[str, tuple[str, bool]] = {}
    detail = _ok(client.get(f"/api/v1/certificates/{cert_id}"))
    seen["api"] = (detail["status"], detail["valid_now"])
    number, body_code, uscc, name = detail["number"], detail["body"]["code"], detail["holder"]["uscc"], \
        detail["holder"]["name"]

    def pick(items):
        (item,) = [c for c in items if c["id"] == cert_id]
        return item["status"], item["valid_now"]

    v = _ok(client.get("/api/v1/verify", params={"number": number}))
    seen["verify_number"] = pick(v["certificates"])
    assert (v["outcome"] == "valid") == seen["verify_number"][1]
    seen["verify_number_body"] = pick(_ok(client.get("/api/v1/verify", params={"number": number, "body": body_code}))
                                      ["certificates"])
    seen["verify_uscc"] = pick(client.get(f"/api/v1/verify/holder/{uscc}").json()["certificates"])
    seen["name_search"] = pick(client.get("/api/v1/certificates", params={"q": name}).json()["items"])
    for path, params in (("filter", {"body_id": detail["body"]["id"]}), ("name_filter", {"q": name})):
        hits = [s for s in STATUSES if cert_id in [i["id"] for i in _ok(client.get(
            "/api/v1/certificates", params={**params, "status": s}))["items"]]]
        assert len(hits) <= 1, hits
        seen[path] = (hits[0], hits[0] == "valid") if hits else ("none", False)
    page = client.get(f"/certificates/{cert_id}", params={"lang": "en"}).text
    heading = re.search(r'<h2 id="status-h">(.*?)</h2>', page, re.S).group(1)
    badge = re.search(r"</span> (\w+)</span>", heading).group(1).lower()
    seen["page"] = (badge, "Valid today" in heading and "Not valid today" not in heading)
    token = client.get(f"/api/v1/certificates/{cert_id}/token").json()["token"]
    check = client.get("/api/v1/tokens/verify", params={"token": token}).json()
    seen["token_check"] = (check["status"], check["valid_now"])
    receipt = client.get(f"/api/v1/certificates/{cert_id}/receipt.json")
    assert receipt.status_code == 200, receipt.text
    seen["receipt"] = (receipt.json()["certificate"]["status"], receipt.json()["certificate"]["valid"])
    with read_session(sessions) as session:
        row = next(r for r in export_rows(session, body_id=detail["body"]["id"]) if r["number"] == number)
        seen["export"] = (row["status"], row["valid"] == "true")
        cert = session.get(Certificate, cert_id)
        result = certificate_verdict(session, cert, TODAY)
        seen["python"] = (result.status, result.valid)
        sql = session.execute(select(effective_status_sql()).where(Certificate.id == cert_id), {"on": TODAY}).scalar()
        seen["sql"] = (sql, sql == "valid" and cert.issued_on <= TODAY)
    return seen


def _check_domain_rules(case: dict, status: str, valid: bool, codes: list[str]) -> None:
    """What DOMAIN.md says, checked against the generated dates, not against the implementation."""
    if case["expires"] < 0:
        assert not valid and status in ("expired", "withdrawn", "cancelled")
    if case["standard"] == "superseded" and case["deadline"] < 0:
        assert not valid
    if case["body"] in ("revoked", "withdrawn") and case["grace_edge"] <= 0:
        assert not valid  # three months after the revocation the grace period is over
    if valid and case["body"] in ("revoked", "withdrawn"):
        assert f"body_{case['body']}" in codes  # never "valid" without the warning
    if valid and case["standard"] == "superseded":
        assert "standard_superseded" in codes
    if case["history"] in ("withdrawn", "cancelled"):
        assert status == case["history"]
    if case["bad_uscc"]:
        assert "uscc_unverified" in codes
    if case["listed"]:
        assert "holder_dishonesty_list" in codes


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(case=cases(), seed=st.integers(0, 10_000))
def test_every_surface_gives_the_same_verdict(client, sessions, case, seed):
    with write_session(sessions) as session:
        cert_id = _build(session, seed, case)
    before = _surfaces(client, sessions, cert_id)
    expected = before["python"]
    assert all(seen == expected for seen in before.values()), (case, before)
    codes = [r["code"] for r in client.get(f"/api/v1/certificates/{cert_id}").json()["reasons"]]
    _check_domain_rules(case, *expected, codes)
    with write_session(sessions) as session:
        sweep_due(session, on=TODAY)
    after = _surfaces(client, sessions, cert_id)
    assert all(seen == expected for seen in after.values()), (case, after)
    assert [r["code"] for r in client.get(f"/api/v1/certificates/{cert_id}").json()["reasons"]] == codes
