"""Property: whatever the services append, every inclusion and consistency proof checks against signed checkpoints."""

from __future__ import annotations

import base64
import itertools

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from certbridge.certificates import workflow
from certbridge.certificates.schemas import CertificateIn, ScopeChangeIn, StatusChangeIn
from certbridge.certificates.service import issue_certificate
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.kit.merkle import leaf_hash, verify_consistency, verify_inclusion
from certbridge.ledger.integrate import integrate_pending
from certbridge.principal import SYSTEM
from certbridge.registry.service import update_organization
from tests.ledger.conftest import open_checkpoint

ACTIONS = ("issue", "suspend", "restore", "withdraw", "scope", "rename", "integrate")
_numbers = itertools.count(1)


@pytest.fixture
def settings(settings):
    """The same instance without per-client rate limits: every example walks the whole log (hundreds of look-ups)
    through one app, which a single anonymous client may not do (429, tests/security cover the limits)."""
    return settings.model_copy(update={"rate_limit_enabled": False})


def _apply(sessions, world, payload, certs: list[int], action: str, pick: int) -> None:
    target = certs[pick % len(certs)] if certs else None
    change = StatusChangeIn(reason="性质测试")
    with write_session(sessions) as session:
        if action == "issue" or target is None:
            draft = CertificateIn.model_validate(payload(number=f"00126Q27{next(_numbers):04d}R0M/4500"))
            certs.append(issue_certificate(session, principal=SYSTEM, body_id=world.ids["body_a"], draft=draft).id)
        elif action in ("suspend", "restore", "withdraw"):
            getattr(workflow, f"{action}_certificate")(session, principal=SYSTEM, certificate_id=target, change=change)
        elif action == "scope":
            workflow.change_scope(session, principal=SYSTEM, certificate_id=target,
                                  change=ScopeChangeIn(scope=f"范围 {pick}", reason="扩大范围"))
        elif action == "rename":
            update_organization(session, principal=SYSTEM, organization_id=world.ids["org2"],
                                changes={"name": f"北海格力电器配件有限公司{pick}"})


def _check_everything(client, notes: list[str]) -> None:
    checkpoints = [open_checkpoint(client, note) for note in notes]  # signatures verify with the published key
    latest = checkpoints[-1]
    for seq in range(latest.size):
        r = client.get(f"/api/v1/ledger/events/{seq}")
        assert r.status_code == 200, r.text
        event = r.json()
        r = client.get("/api/v1/ledger/proof/inclusion", params={"index": seq, "size": latest.size})
        assert r.status_code == 200, r.text
        proof = r.json()
        leaf = base64.b64decode(event["leaf_hash"])
        if event["body"] is not None:
            assert leaf_hash(event["body"].encode()) == leaf
        verify_inclusion(leaf, seq, latest.size, [base64.b64decode(h) for h in proof["proof"]], latest.root_hash)
    for old, new in itertools.combinations(checkpoints, 2):
        if old.size == 0 or old.size > new.size:
            continue
        proof = client.get("/api/v1/ledger/proof/consistency", params={"old": old.size, "new": new.size}).json()
        verify_consistency(old.size, new.size, [base64.b64decode(h) for h in proof["proof"]],
                           old.root_hash, new.root_hash)


@hsettings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 1000)), min_size=1, max_size=8))
def test_every_proof_checks_against_signed_checkpoints(client, sessions, settings, world, payload, steps):
    certs: list[int] = []
    notes = [client.get("/log/checkpoint").text]
    for action, pick in steps:
        if action == "integrate":
            integrate_pending(sessions, settings=settings)
            notes.append(client.get("/log/checkpoint").text)
            continue
        try:
            _apply(sessions, world, payload, certs, action, pick)
        except DomainError:
            pass  # a transition the status does not allow: refused, nothing appended
    notes.append(client.get("/log/checkpoint").text)  # the endpoint integrates what is pending
    _check_everything(client, notes)
