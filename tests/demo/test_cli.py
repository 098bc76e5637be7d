"""`certbridge demo --no-serve`: builds, reuses, refuses another data set, prints working accounts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from certbridge.cli.main import app


def _env(settings) -> dict[str, str]:
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_LANG": "en"}
    if settings.database_url:
        env["CERTBRIDGE_DATABASE_URL"] = settings.database_url
    return env


def test_demo_builds_then_reuses_and_refuses_another_size(empty_databases):
    settings = empty_databases()
    runner = CliRunner()
    built = runner.invoke(app, ["demo", "--no-serve", "--size", "300", "--as-of", "2026-11-01"], env=_env(settings))
    assert built.exit_code == 0, built.output
    assert "300" in built.output and "admin" in built.output
    assert "索引 indexes" in built.output  # where the build time went, phase by phase
    accounts = json.loads((settings.data_dir / "demo-accounts.json").read_text(encoding="utf-8"))
    assert {a["role"] for a in accounts} >= {"admin", "regulator", "cb_operator", "inspector", "lab_operator"}

    reused = runner.invoke(app, ["demo", "--no-serve", "--size", "300"], env=_env(settings))
    assert reused.exit_code == 0 and "reusing" in reused.output

    refused = runner.invoke(app, ["demo", "--no-serve", "--size", "500"], env=_env(settings))
    assert refused.exit_code == 1
    assert "another demo data set" in refused.output and "--rebuild" in refused.output


def test_demo_accounts_work_against_the_api(empty_databases):
    from fastapi.testclient import TestClient

    from certbridge.app import create_app

    settings = empty_databases()
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--size", "300", "--as-of", "2026-11-01"],
                                env=_env(settings))
    assert result.exit_code == 0, result.output
    accounts = json.loads((settings.data_dir / "demo-accounts.json").read_text(encoding="utf-8"))
    operator = next(a for a in accounts if a["role"] == "cb_operator")
    application = create_app(settings)
    with TestClient(application) as client:
        mine = client.get("/api/v1/certificates", params={"body_id": operator["scope"]["body_id"], "limit": 1}).json()
        assert mine["items"]
        cert_id = mine["items"][0]["id"]
        refused = client.post(f"/api/v1/certificates/{cert_id}/suspend", json={"reason": "测试"})
        assert refused.status_code == 401
        r = client.post(f"/api/v1/certificates/{cert_id}/audits",
                        headers={"Authorization": f"Bearer {operator['api_key']}"},
                        json={"kind": "special", "start_on": "2026-10-01", "end_on": "2026-10-01", "auditors": []})
        assert r.status_code == 422  # authenticated as the body: the request reached the audit rules
    application.state.engine.dispose()


def test_a_database_that_is_not_a_demo_is_never_overwritten(tmp_path):
    (tmp_path / "certbridge.db").write_bytes(b"real data")
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--size", "300"],
                                env={"CERTBRIDGE_DATA_DIR": str(tmp_path), "CERTBRIDGE_LANG": "en"})
    assert result.exit_code == 1 and "not a demo data set" in result.output
    assert (tmp_path / "certbridge.db").read_bytes() == b"real data"


def test_demo_without_statistics_leaves_them_to_the_fold_which_then_agrees_with_the_log(empty_databases):
    from sqlalchemy import func, select

    from certbridge.db import make_engine, make_sessionmaker, read_session
    from certbridge.stats.models import StatsCursor, StatsDelta, StatsReport, StatsTarget

    settings = empty_databases()
    runner = CliRunner()
    built = runner.invoke(app, ["demo", "--no-serve", "--no-stats", "--size", "300", "--as-of", "2026-11-01"],
                          env=_env(settings))
    assert built.exit_code == 0, built.output
    engine = make_engine(settings.resolved_database_url())
    sessions = make_sessionmaker(engine)
    with read_session(sessions) as session:  # Beihai's reference targets only: nothing folded, no report
        assert session.scalar(select(func.count()).select_from(StatsTarget)) == 4
        assert session.scalar(select(func.count()).select_from(StatsDelta)) == 0
        assert session.scalar(select(func.count()).select_from(StatsReport)) == 0
        assert session.get(StatsCursor, 1) is None or session.get(StatsCursor, 1).size == 0
    folded = runner.invoke(app, ["stats", "fold"], env=_env(settings))
    assert folded.exit_code == 0, folded.output
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(StatsDelta)) > 0
    engine.dispose()
    checked = runner.invoke(app, ["stats", "recompute", "--as-of", "2026-11-01"], env=_env(settings))
    assert checked.exit_code == 0, checked.output
    shown = runner.invoke(app, ["stats", "show", "--on", "2026-11-01"], env=_env(settings))
    assert shown.exit_code == 0 and "450000" in shown.output, shown.output
