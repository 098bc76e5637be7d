"""Property: over random histories of certificates and their body's approval, every stapled proof (form v2) says
"valid" exactly when the registry holds the certificate valid on the checkpoint's day, and every forged one fails:
a dropped tail, an edited state, a run of events that does not settle the verdict, a body part or a map path from
another checkpoint, a stale proof."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from certbridge.certificates import workflow
from certbridge.certificates.schemas import CertificateIn, ScopeChangeIn, StatusChangeIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import read_session, write_session
from certbridge.errors import DomainError
from certbridge.ledger import stapled
from certbridge.ledger.integrate import integrate_pending
from certbridge.ledger.offline import OfflineCheckError
from certbridge.ledger.status_verdict import CHINA
from certbridge.principal import SYSTEM
from certbridge.registry.bodies import set_body_status
from tests.ledger.conftest import published_keys

ACTIONS = ("issue", "suspend", "restore", "withdraw", "scope", "body_suspend", "body_restore", "integrate")
_numbers = itertools.count(1)


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"rate_limit_enabled": False})


def _apply(sessions, world, payload, certs: list[int], action: str, pick: int) -> None:
    target = certs[pick % len(certs)] if certs else None
    change = StatusChangeIn(reason="性质测试")
    with write_session(sessions) as session:
        if action in ("body_suspend", "body_restore"):
            set_body_status(session, principal=SYSTEM, body_id=world.ids["body_a"],
                            status="suspended" if action == "body_suspend" else "approved", reason="性质测试")
        elif action == "issue" or target is None:
            draft = CertificateIn.model_validate(payload(number=f"00126Q28{next(_numbers):04d}R0M/4500"))
            certs.append(issue_certificate(session, principal=SYSTEM, body_id=world.ids["body_a"], draft=draft).id)
        elif action in ("suspend", "restore", "withdraw"):
            getattr(workflow, f"{action}_certificate")(session, principal=SYSTEM, certificate_id=target, change=change)
        elif action == "scope":
            workflow.change_scope(session, principal=SYSTEM, certificate_id=target,
                                  change=ScopeChangeIn(scope=f"范围 {pick}", reason="扩大范围"))


def _registry_says_valid(sessions, cert_id: int, day) -> bool:
    with read_session(sessions) as session:
        status, issued, expires, body_status = session.connection().exec_driver_sql(
            f"SELECT c.status, c.issued_on, c.expires_on, b.status FROM certificate c JOIN certification_body b "
            f"ON b.id = c.body_id WHERE c.id = {int(cert_id)}").one()
    # the one rule (certificates/effective_status.py): a body's suspension or lapsed approval adds a reason but
    # leaves its certificates valid; only a revocation or withdrawal ends them (after a grace the proof takes as 0)
    return (status == "valid" and body_status not in ("revoked", "withdrawn")
            and str(issued) <= day.isoformat() <= str(expires))


def _refused(proof, key, **kw) -> bool:
    try:
        stapled.check_stapled(stapled.decode(stapled.encode(proof)), log_keys=[key], **kw)
    except OfflineCheckError:
        return True
    return False


@hsettings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 1000)), min_size=1, max_size=7))
def test_stapled_proofs_say_valid_exactly_when_valid_and_forgeries_fail(client, sessions, settings, world, payload,
                                                                      steps):
    key = published_keys(client, "log")[0]
    certs: list[int] = []
    earlier: dict[int, dict] = {}  # a proof of each certificate under an earlier checkpoint
    for action, pick in steps:
        if action == "integrate":
            integrate_pending(sessions, settings=settings)
            for cert_id in certs:
                r = client.get(f"/api/v1/certificates/{cert_id}/stapled-status")
                if r.status_code == 200:
                    earlier.setdefault(cert_id, r.json()["proof"])
            continue
        try:
            _apply(sessions, world, payload, certs, action, pick)
        except DomainError:
            pass  # a transition the status does not allow: refused, nothing appended
    for cert_id in certs:
        r = client.get(f"/api/v1/certificates/{cert_id}/stapled-status")
        assert r.status_code == 200, r.text
        proof = stapled.decode(r.json()["text"])
        result = stapled.check_stapled(proof, log_keys=[key])
        day = datetime.fromisoformat(result["as_of"]).astimezone(CHINA).date()
        assert result["valid"] == _registry_says_valid(sessions, cert_id, day)
        events = proof["events"]
        if len(events) > 1:  # the latest event left out
            assert _refused(dict(proof, events=events[:-1], inclusion_proofs=proof["inclusion_proofs"][:-1]), key)
            # the first event left out: the run no longer settles the dates and the body
            first = json.loads(events[0])
            if first.get("prev") is None:
                assert _refused(dict(proof, events=events[1:], inclusion_proofs=proof["inclusion_proofs"][1:]), key)
        for i, body in enumerate(events):  # any carried event's status edited
            for a, b in (('"status":"valid"', '"status":"suspended"'), ('"status":"suspended"', '"status":"valid"')):
                if a in body:
                    edited = [*events[:i], body.replace(a, b), *events[i + 1:]]
                    assert _refused(dict(proof, events=edited), key)
        assert _refused(proof, key, now=datetime.now(timezone.utc) + timedelta(days=8))  # stale
        old = earlier.get(cert_id)
        if old is not None and old["checkpoint"] != proof["checkpoint"]:
            if old["events"] != events:  # the certificate moved on: its old events under the new checkpoint
                assert _refused(dict(old, checkpoint=proof["checkpoint"]), key)
            if old["body_proof"]["events"] != proof["body_proof"]["events"]:  # the body moved on
                assert _refused(dict(proof, body_proof=old["body_proof"]), key)
            if old["map_proof"] != proof["map_proof"]:  # a path under another root
                assert _refused(dict(proof, map_proof=old["map_proof"]), key)
