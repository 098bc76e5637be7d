"""Spot-check pages: the public results and draws, the regulator's matters, plans, draws and tasks, and the
inspector's own tasks. Built on the page kit (`certbridge.web`); templates under supervision/templates/supervision/.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy import func, select

from certbridge.api.deps import ReadDB
from certbridge.api.pagination import decode_cursor, next_cursor
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.credit.penalties import overdue_penalties
from certbridge.db import write_session
from certbridge.errors import DomainError, InvalidInput, NotFound
from certbridge.i18n.catalog import render as message
from certbridge.licensing.deadlines import calendar_for
from certbridge.licensing.queries import overdue_licensing_records
from certbridge.supervision import draws, pages_relationships, plans, tasks
from certbridge.supervision.models import CheckMatter, InspectionTask, SpotCheckDraw, SpotCheckPlan
from certbridge.supervision.presenters import draw_summary, draw_trail, plan_view, public_result_view, task_view
from certbridge.web import dashboard, guards, nav
from certbridge.web.i18n import N_
from certbridge.web.listing import SortKey, sorted_list
from certbridge.web.page_actions import form_done, page_language, render_page, require_form_token
from certbridge.supervision.workday_years import calendar_years, provisional_count, set_year_notice
from certbridge.web.posted import PostedForm

# Who may not do this, or a record they may not see: the answer is the error page, with the audit trail
# recording a denied attempt, not a redirect that reads as success.


router = APIRouter(include_in_schema=False, dependencies=[Depends(require_form_token)])
_lang, _page, _done = page_language, render_page, form_done


def _form_text(form, key: str) -> str | None:
    value = form.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


# A service's field name → the form input it came from (for the error shown next to it).
FORM_FIELDS = {**{f"class_ratios.{c}": f"ratio_{c}" for c in plans.CLASSES},
               **{f"class_counts.{c}": f"count_{c}" for c in plans.CLASSES},
               "scope.region": "scope_region", "scope.scheme": "scope_scheme", "matter_id": "matter_id"}


def _ratios(form, prefix: str) -> dict[str, Any] | None:
    out = {}
    for cls in plans.CLASSES:
        value = _form_text(form, f"{prefix}{cls}")
        if value is not None:
            try:
                out[cls] = int(value) if prefix == "count_" else Decimal(value)
            except (ValueError, InvalidOperation):
                out[cls] = value
    return out or None


# -- public ---------------------------------------------------------------------------------------------


@router.get("/publicity")
def publicity_hub(request: Request, db: ReadDB):
    """Show the publicity hub: spot-check results, penalties, the list, licensing decisions."""
    published = db.scalar(select(func.count()).select_from(InspectionTask)
                          .where(InspectionTask.status == "published")) or 0
    return _page(request, "supervision/hub.html", published=published)


@router.get("/publicity/spot-checks")
def public_spot_checks(request: Request, db: ReadDB, q: str | None = None, cursor: str | None = None):
    """List published spot-check results: authority, type, date, result."""
    items = tasks.public_results(db, after_id=decode_cursor(cursor), limit=50, q=q)
    lang = _lang(request)
    return _page(request, "supervision/spot_checks.html", q=q or "",
                 items=[public_result_view(db, t, lang) for t in items],
                 next_cursor=next_cursor([t.id for t in items], 50))


@router.get("/publicity/draws/{draw_id}")
def public_draw(request: Request, db: ReadDB, draw_id: Id):
    """Show a draw as published: commitment, seed, quotas, selection, audit trail and its verification."""
    draw = draws.get_draw(db, draw_id)
    problems = draws.verify_draw(db, draw) if draw.status == "revealed" else None
    return _page(request, "supervision/draw_public.html", draw=draw_summary(db, draw, _lang(request)),
                 trail=draw_trail(db, draw), problems=problems)


# -- regulator ------------------------------------------------------------------------------------------


PLAN_SORTS = {"year": SortKey(SpotCheckPlan.year, N_("Year")), "name": SortKey(SpotCheckPlan.name, N_("Name")),
              "authority": SortKey(SpotCheckPlan.authority, N_("Authority"))}


@router.get("/regulator/supervision")
def overview(request: Request, db: ReadDB):
    """Show matters, plans, recent draws and what is overdue."""
    principal = guards.regulator(request)
    lang = _lang(request)
    cal = calendar_for(request.app.state.settings.workday_overrides)
    plan_list = sorted_list(request, db, select(SpotCheckPlan), sorts=PLAN_SORTS, tie=SpotCheckPlan.id,
                            default_order=(SpotCheckPlan.year.desc(), SpotCheckPlan.id), base="/regulator/supervision")
    return _page(request, "supervision/overview.html",
                 matters=list(db.scalars(select(CheckMatter).order_by(CheckMatter.active.desc(), CheckMatter.code))),
                 **{k: v for k, v in plan_list.items() if k != "rows"},
                 plans=[plan_view(p) for p in plan_list["rows"]],
                 draws=[draw_summary(db, d, lang) for d in db.scalars(
                     select(SpotCheckDraw).order_by(SpotCheckDraw.id.desc()).limit(20))],
                 overdue=[task_view(db, t, principal, lang, cal) for t in tasks.overdue_results(db)],
                 this_year=date.today().year)


@router.post("/regulator/supervision/matters")
def add_matter(request: Request, form: PostedForm):
    """Add a check matter."""
    principal = guards.regulator(request)
    try:
        with write_session(request.app.state.sessions) as session:
            plans.create_matter(session, principal=principal, code=_form_text(form, "code") or "",
                                name=_form_text(form, "name") or "", kind=_form_text(form, "kind") or "",
                                subject_type=_form_text(form, "subject_type") or "",
                                legal_basis=_form_text(form, "legal_basis") or "",
                                content=_form_text(form, "content") or "", method=_form_text(form, "method") or "",
                                max_ratio=_form_text(form, "max_ratio"))
    except DomainError as exc:
        return _done(request, "/regulator/supervision", exc, form)
    return _done(request, "/regulator/supervision")


@router.post("/regulator/supervision/plans")
def add_plan(request: Request, form: PostedForm):
    """Make an annual plan."""
    principal = guards.regulator(request)
    try:
        with write_session(request.app.state.sessions) as session:
            plan = plans.create_plan(session, principal=principal, year=int(_form_text(form, "year") or 0),
                                     name=_form_text(form, "name") or "", authority=_form_text(form, "authority") or "",
                                     region_code=_form_text(form, "region_code"),
                                     class_ratios=_ratios(form, "ratio_"))
            plan_id = plan.id
    except DomainError as exc:
        return _done(request, "/regulator/supervision", exc, form, FORM_FIELDS)
    return _done(request, f"/regulator/supervision/plans/{plan_id}")


@router.get("/regulator/supervision/plans/{plan_id}")
def plan_page(request: Request, db: ReadDB, plan_id: Id):
    """Show a plan, its batches and their draws, with the forms to add a batch and commit a draw."""
    guards.regulator(request)
    plan = plans.get_plan(db, plan_id)
    batch_draws = {b.id: list(db.scalars(select(SpotCheckDraw).where(SpotCheckDraw.batch_id == b.id)
                                         .order_by(SpotCheckDraw.id))) for b in plan.batches}
    return _page(request, "supervision/plan.html", plan=plan_view(plan), batch_draws=batch_draws,
                 matters=list(db.scalars(select(CheckMatter).where(CheckMatter.active.is_(True))
                                         .order_by(CheckMatter.code))))


@router.post("/regulator/supervision/plans/{plan_id}/batches")
def add_batch(request: Request, form: PostedForm, plan_id: Id):
    """Add a batch to a plan."""
    principal = guards.regulator(request)
    url = f"/regulator/supervision/plans/{plan_id}"
    try:
        with write_session(request.app.state.sessions) as session:
            plans.add_batch(session, principal=principal, plan_id=plan_id, name=_form_text(form, "name") or "",
                            matter_id=int(_form_text(form, "matter_id") or 0),
                            check_type=_form_text(form, "check_type") or "random",
                            joint_departments=_form_text(form, "joint_departments"),
                            starts_on=date.fromisoformat(_form_text(form, "starts_on") or ""),
                            ends_on=date.fromisoformat(_form_text(form, "ends_on") or ""),
                            scope={k: v for k in ("region", "scheme", "risk") if (v := _form_text(form, f"scope_{k}"))},
                            class_ratios=_ratios(form, "ratio_"), class_counts=_ratios(form, "count_"))
    except DomainError as exc:
        return _done(request, url, exc, form, FORM_FIELDS)
    except ValueError:
        return _done(request, url, InvalidInput("validation.date_parsing", field="starts_on"), form)
    return _done(request, url)


@router.post("/regulator/supervision/batches/{batch_id}/draw")
def commit(request: Request, form: PostedForm, batch_id: Id):
    """Commit a batch's draw (step 1); the reveal is a separate step."""
    principal = guards.regulator(request)
    try:
        with write_session(request.app.state.sessions) as session:
            draw = draws.commit_draw(session, principal=principal, batch_id=batch_id,
                                     beacon_source=_form_text(form, "beacon_source"))
            draw_id = draw.id
    except DomainError as exc:
        with write_session(request.app.state.sessions) as session:
            plan_id = plans.get_batch(session, batch_id).plan_id
        return _done(request, f"/regulator/supervision/plans/{plan_id}", exc, form)
    return _done(request, f"/regulator/supervision/draws/{draw_id}")


