"""The demo data set: deterministic, valid by every domain rule, and fully explained by its ledger events."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict

import pytest
from sqlalchemy import func, select

from certbridge.certificates.export import export_certificates
from certbridge.certificates.models import Certificate
from certbridge.certificates.numbers import check_number, parse_ccc_number
from certbridge.certificates.snapshots import certificate_state
from certbridge.certificates.workflow import sweep_due
from certbridge.db import make_engine, make_sessionmaker, read_session, write_session
from certbridge.demo.dataset import (
    DatasetConflict, DatasetInfo, build_dataset, check_existing, manifest_path, read_manifest,
)
from certbridge.credit.lists import public_listings
from certbridge.credit.models import CreditRecord, Penalty
from certbridge.ledger.journal import LedgerEvent, log_size
from certbridge.ledger.private_entries import event_leaf
from certbridge.kit.uscc import validate_uscc
from certbridge.registry.bodies import body_can_issue
from certbridge.registry.models import CertificationBody, Organization, Restriction, Scheme
from certbridge.registry.snapshots import organization_state, restriction_state
from certbridge.settings import Settings
from certbridge.supervision.draws import verify_draw
from certbridge.supervision.models import InspectionTask, SpotCheckDraw
from certbridge.supervision.tasks import public_results
from tests.demo.conftest import AS_OF, INTERNATIONAL


def _sessions(settings):
    engine = make_engine(settings.resolved_database_url())
    return engine, make_sessionmaker(engine)


def _export(settings, path):
    engine, sessions = _sessions(settings)
    with read_session(sessions) as session:
        export_certificates(session, path)
    engine.dispose()
    return path.read_bytes()


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(demo_settings, empty_databases, tmp_path):
    again = empty_databases()
    build_dataset(again, size=400, seed=7, as_of=AS_OF)
    other = empty_databases()
    build_dataset(other, size=400, seed=8, as_of=AS_OF)
    first = _export(demo_settings, tmp_path / "a.csv")
    assert first.count(b"\n") == 401 + INTERNATIONAL
    assert _export(again, tmp_path / "b.csv") == first
    assert _export(other, tmp_path / "c.csv") != first
    assert _oversight(again) == _oversight(demo_settings) != _oversight(other)


def _oversight(settings):
    """What the supervision and credit demo data drew and decided, for comparing two builds."""
    engine, sessions = _sessions(settings)
    with read_session(sessions) as session:
        out = (sorted((d.seed, d.outputs_digest) for d in session.scalars(select(SpotCheckDraw))),
               sorted((t.object_key, t.result, t.completed_on, t.published_on)
                      for t in session.scalars(select(InspectionTask))),
               sorted((p.decision_number, p.party_uscc, p.decided_on) for p in session.scalars(select(Penalty))))
    engine.dispose()
    return out


def test_the_demo_has_spot_checks_penalties_listings_and_credit_scores_made_by_the_services(demo_settings):
    engine, sessions = _sessions(demo_settings)
    with read_session(sessions) as session:
        statuses = Counter(session.scalars(select(SpotCheckDraw.status)))
        assert statuses["revealed"] >= 1 and statuses["committed"] == 1  # one left for the reveal step
        for draw in session.scalars(select(SpotCheckDraw).where(SpotCheckDraw.status == "revealed")):
            assert verify_draw(session, draw) == []
        found = list(session.scalars(select(InspectionTask)))
        assert found and all(len([i for i in t.inspectors if i.active]) >= 2 for t in found)
        assert {t.status for t in found} >= {"published"} and any(t.result for t in found)
        assert len(public_results(session, limit=100)) == sum(t.status == "published" for t in found)
        items = list(session.scalars(select(Penalty)))
        assert len(items) == 6 and sum(p.published_on is not None for p in items) == 4
        listed = public_listings(session, on=AS_OF)
        assert len(listed) == 2 and all(item.penalty_id for item in listed)
        assert session.scalar(select(func.count()).select_from(CreditRecord)) > 0
        types = Counter(session.scalars(select(LedgerEvent.type).where(LedgerEvent.type.in_(
            ("draw.committed", "draw.revealed", "inspection.result_recorded", "penalty.decided", "dishonesty.listed",
             )))))
        assert types["draw.committed"] == sum(statuses.values()) and types["penalty.decided"] == 6
        assert types["dishonesty.listed"] == 2
        for item in listed:  # scored after the listing: the list weighs on the class
            record = session.scalar(select(CreditRecord).where(CreditRecord.subject_type == "organization",
                                                               CreditRecord.subject_id == item.subject_id))
            assert record is not None and record.computed_on == AS_OF
    engine.dispose()
    assert read_manifest(demo_settings).counts["penalties"] == 6


def test_every_record_passes_the_domain_validators(demo_settings):
    engine, sessions = _sessions(demo_settings)
    with read_session(sessions) as session:
        orgs = list(session.scalars(select(Organization)))
        domestic = [o for o in orgs if o.country is None]  # foreign holders have a country and no USCC
        assert domestic and all(validate_uscc(o.uscc).is_valid for o in domestic)
        assert all(o.region_code == o.uscc[2:8] for o in domestic)
        assert all(o.uscc is None and o.country for o in orgs if o.country is not None)
        bodies = {b.id: b for b in session.scalars(select(CertificationBody))}
        schemes = {s.code: s for s in session.scalars(select(Scheme))}
        certs = list(session.scalars(select(Certificate)))
        assert len(certs) == 400 + INTERNATIONAL
        for cert in (c for c in certs if bodies[c.body_id].country is None):  # foreign bodies number their own way
            scheme = schemes[cert.scheme_code]
            assert check_number(cert.number, pattern=scheme.number_pattern) == cert.number
            assert body_can_issue(bodies[cert.body_id], scheme.field_code, cert.issued_on) is None
            assert bodies[cert.body_id].approved_on <= cert.issued_on
            if cert.scheme_code == "CCC":
                assert parse_ccc_number(cert.number)["year"] == str(cert.issued_on.year)
            for audit in cert.audits:
                assert audit.auditors, cert.number
                for auditor in audit.auditors:
                    assert auditor.registration_number
            if cert.previous_id is not None:
                previous = session.get(Certificate, cert.previous_id)
                assert (previous.status, previous.status_reason) == ("expired", "renewed")
                assert previous.cycle + 1 == cert.cycle and previous.scheme_code == cert.scheme_code
        # Nothing the calendar forces is left undone: no overdue expiry, suspension or surveillance.
        assert sweep_due(session, on=AS_OF) == {"expired": 0, "withdrawn": 0, "suspended": 0}
    engine.dispose()


def test_mix_looks_like_the_national_register(demo_settings):
    engine, sessions = _sessions(demo_settings)
    with read_session(sessions) as session:
        statuses = Counter(session.scalars(select(Certificate.status)))
        schemes = Counter(session.scalars(select(Certificate.scheme_code)))
        renewed = session.scalar(select(func.count()).where(Certificate.previous_id.is_not(None)))
        two_char = session.scalar(select(func.count()).select_from(Organization)
                                  .where(Organization.name.like("%有限公司")))
    engine.dispose()
    assert 0.25 < statuses["valid"] / 400 < 0.6
    assert {"expired", "valid"} <= set(statuses) and len(statuses) >= 4
    assert schemes.most_common(1)[0][0] in ("QMS", "VOL", "EMS")
    assert renewed > 50 and two_char > 10


def test_events_replay_to_the_rows(demo_settings):
    engine, sessions = _sessions(demo_settings)
    with read_session(sessions) as session:
        folded: dict[tuple[str, str], dict] = {}
        events = list(session.scalars(select(LedgerEvent).order_by(LedgerEvent.seq)))
        assert [e.seq for e in events] == list(range(len(events))) and len(events) == log_size(session)
        for e in events:
            assert event_leaf(e.seq, e.public, e.body.encode(), e.nonce) == e.leaf_hash
            folded.setdefault((e.subject_type, e.subject_id), {}).update(e.data.get("state", {}))
        for cert in session.scalars(select(Certificate)):
            assert folded[("certificate", str(cert.id))] == json.loads(json.dumps(certificate_state(cert)))
        for org in session.scalars(select(Organization)):
            assert folded[("organization", str(org.id))] == organization_state(org)
        for r in session.scalars(select(Restriction)):
            assert folded[("restriction", str(r.id))] == restriction_state(r)
    engine.dispose()


def test_bulk_events_hash_exactly_as_the_event_journal(demo_settings):
    from certbridge.ledger.journal import EventDraft, event_body

    engine, sessions = _sessions(demo_settings)
    with read_session(sessions) as session:
        for e in session.scalars(select(LedgerEvent).where(LedgerEvent.subject_type == "certificate").limit(50)):
            draft = EventDraft(e.type, e.subject_type, e.subject_id, e.actor, e.data, e.public)
            stored = json.loads(e.body)  # certificate events name their previous event, by index and leaf hash
            chain = {k: stored[k] for k in ("prev", "prev_hash") if k in stored}
            assert event_body(e.seq, draft, e.at, **chain) == e.body.encode()
    engine.dispose()


def test_the_demo_serves_searches_and_verifications(demo_settings):
    from fastapi.testclient import TestClient

    from certbridge.app import create_app

    app = create_app(demo_settings)
    with TestClient(app) as client, read_session(app.state.sessions) as session:
        cert = session.scalars(select(Certificate).where(Certificate.status == "valid")).first()
        org = session.get(Organization, cert.organization_id)
        answer = client.get("/api/v1/verify", params={"number": cert.number}).json()
        assert answer["outcome"] == "valid" and answer["certificates"][0]["holder"]["uscc"] == org.uscc
        brand = re.sub(r"^.*?[市县区]", "", org.name)[:2]
        found = client.get("/api/v1/certificates", params={"q": brand, "limit": 200}).json()["items"]
        assert found and all(brand in item["holder"]["name"] for item in found)
    app.state.engine.dispose()


def test_a_second_data_set_into_the_same_database_is_refused(demo_settings):
    import pytest

    from certbridge.demo.dataset import DatasetConflict, check_existing

    with pytest.raises(DatasetConflict) as refused:
        check_existing(demo_settings, size=500, seed=7, as_of=None)
    assert refused.value.code == "demo.other_dataset"
    assert check_existing(demo_settings, size=400, seed=7, as_of=None).counts["certificates"] == 400 + INTERNATIONAL


def test_writes_after_the_demo_continue_the_log(demo_settings):
    from certbridge.principal import SYSTEM
    from certbridge.registry.service import register_organization
    from certbridge.kit.uscc import generate_uscc
    import random

    engine, sessions = _sessions(demo_settings)
    with write_session(sessions) as session:
        before = log_size(session)
        org = register_organization(session, principal=SYSTEM, name="北海市新来的测试有限公司",
                                    uscc=generate_uscc(random.Random(99), region="450502"))
        assert org.id > session.scalar(select(func.count()).select_from(Organization)) - 1
        assert log_size(session) == before + 1
        session.rollback()
    engine.dispose()


def test_a_data_set_from_the_previous_generator_is_reused_not_refused(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="test")
    (tmp_path / "certbridge.db").write_bytes(b"")
    info = DatasetInfo(size=1000, seed=7, as_of="2026-11-01", generator_version=1, database="sqlite:certbridge.db",
                       built_at="2026-11-01T00:00:00", seconds=1.0, counts={})
    manifest_path(settings).write_text(json.dumps(asdict(info)), encoding="utf-8")
    assert check_existing(settings, size=1000, seed=7, as_of=None) == info
    with pytest.raises(DatasetConflict):
        check_existing(settings, size=1000, seed=8, as_of=None)
    manifest_path(settings).write_text(json.dumps(asdict(info) | {"generator_version": 99}), encoding="utf-8")
    with pytest.raises(DatasetConflict):
        check_existing(settings, size=1000, seed=7, as_of=None)


def test_the_manifest_says_where_the_build_time_went(demo_settings):
    info = read_manifest(demo_settings)
    assert list(info.phases) == ["schema_and_registries", "certificates", "indexes", "supervision_and_credit",
                                 "accounts_and_checkpoint", "watches_and_bulk_files"]
    assert all(seconds >= 0 for seconds in info.phases.values())
    # The phases cover the whole build but the final counts and the rename (a fraction of a second here).
    assert sum(info.phases.values()) == pytest.approx(info.seconds, abs=1.0)


def test_a_manifest_written_before_phases_were_recorded_still_reads(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="test")
    old = {"size": 10, "seed": 1, "as_of": "2026-11-01", "generator_version": 2, "database": "sqlite:certbridge.db",
           "built_at": "2026-11-01T00:00:00", "seconds": 1.0, "counts": {}}
    manifest_path(settings).write_text(json.dumps(old), encoding="utf-8")
    assert read_manifest(settings).phases == {}
