"""The monthly report as one standalone HTML document (Chinese first, English beside it; charts inline)."""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.registry.models import CertificationBody
from certbridge.stats import charts, queries, report_facts
from certbridge.stats import overview as ov
from certbridge.stats.sheets import FLOW_NAMES
from certbridge.stats.targets import list_targets, progress

MEASURE_NAMES = {"certificates": ("有效证书", "valid certificates"),
                 "organizations": ("获证组织", "certified organizations")}
STYLE = ("body{font-family:'Noto Sans CJK SC','PingFang SC',sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem}"
         "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
         ".en{color:#555;font-size:.9em}")


def key_figures(session: Session, *, region: str, first: date, as_of: date) -> list[dict]:
    """Return the month's key figures with the change against the month before and a year before."""
    before_month = first - timedelta(days=1)
    year_before = ov._year_before(as_of)
    out = []
    for measure in queries.STOCKS:
        now, prev, last_year = (queries.figure(session, measure=measure, region=region, on=d)
                                for d in (as_of, before_month, year_before))
        out.append({"measure": measure, "value": now, "month_change": now - prev, "year_change": now - last_year})
    return out


def notable_changes(session: Session, *, region: str, first: date, as_of: date) -> list[tuple[str, str]]:
    """Return the month's notable changes: bodies suspended, revoked or withdrawn, and the sub-regions that moved most."""
    notes = []
    for name, status, on in session.execute(select(CertificationBody.name, CertificationBody.status,
                                                   CertificationBody.status_changed_on)
                                            .where(CertificationBody.status != "approved",
                                                   CertificationBody.status_changed_on >= first,
                                                   CertificationBody.status_changed_on <= as_of)):
        words = {"suspended": ("暂停", "suspended"), "revoked": ("撤销批准", "approval revoked"),
                 "withdrawn": ("注销批准", "approval withdrawn")}.get(status, (status, status))
        notes.append((f"认证机构 {name} 于 {on} {words[0]}", f"Certification body {name}: {words[1]} on {on}"))
    kids = queries.child_regions(session, region) if region != "unknown" else []
    codes = [k.code for k in kids]
    now = queries.by_child(session, measure="certificates", region=region, on=as_of, codes=codes)
    before = queries.by_child(session, measure="certificates", region=region, on=first - timedelta(days=1), codes=codes)
    moves = sorted(((now.get(k.code, 0) - before.get(k.code, 0), k) for k in kids), key=lambda m: -abs(m[0]))
    for change, kid in moves[:3]:
        if change:
            notes.append((f"{kid.name} 有效证书 {change:+d}", f"{kid.name}: valid certificates {change:+d}"))
    return notes


def supervision_parts(session: Session, *, region: str, first: date, as_of: date) -> list[str]:
    """Return the report's spot-check results and penalties of the month (read from the log)."""
    checks = report_facts.spot_checks(session, region=region, first=first, as_of=as_of)
    parts = ["<h2>监督抽查结果 <span class='en'>Spot-check results</span></h2>"]
    if checks:
        parts.append("<table id='spot-checks'><tr><th>结果 Result</th><th>数量 Count</th></tr>")
        for result, n in sorted(checks.items()):
            z, e = report_facts.RESULT_NAMES.get(result, (result, result))
            parts.append(f"<tr><td>{z} <span class='en'>{e}</span></td><td>{n}</td></tr>")
        parts.append(f"<tr><th>合计 Total</th><th>{sum(checks.values())}</th></tr></table>")
    else:
        parts.append("<p>本月无抽查结果。<span class='en'>No spot-check result this month.</span></p>")
    decided, published = report_facts.penalties(session, region=region, first=first, as_of=as_of)
    parts.append(f"<h2>行政处罚 <span class='en'>Penalties</span></h2><p id='penalties'>本月作出行政处罚决定 {decided} 件，"
                 f"已公示 {len(published)} 件。<span class='en'>{decided} penalty decisions this month, "
                 f"{len(published)} published.</span></p>")
    if published:
        parts.append("<table><tr><th>决定书文号 Decision</th><th>当事人 Party</th><th>违法行为 Violation</th>"
                     "<th>处罚机关 Authority</th><th>日期 Date</th></tr>")
        parts += [f"<tr><td>{escape(p['decision_number'])}</td><td>{escape(p['party'])}</td>"
                  f"<td>{escape(p['violation'])}</td><td>{escape(p['authority'])}</td><td>{p['decided_on']}</td></tr>"
                  for p in published]
        parts.append("</table>")
    return parts


