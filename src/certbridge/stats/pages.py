"""Statistics pages: the public figures with drill-down, charts and downloads; targets; the regulator's target form."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import read_session, write_session
from certbridge.errors import DomainError, InvalidInput
from certbridge.stats import charts, sheets
from certbridge.stats import overview as ov
from certbridge.stats.background import current_read, install_folding
from certbridge.stats.classes import class_coverage
from certbridge.stats.contributions import NATION
from certbridge.stats.reports import install_reports
from certbridge.stats.reports import router as reports_router
from certbridge.stats.targets import TARGET_MEASURES, get_target, list_targets, progress, set_target
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, form_values_of, parse_date, text
from certbridge.web.guards import regulator
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry
from certbridge.web.page_actions import REFUSALS
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
MEASURE_LABELS = {"certificates": N_("Valid certificates"), "organizations": N_("Certified organizations")}
TARGET_LABELS = {"region_code": N_("Region code (GB/T 2260)"), "measure": N_("Measure"),
                 "threshold": N_("At least"), "deadline": N_("By (date)"), "source": N_("Source document")}


def _request_day(request: Request, name: str, default: date) -> date:
    return ov.parse_day(request.query_params.get(name), default)


@router.get("/stats")
def stats_page(request: Request):
    """Show a region's figures on a date: key figures, sub-regions, breakdowns, changes, series and targets."""
    lang = request_language(request)
    with current_read(request) as db:
        region = ov.check_region(db, request.query_params.get("region"))
        on = _request_day(request, "on", date.today())
        start = _request_day(request, "start", on.replace(month=1, day=1))
        view = ov.overview(db, region=region, on=on)
        by_dim = {dim: ov.breakdown(db, region=region, dim=dim, on=on) for dim in ov.BREAKDOWNS}
        changes = ov.changes(db, region=region, start=start, end=on)
        series = ov.series(db, region=region, on=on)
        goals = [progress(db, target, on) for target in list_targets(db, region_code=region)]
        org_classes = class_coverage(db, region=region, on=on, lang=lang)
        name = view.path[-1].name(lang)
        cert_word = gettext(lang, "Valid certificates")
        org_word = gettext(lang, "Certified organizations")
        figures = {
            "regions": charts.bar_chart(gettext(lang, "Valid certificates by region: %(name)s", name=name),
                                        [(c.name(lang), c.certificates) for c in view.children]),
            "types": charts.composition(gettext(lang, "Valid certificates by type of certification"),
                                        [(x.name(lang), x.certificates) for x in by_dim["type"]]),
            "series": charts.time_series(
                gettext(lang, "Valid certificates at each month end, and a year before"),
                [p["date"][:7] for p in series["monthly"]],
                [(cert_word, [p["certificates"] for p in series["monthly"]]),
                 (gettext(lang, "A year before"), [p["certificates_year_before"] for p in series["monthly"]]),
                 (org_word, [p["organizations"] for p in series["monthly"]])]),
            "gauges": [charts.gauge(gettext(lang, "Target progress"), g.value, g.target.threshold,
                                    gettext(lang, MEASURE_LABELS[g.target.measure]) + " · " + g.target.deadline.isoformat())
                       for g in goals],
        }
        return render(request, "stats/overview.html", {
            "view": view, "region": region, "on": on, "start": start, "by_dim": by_dim, "changes": changes,
            "series": series, "goals": goals, "charts": figures, "lang": lang, "flow_names": sheets.FLOW_NAMES,
            "dims": ov.BREAKDOWNS, "measure_labels": MEASURE_LABELS, "nation": NATION, "org_classes": org_classes})


def _download(request: Request, kind: str):
    lang = request_language(request)
    with current_read(request) as db:
        region = ov.check_region(db, request.query_params.get("region"))
        on = _request_day(request, "on", date.today())
        name = sheets.check_table(request.query_params.get("table") or "regions")
        header, rows = sheets.table(db, name=name, region=region, on=on, lang=lang,
                                    start=_request_day(request, "start", on.replace(month=1, day=1)))
        title = sheets.title_line(db, name=name, region=region, on=on, lang=lang)
    filename = f"stats-{region}-{name}-{on.isoformat()}.{kind}"
    if kind == "csv":
        body = sheets.csv_bytes([title], [header, *rows])
        media = "text/csv; charset=utf-8"
    else:
        body = sheets.xlsx_bytes(title, header, rows)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/stats/table.csv")
