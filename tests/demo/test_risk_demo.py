"""The demo holds complaints in every state, risk signals with evidence, warnings (two decided) and an alert."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from certbridge.complaints.models import Complaint
from certbridge.db import make_engine, make_sessionmaker, read_session
from certbridge.demo.dataset import read_manifest
from certbridge.risk.alerts import alerts_for_certificate
from certbridge.risk.models import BodyDisclosure, ConsumerAlert, EarlyWarning, RiskScore, RiskSignal


def test_the_demo_has_complaints_signals_warnings_and_an_alert(demo_settings):
    engine = make_engine(demo_settings.resolved_database_url())
    sessions = make_sessionmaker(engine)
    with read_session(sessions) as session:
        statuses = Counter(session.scalars(select(Complaint.status)))
        assert set(statuses) >= {"received", "accepted", "investigating", "mediating", "closed", "rejected"}
        assert sum(statuses.values()) == 12
        signals = Counter(session.scalars(select(RiskSignal.signal)))
        assert signals["complaints"] >= 1 and len(signals) >= 3
        assert session.scalar(select(RiskScore).limit(1)) is not None
        warnings = Counter(session.scalars(select(EarlyWarning.status)))
        assert warnings["open"] >= 1 and warnings["dismissed"] == 1 and warnings["inspect"] == 1
        alert = session.scalar(select(ConsumerAlert))
        assert alert.seq >= 0 and alerts_for_certificate(session, alert.certificate_ids[0])
        kinds = Counter(session.scalars(select(BodyDisclosure.kind)))  # every approved body discloses
        assert kinds["commitment"] >= 2 and kinds["annual_report"] >= 2
        late = session.scalars(select(RiskSignal).where(RiskSignal.signal == "late_report")).all()
        assert late and all(s.evidence["reports"] for s in late)
    engine.dispose()
    assert read_manifest(demo_settings).counts["complaints"] == 12