def report_html(session: Session, *, region: str, first: date, as_of: date) -> str:
    """Return the report document of a region for the month starting `first`, figures as of `as_of`."""
    zh, en = ov.region_names(session, region)
    month = first.strftime("%Y-%m")
    cp = queries.checkpoint(session)
    view = ov.overview(session, region=region, on=as_of)
    flows = ov.changes(session, region=region, start=first, end=as_of)
    series = ov.series(session, region=region, on=as_of, months=13)
    types = ov.breakdown(session, region=region, dim="type", on=as_of)
    parts = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>{escape(zh)} {month} 质量认证月度报告</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(zh)} {month} 质量认证月度报告</h1>",
             f"<p class='en'>{escape(en)}: quality-certification report for {month}</p>",
             f"<p>数据截至 {as_of}；日志检查点：树大小 {cp['tree_size']}，根 {escape(cp['root_hash'] or '—')}。"
             f"<span class='en'> Figures as of {as_of}, log checkpoint tree size {cp['tree_size']}, "
             f"root {escape(cp['root_hash'] or '—')}.</span></p>",
             "<h2>主要数字 <span class='en'>Key figures</span></h2><table><tr><th>指标 Measure</th><th>数量 Count</th>"
             "<th>较上月 vs last month</th><th>较上年同期 vs a year before</th></tr>"]
    for k in key_figures(session, region=region, first=first, as_of=as_of):
        z, e = MEASURE_NAMES[k["measure"]]
        parts.append(f"<tr><td>{z} <span class='en'>{e}</span></td><td>{k['value']}</td>"
                     f"<td>{k['month_change']:+d}</td><td>{k['year_change']:+d}</td></tr>")
    parts.append("</table><h2>本月变动 <span class='en'>Changes this month</span></h2><table>")
    for key, n in flows.items():
        parts.append(f"<tr><td>{FLOW_NAMES[key][0]} <span class='en'>{FLOW_NAMES[key][1]}</span></td><td>{n}</td></tr>")
    parts.append("</table><h2>目标 <span class='en'>Targets</span></h2>")
    goals = [progress(session, t, as_of) for t in list_targets(session, region_code=region, published_only=False)]
    if not goals:
        parts.append("<p>本地区未设定目标。<span class='en'>No target is set for this region.</span></p>")
    for g in goals:
        z, e = MEASURE_NAMES[g.target.measure]
        projected = "—" if g.projected is None else str(g.projected)
        parts.append(f"<p>{z} ≥ {g.target.threshold}（{g.target.deadline}，{escape(g.target.source)}）：现为 {g.value}，"
                     f"差 {g.gap}，按近一年速度预计到期 {projected}。<span class='en'>{e} ≥ {g.target.threshold} by "
                     f"{g.target.deadline}: {g.value} now, {g.gap} to go, projected {projected}.</span></p>")
        parts.append(str(charts.gauge(f"{z} {g.target.deadline}", g.value, g.target.threshold, f"{z} / {e}")))
    parts += supervision_parts(session, region=region, first=first, as_of=as_of)
    parts.append("<h2>图表 <span class='en'>Charts</span></h2>")
    parts.append(str(charts.bar_chart(f"{zh} 各地区有效证书 / valid certificates by region",
                                      [(c.zh, c.certificates) for c in view.children])))
    parts.append(str(charts.time_series("有效证书（月末）/ valid certificates at month end",
                                        [p["date"][:7] for p in series["monthly"]],
                                        [("有效证书 valid", [p["certificates"] for p in series["monthly"]]),
                                         ("上年同期 a year before", [p["certificates_year_before"]
                                                                 for p in series["monthly"]])])))
    parts.append(str(charts.composition("认证类型构成 / by type", [(f"{x.zh} {x.en}", x.certificates) for x in types])))
    parts.append("<h2>值得注意的变化 <span class='en'>Notable changes</span></h2><ul>")
    notes = notable_changes(session, region=region, first=first, as_of=as_of)
    parts += [f"<li>{escape(z)} <span class='en'>{escape(e)}</span></li>" for z, e in notes] or [
        "<li>无 <span class='en'>None</span></li>"]
    parts.append("</ul></body></html>")
    return str(Markup("").join(Markup(p) for p in parts))