@router.get("/regulator/supervision/draws/{draw_id}")
def draw_page(request: Request, db: ReadDB, draw_id: Id):
    """Show a draw with its audit trail, and the reveal or cancel form while it is committed."""
    guards.regulator(request)
    draw = draws.get_draw(db, draw_id)
    problems = draws.verify_draw(db, draw) if draw.status == "revealed" else None
    return _page(request, "supervision/draw.html", draw=draw_summary(db, draw, _lang(request), show_inspectors=True),
                 trail=draw_trail(db, draw), problems=problems)


@router.post("/regulator/supervision/draws/{draw_id}/{action}")
def draw_action(request: Request, form: PostedForm, draw_id: Id, action: str):
    """Reveal or cancel a committed draw."""
    principal = guards.regulator(request)
    url = f"/regulator/supervision/draws/{draw_id}"
    warning = None
    try:
        with write_session(request.app.state.sessions) as session:
            if action == "reveal":
                draw = draws.reveal_draw(session, principal=principal, draw_id=draw_id,
                                         beacon_value=_form_text(form, "beacon_value"))
                short = draw_summary(session, draw, _lang(request))
                if short["shortfalls"]:  # never "saved" over tasks that have no one to carry them out
                    names = {s["object"]: s["name"] for s in short["selected"]}
                    warning = message("draw.revealed_with_shortfalls", _lang(request), count=len(short["shortfalls"]),
                                      needed=draw.inputs["inspectors_per_object"],
                                      objects="、".join(names.get(k, k) for k in short["shortfalls"][:5]))
            elif action == "cancel":
                draws.cancel_draw(session, principal=principal, draw_id=draw_id, reason=_form_text(form, "reason") or "")
            else:
                return _done(request, url, NotFound("not_found"))
    except DomainError as exc:
        return _done(request, url, exc, form)
    if warning:
        return _done(request, url, success=warning, kind="info")
    return _done(request, url)


