"""The demo shows statistics: Beihai's targets with progress, a county target, last month's signed reports."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.db import make_engine, make_sessionmaker, read_session
from certbridge.stats import queries
from certbridge.stats.models import StatsReport, StatsTarget
from certbridge.stats.recompute import compare_with_log
from tests.demo.conftest import AS_OF


def test_the_demo_has_targets_reports_and_figures_that_recompute(demo_settings):
    engine = make_engine(demo_settings.resolved_database_url())
    with read_session(make_sessionmaker(engine)) as session:
        targets = list(session.scalars(select(StatsTarget)))
        assert {(t.region_code, t.threshold) for t in targets if t.reference} == {
            ("450500", 800), ("450500", 300), ("450500", 850), ("450500", 320)}
        assert any(t.region_code == "450502" and t.published for t in targets)
        reports = {(r.region_code, r.month) for r in session.scalars(select(StatsReport))}
        assert reports == {("000000", "2026-10"), ("450500", "2026-10")}
        beihai = queries.figure(session, measure="certificates", region="450500", on=AS_OF)
        nation = queries.figure(session, measure="certificates", region="000000", on=AS_OF)
        assert 0 < beihai < nation
        assert compare_with_log(session, on=AS_OF)["differences"] == []
    engine.dispose()
