"""`certbridge stats` prints the page's tables and recomputes from the log; monthly reports are signed documents."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from certbridge.cli.main import app as cli_app
from certbridge.db import write_session
from certbridge.kit.signed_note import Verifier
from certbridge.ledger.keys import local_verifier_key
from certbridge.stats.reports import make_due_reports, signed_line
from certbridge.stats.models import StatsReport
from certbridge.stats.targets import load_reference_targets


@pytest.fixture
def app(app):
    # No monthly reports in the background: a minute after start-up (a slow build of the story on a busy machine)
    # the first one registers the credential key, a new event and checkpoint between the page and the recompute.
    app.state.stats_reports = False
    # Nor credit's background follow-up: five seconds after start-up it scores the story's events and records a
    # credit event, which the CLI integrates — a new checkpoint between the page and the recompute.
    app.state.credit_follow_interval = None
    return app


def _run(settings, *args):
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_DATABASE_URL": settings.database_url,
           "CERTBRIDGE_LANG": "en", "COLUMNS": "200", "CERTBRIDGE_INSTANCE_NAME": settings.instance_name}
    return CliRunner().invoke(cli_app, list(args), env=env)


def test_the_cli_prints_the_tables_and_the_recompute_agrees(settings, client, story):
    page = client.get("/api/v1/stats", params={"region": "450500"}).json()
    shown = _run(settings, "stats", "show", "--region", "450500")
    assert shown.exit_code == 0, shown.output
    assert f"Valid certificates: {page['certificates']}" in shown.output
    for child in page["children"]:
        if child["certificates"]:
            assert child["zh"] in shown.output
    checked = _run(settings, "stats", "recompute", "--as-of", date.today().isoformat())
    assert checked.exit_code == 0, checked.output
    assert "equal the stored ones" in checked.output and f"tree size {page['checkpoint']['tree_size']}" in checked.output
    rebuilt = _run(settings, "stats", "fold", "--whole")  # every figure rebuilt by one fold of the whole log
    assert rebuilt.exit_code == 0 and "'whole': True" in rebuilt.output, rebuilt.output
    again = _run(settings, "stats", "show", "--region", "450500")
    assert f"Valid certificates: {page['certificates']}" in again.output
    wrong = _run(settings, "stats", "show", "--region", "12")
    assert wrong.exit_code == 1 and "There is no region with code 12" in wrong.output


def test_monthly_reports_are_made_once_signed_and_served(settings, client, sessions, story):
    with write_session(sessions) as session:
        load_reference_targets(session)
    assert make_due_reports(sessions, settings) == 2  # the nation and Beihai (it has targets)
    assert make_due_reports(sessions, settings) == 0
    month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with write_session(sessions) as session:
        report = session.query(StatsReport).filter_by(region_code="450500", month=month).one()
        line, signature, sha = signed_line(report), report.signature, report.sha256
    verifier = Verifier(local_verifier_key(settings, "credential"))
    assert verifier.verify(line, base64.b64decode(signature.split(" ")[1]))
    html = client.get(f"/stats/reports/{report.id}")
    assert html.status_code == 200 and html.headers["x-report-sha256"] == sha
    assert "北海市" in html.text and "800" in html.text and "北政办〔2018〕200号" in html.text
    pdf = client.get(f"/stats/reports/{report.id}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    listing = client.get("/stats/reports")
    assert f"/stats/reports/{report.id}" in listing.text