@router.get("/regulator/supervision/tasks")
def regulator_tasks(request: Request, db: ReadDB, status: str | None = None, cursor: str | None = None):
    """List every task, by status, with the publish action for completed ones."""
    principal = guards.regulator(request)
    items = tasks.list_tasks(db, principal=principal, status=status or None, after_id=decode_cursor(cursor),
                             limit=100)
    cal = calendar_for(request.app.state.settings.workday_overrides)
    return _page(request, "supervision/tasks.html", status=status or "", next_cursor=next_cursor(
        [t.id for t in items], 100), items=[task_view(db, t, principal, _lang(request), cal) for t in items])


@router.post("/regulator/supervision/tasks/{task_id}/publish")
def publish(request: Request, task_id: Id):
    """Publish a task's result."""
    principal = guards.regulator(request)
    try:
        with write_session(request.app.state.sessions) as session:
            tasks.publish_result(session, principal=principal, task_id=task_id)
    except DomainError as exc:
        return _done(request, "/regulator/supervision/tasks?status=completed", exc)
    return _done(request, "/regulator/supervision/tasks?status=completed")


# -- inspector ------------------------------------------------------------------------------------------


@router.get("/inspector/tasks")
def my_tasks(request: Request, db: ReadDB):
    """List the signed-in inspector's tasks."""
    principal = guards.signed_in(request)
    cal = calendar_for(request.app.state.settings.workday_overrides)
    items = tasks.list_tasks(db, principal=principal, limit=200)
    return _page(request, "supervision/inspector_tasks.html",
                 items=[task_view(db, t, principal, _lang(request), cal) for t in items])