def table_csv(request: Request):
    """Download one statistics table as CSV."""
    return _download(request, "csv")


@router.get("/stats/table.xlsx")
def table_xlsx(request: Request):
    """Download one statistics table as XLSX."""
    return _download(request, "xlsx")


def _targets_context(request: Request, db, *, published_only: bool, lang: str) -> dict:
    on = _request_day(request, "on", date.today())
    goals = [progress(db, target, on) for target in list_targets(db, published_only=published_only)]
    names = {g.target.region_code: ov.region_names(db, g.target.region_code) for g in goals}
    gauges = [charts.gauge(gettext(lang, "Target progress"), g.value, g.target.threshold,
                           gettext(lang, MEASURE_LABELS[g.target.measure]) + " · " + g.target.deadline.isoformat())
              for g in goals]
    return {"goals": list(zip(goals, gauges, strict=True)), "names": names, "on": on, "lang": lang,
            "measure_labels": MEASURE_LABELS}


@router.get("/stats/targets")
def targets_page(request: Request):
    """Show the published targets with their gauges, gaps, projections and contributors."""
    lang = request_language(request)
    with current_read(request) as db:
        return render(request, "stats/targets.html", _targets_context(request, db, published_only=True, lang=lang))


@router.get("/stats/targets/{target_id}")
def target_page(request: Request, target_id: Id):
    """Show one published target."""
    lang = request_language(request)
    with current_read(request) as db:
        target = get_target(db, target_id)
        on = _request_day(request, "on", date.today())
        goal = progress(db, target, on)
        gauge = charts.gauge(gettext(lang, "Target progress"), goal.value, target.threshold,
                             gettext(lang, MEASURE_LABELS[target.measure]) + " · " + target.deadline.isoformat())
        name = ov.region_names(db, target.region_code)
        return render(request, "stats/target.html", {"goal": goal, "gauge": gauge, "name": name, "lang": lang,
                                                     "measure_labels": MEASURE_LABELS})


def _regulator_targets(request: Request, values: dict, errors: dict, status_code: int = 200, fold: bool = True):
    lang = request_language(request)
    with (current_read(request) if fold else read_session(request.app.state.sessions)) as db:
        ctx = _targets_context(request, db, published_only=False, lang=lang)
        return render(request, "stats/regulator_targets.html",
                      {**ctx, "values": values, "errors": errors, "measures": TARGET_MEASURES},
                      status_code=status_code)


@router.get("/regulator/stats/targets")
def regulator_targets(request: Request):
    """Show every target (published or not) and the form to enter one."""
    regulator(request)
    return _regulator_targets(request, {"region_code": "450500", "measure": "certificates", "published": "1"}, {})


@router.post("/regulator/stats/targets")
def enter_target(request: Request, form: PostedForm):
    """Enter a target; a refused form comes back with what was typed and the reason next to the field."""
    principal = regulator(request)
    lang = request_language(request)
    values = form_values_of(form, TARGET_LABELS)
    values["published"] = "1" if text(form, "published") else ""
    try:
        deadline = parse_date(values["deadline"], "deadline")
        if deadline is None:
            raise InvalidInput("stats.date_format", field="deadline", value=values["deadline"] or "—")
        with write_session(request.app.state.sessions) as wdb:
            target = set_target(wdb, principal=principal, region_code=values["region_code"],
                                measure=values["measure"], threshold=values["threshold"], deadline=deadline,
                                source=values["source"], published=bool(values["published"]))
            ref = target.id
    except DomainError as exc:
        if isinstance(exc, REFUSALS):
            raise
        labels = {k: gettext(lang, v) for k, v in TARGET_LABELS.items()}
        return _regulator_targets(request, values, domain_errors(exc, lang, labels), status_code=exc.status,
                                  fold=False)  # a refused form writes nothing, not even a fold
    return redirect(request, f"/regulator/stats/targets#target-{ref}",
                    flash=t(request, "Target no. %(ref)s is entered.", ref=ref))


def install(app: FastAPI) -> None:
    """Mount the statistics pages and reports, their header links, and the background fold and report schedule."""
    add_routes(app, router)
    add_routes(app, reports_router)
    add_nav_entry(NavEntry("/stats", N_("Statistics"), order=80))
    add_nav_entry(NavEntry("/regulator/stats/targets", N_("Targets"), roles=REGULATORS, area="regulator", order=75))
    install_folding(app)
    install_reports(app)
