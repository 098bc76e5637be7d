"""Monthly quality-certification reports per region, kept as signed, dated documents (HTML, and PDF on demand).

A report is made once per region and month (the nation and every region with a target), on the first days of
the next month by the background schedule or on demand (`certbridge stats report`). Its HTML is stored with
its SHA-256, and the instance's credential key signs the line
`certbridge-stats-report/v1 <region> <month> <tree size> <root> <sha256>`, so a copy can be checked offline
against the key the instance publishes; the figures name the checkpoint they were computed at.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from datetime import date, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.db import read_session, write_session
from certbridge.errors import InvalidInput, NotFound
from certbridge.kit.periodic import add_background, repeat
from certbridge.ledger.keys import credential_signer
from certbridge.settings import Settings
from certbridge.stats import overview as ov
from certbridge.stats.background import catch_up, current_read
from certbridge.stats.contributions import NATION
from certbridge.stats.models import StatsReport, StatsTarget
from certbridge.stats.report_html import report_html

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
REPORT_CONTEXT = "certbridge-stats-report/v1"
CHECK_EVERY_SECONDS = 3600.0
START_DELAY_SECONDS = 60.0  # not while the server starts: the first check may fold the whole log


def parse_month(text: str) -> tuple[date, date]:
    """Return the first and last day of a YYYY-MM month, refusing anything else."""
    try:
        first = date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise InvalidInput("stats.month_format", field="month", value=text[:20]) from None
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def signed_line(report: StatsReport) -> bytes:
    """Return the bytes the signature covers."""
    root = report.root_hash.hex() if report.root_hash else "-"
    return (f"{REPORT_CONTEXT} {report.region_code} {report.month} {report.tree_size} {root} {report.sha256}"
            .encode("utf-8"))


def make_report(session: Session, *, settings: Settings, region: str, month: str, today: date | None = None
                ) -> StatsReport:
    """Make (or return the one already made) the signed report of a region for a finished or current month."""
    region = ov.check_region(session, region)
    first, last = parse_month(month)
    existing = session.scalar(select(StatsReport).where(StatsReport.region_code == region,
                                                        StatsReport.month == month))
    if existing is not None:
        return existing
    as_of = min(last, today or date.today())
    html = report_html(session, region=region, first=first, as_of=as_of)
    cp = ov.queries.checkpoint(session)
    report = StatsReport(region_code=region, month=month, as_of=as_of, tree_size=cp["tree_size"],
                         root_hash=bytes.fromhex(cp["root_hash"]) if cp["root_hash"] else None, html=html,
                         sha256=hashlib.sha256(html.encode("utf-8")).hexdigest(), signature="")
    signer = credential_signer(settings)
    report.signature = (f"{signer.name}+{signer.key_id:08x} "
                        + base64.b64encode(signer.sign(signed_line(report))).decode("ascii"))
    session.add(report)
    session.flush()
    return report


def due_regions(session: Session) -> list[str]:
    """Return the regions that get a monthly report: the nation and every region with a target."""
    return [NATION, *sorted(set(session.scalars(select(StatsTarget.region_code))) - {NATION})]


def make_due_reports(sessions, settings: Settings, today: date | None = None) -> int:
    """Make last month's reports that are missing; return how many were made."""
    today = today or date.today()
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    catch_up(sessions)
    made = 0
    with read_session(sessions) as session:
        regions = [r for r in due_regions(session) if session.scalar(select(StatsReport.id).where(
            StatsReport.region_code == r, StatsReport.month == month)) is None]
    for region in regions:
        with write_session(sessions) as session:
            make_report(session, settings=settings, region=region, month=month, today=today)
            made += 1
    return made


def _report(db: Session, report_id: int) -> StatsReport:
    report = db.get(StatsReport, report_id)
    if report is None:
        raise NotFound("stats.report_not_found", region=str(report_id), month="")
    return report


@router.get("/stats/reports")
def reports_page(request: Request):
    """List the kept monthly reports, newest first."""
    from certbridge.web.templating import render

    with current_read(request) as db:
        items = list(db.scalars(select(StatsReport).order_by(StatsReport.month.desc(), StatsReport.region_code)
                                .limit(200)))
        names = {r.region_code: ov.region_names(db, r.region_code) for r in items}
        return render(request, "stats/reports.html", {"reports": items, "names": names})


@router.get("/stats/reports/{report_id}.pdf")
def report_document_pdf(request: Request, report_id: Id):
    """Return a kept report as PDF (Chinese first), with its hash and signature printed at the end."""
    with read_session(request.app.state.sessions) as db:
        report = _report(db, report_id)
        from certbridge.stats.report_pdf import report_pdf  # fpdf: ~0.6–2 s to import, only for PDFs

        body = report_pdf(db, report)
        filename = f"stats-{report.region_code}-{report.month}.pdf"
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.get("/stats/reports/{report_id}")
def report_document(request: Request, report_id: Id):
    """Return a kept report exactly as it was signed (HTML)."""
    with read_session(request.app.state.sessions) as db:
        report = _report(db, report_id)
        return HTMLResponse(report.html, headers={"X-Report-SHA256": report.sha256,
                                                  "X-Report-Signature": report.signature})


def _reports_step(app: FastAPI) -> None:
    made = make_due_reports(app.state.sessions, app.state.settings)
    if made:
        log.info("made %s monthly statistics reports", made)


def install_reports(app: FastAPI) -> None:
    """Make last month's missing reports in the background (app.state.stats_reports = False turns it off)."""
    app.state.stats_reports = True
    app.state.stats_reports_delay = START_DELAY_SECONDS

    async def run(application: FastAPI, stop: asyncio.Event) -> None:
        await repeat(stop, lambda: _reports_step(application), delay=lambda: CHECK_EVERY_SECONDS,
                     first_delay=application.state.stats_reports_delay, log=log, what="monthly statistics reports")

    add_background(app, run, enabled=lambda application: application.state.stats_reports, leader="stats-reports")