@router.get("/inspector/tasks/{task_id}")
def my_task(request: Request, db: ReadDB, task_id: Id):
    """Show one task with the findings and result forms."""
    principal = guards.signed_in(request)
    task = tasks.task_for(db, principal=principal, task_id=task_id)
    cal = calendar_for(request.app.state.settings.workday_overrides)
    return _page(request, "supervision/inspector_task.html", task=task_view(db, task, principal, _lang(request), cal),
                 results=[(r, message(f"result.{r}", _lang(request))) for r in tasks.RESULTS])


@router.post("/inspector/tasks/{task_id}/{action}")
def my_task_action(request: Request, form: PostedForm, task_id: Id, action: str):
    """Record a finding or the result on one's task."""
    principal = guards.signed_in(request)
    url = f"/inspector/tasks/{task_id}"
    cal = calendar_for(request.app.state.settings.workday_overrides)
    try:
        with write_session(request.app.state.sessions) as session:
            if action == "findings":
                tasks.add_finding(session, principal=principal, task_id=task_id, text=_form_text(form, "text") or "")
            elif action == "result":
                completed = _form_text(form, "completed_on")
                tasks.record_result(session, principal=principal, task_id=task_id,
                                    result=_form_text(form, "result") or "",
                                    completed_on=date.fromisoformat(completed) if completed else date.today(),
                                    note=_form_text(form, "note"), calendar=cal)
            else:
                return _done(request, url, NotFound("not_found"))
    except DomainError as exc:
        return _done(request, url, exc, form)
    except ValueError:
        return _done(request, url, InvalidInput("validation.date_parsing", field="completed_on"), form)
    return _done(request, url)


# -- the working-day calendar --------------------------------------------------------------------------

WORKDAYS_PAGE = "/regulator/workdays"
_DATE_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _date_list(form, key: str) -> list[str]:
    value = form.get(key)
    return [part for part in _DATE_SEPARATORS.split(value.strip()) if part] if isinstance(value, str) else []


@router.get(WORKDAYS_PAGE)
def workdays_page(request: Request, db: ReadDB):
    """List the calendar's years with their source, and the form to enter a notice."""
    guards.regulator(request)
    years = calendar_years(db, calendar=calendar_for(request.app.state.settings.workday_overrides))
    next_provisional = next((y["year"] for y in years if y["source"] == "provisional"), date.today().year + 1)
    return _page(request, "supervision/workdays.html", years=years, next_provisional=next_provisional)


