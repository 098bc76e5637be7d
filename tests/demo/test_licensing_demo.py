"""The demo has licensing cases in several states, filed by its applicant account and handled through the services."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from certbridge.app import create_app
from certbridge.cli.main import app
from certbridge.db import read_session
from certbridge.licensing.case_models import LicensingCase
from tests.demo.test_cli import _env


def test_the_demo_shows_licensing_cases_in_several_states(empty_databases):
    settings = empty_databases()
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--size", "300", "--as-of", "2026-11-01"],
                                env=_env(settings))
    assert result.exit_code == 0, result.output
    application = create_app(settings)
    with read_session(application.state.sessions) as db:
        cases = list(db.scalars(select(LicensingCase)))
        states = Counter(c.state for c in cases)
        licensed = [c.licence_number for c in cases if c.state == "licensed"]
        recused = [p["reason"] for c in cases if c.state == "in_review" for p in c.review_team["recused"]]
    assert {"draft", "submitted", "correcting", "in_review", "accepted", "licensed"} <= set(states), states
    assert len(licensed) == 2
    assert "declared_consulting" in recused  # a reviewer who declared a relationship with the applicant
    with TestClient(application) as client:
        for number in licensed:
            page = client.get(f"/licences/{number}")
            assert page.status_code == 200 and "/v/l/" in page.text
    application.state.engine.dispose()
