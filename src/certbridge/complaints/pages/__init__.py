"""Pages of the complaints capability: the fake-certificate report form and its review; complaints (public_pages,
handling_pages) are mounted here too."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, FastAPI, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB, current_principal
from certbridge.api.pagination import decode_cursor, encode_cursor
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.complaints.pages import handling as handling_pages
from certbridge.complaints.pages import public as public_pages
from certbridge.complaints.handling import count_overdue
from certbridge.complaints.models import Complaint, FakeReport
from certbridge.complaints.service import count_open_reports, file_fake_report, list_fake_reports, review_fake_report
from certbridge.db import write_session
from certbridge.errors import DomainError
from certbridge.principal import Principal
from certbridge.web.csrf import require_csrf
from certbridge.web.dashboard import DashboardItem, DashboardPanel, register_panel_provider, tone
from certbridge.web.forms import domain_errors, form_values_of, text
from certbridge.web.guards import regulator
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.posted import PostedForm
from certbridge.web.templating import query_url, redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
REPORT_LABELS = {"number": N_("Certificate number"), "body_ref": N_("Issuing body shown on it"),
                 "holder_name": N_("Company named on it"), "where_seen": N_("Where did you see it?"),
                 "contact": N_("Your phone or e-mail (optional)")}


@router.get("/report")
def report_form(request: Request, number: str | None = None):
    """Show the form to report a suspected fake certificate."""
    return render(request, "portal/report.html", {"values": {"number": (number or "")[:60]}, "errors": {}})


@router.post("/report")
def report(request: Request, form: PostedForm):
    """File the report with what verification says about the number, then thank the reporter."""
    lang = request_language(request)
    values = form_values_of(form, REPORT_LABELS)
    try:
        with write_session(request.app.state.sessions) as wdb:
            item = file_fake_report(wdb, principal=current_principal(request), **values)
            ref = item.id
    except DomainError as exc:
        labels = {k: gettext(lang, v) for k, v in REPORT_LABELS.items()}
        return render(request, "portal/report.html", {"values": values, "errors": domain_errors(exc, lang, labels)},
                      status_code=exc.status)
    return redirect(request, "/report/thanks",
                    flash=t(request, "Thank you. Your report no. %(ref)s was sent to the regulator.", ref=ref))


@router.get("/report/thanks")
def report_thanks(request: Request):
    """Thank the reporter and say what happens next."""
    return render(request, "portal/report_thanks.html")


@router.get("/regulator/reports")
def reports(request: Request, db: ReadDB):
    """List fake-certificate reports, those waiting first."""
    principal = regulator(request)
    status = request.query_params.get("status") if request.query_params.get("status") in ("new", "reviewed") else None
    cursor = request.query_params.get("cursor")
    items = list_fake_reports(db, principal=principal, status=status, after_id=decode_cursor(cursor), limit=51)
    next_url = None
    if len(items) > 50:
        items = items[:50]
        next_url = query_url("/regulator/reports", {"status": status}, cursor=encode_cursor(items[-1].id))
    counted = select(func.count()).select_from(FakeReport)
    total = db.scalar(counted.where(FakeReport.status == status) if status else counted)
    return render(request, "regulator/reports.html", {"reports": items, "status": status, "next_url": next_url,
                                                      "report_total": total})


@router.post("/regulator/reports/{report_id}/review")
def review(request: Request, form: PostedForm, report_id: Id):
    """Close a report with what was found or done."""
    principal = regulator(request)
    with write_session(request.app.state.sessions) as wdb:
        review_fake_report(wdb, principal=principal, report_id=report_id, note=text(form, "note"))
    return redirect(request, "/regulator/reports?status=new", flash=t(request, "The report is closed."))


def reports_panel(session: Session, principal: Principal, lang: str) -> list[DashboardPanel]:
    """Fake-certificate reports waiting for review."""
    count = count_open_reports(session)
    waiting = session.scalar(select(func.count()).select_from(Complaint).where(Complaint.status == "received")) or 0
    late = count_overdue(session, date.today())
    return [DashboardPanel(gettext(lang, "Public reports"), [
        DashboardItem(gettext(lang, "Fake-certificate reports to review"), count, "/regulator/reports?status=new",
                      tone(count)),
        DashboardItem(gettext(lang, "Complaints waiting to be accepted"), waiting, "/regulator/complaints?status=open",
                      tone(waiting)),
        DashboardItem(gettext(lang, "Complaints past a deadline"), late, "/regulator/complaints?status=open",
                      tone(late)),
    ], order=30)]


def install(app: FastAPI) -> None:
    """Mount the complaint pages, their header links and their dashboard panel."""
    add_routes(app, router)
    add_routes(app, public_pages.router)
    add_routes(app, handling_pages.router)
    add_nav_entry(NavEntry("/report", N_("Report a fake certificate"), order=90))
    add_nav_entry(NavEntry("/regulator/reports", N_("Fake reports"), roles=REGULATORS, area="regulator", order=70))
    add_nav_entry(NavEntry("/regulator/complaints?status=open", N_("Complaints"), roles=REGULATORS, area="regulator",
                           order=71))
    register_panel_provider(reports_panel)