@router.post(WORKDAYS_PAGE)
def enter_notice(request: Request, form: PostedForm):
    """Enter a year's holiday notice from the form; every provisional deadline is recomputed."""
    principal = guards.regulator(request)
    lang = _lang(request)
    try:
        raw_year = (form.get("year") or "").strip() if isinstance(form.get("year"), str) else ""
        if not (raw_year.isascii() and raw_year.isdigit()):
            raise InvalidInput("field.range", field="year", min=2025, max=2100)
        year = int(raw_year)
        table = {"holidays": _date_list(form, "holidays"), "workdays": _date_list(form, "workdays")}
        source = form.get("source")
        if isinstance(source, str) and source.strip():
            table["source"] = source.strip()
        with write_session(request.app.state.sessions) as session:
            _, changed = set_year_notice(session, principal=principal, year=year, table=table,
                                         calendar=calendar_for(request.app.state.settings.workday_overrides))
    except DomainError as exc:
        return _done(request, WORKDAYS_PAGE, exc, form)
    return _done(request, WORKDAYS_PAGE, success=message("workdays.notice_saved", lang, year=year,
                                                    count=sum(changed.values())))


# -- installation ---------------------------------------------------------------------------------------


def _due(day, provisional_year, lang) -> str:
    return f"{day or '?'}{message('ui.provisional', lang) if provisional_year is not None else ''}"


def overdue_panel(session, principal, lang):
    """Dashboard panel: publications past their deadline, deadlines unknown, draws not revealed."""
    d = dashboard
    results, penalties, records = (tasks.overdue_results(session), overdue_penalties(session),
                                   overdue_licensing_records(session))
    provisional = provisional_count(session)
    pending = session.scalar(select(func.count()).select_from(SpotCheckDraw)
                             .where(SpotCheckDraw.status == "committed")) or 0
    tone = lambda n: "ok" if n == 0 else "bad"  # noqa: E731
    return [d.DashboardPanel(message("ui.overdue_panel", lang), [
        d.DashboardItem(message("ui.overdue_results", lang), len(results), "/regulator/supervision/tasks?status=completed",
                        tone(len(results)),
                        [f"{t.object_name} — {_due(t.publication_due_on, t.deadline_provisional_year, lang)}"
                         for t in results[:5]]),
        d.DashboardItem(message("ui.overdue_penalties", lang), len(penalties), "/regulator/credit", tone(len(penalties)),
                        [f"{p.decision_number} — {_due(p.publication_due_on, p.deadline_provisional_year, lang)}"
                         for p in penalties[:5]]),
        d.DashboardItem(message("ui.overdue_licensing", lang), len(records), "/regulator/credit#licensing",
                        tone(len(records)), [r.document_number for r in records[:5]]),
        d.DashboardItem(message("ui.provisional_deadlines", lang), provisional, "/regulator/workdays",
                        "ok" if provisional == 0 else "warn"),
        d.DashboardItem(message("ui.draws_unrevealed", lang), pending, "/regulator/supervision",
                        "ok" if pending == 0 else "warn"),
    ], order=40)]


def install(app: FastAPI) -> None:
    """Mount the pages, add their nav entries and the dashboard panel."""
    add_routes(app, router)
    nav.add_nav_entry(nav.NavEntry("/publicity", "Publicity", order=60))
    nav.add_nav_entry(nav.NavEntry("/regulator/supervision", "Spot checks", roles=nav.REGULATORS, area="regulator",
                                   order=80))
    nav.add_nav_entry(nav.NavEntry("/regulator/workdays", "Working days", roles=nav.REGULATORS, area="regulator",
                                   order=85))
    nav.add_nav_entry(nav.NavEntry("/inspector/tasks", "My inspections", roles=("inspector",), area="account",
                                   order=5))
    dashboard.register_panel_provider(overdue_panel)
    pages_relationships.install(app)
