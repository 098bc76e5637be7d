"""The monthly report as PDF (fpdf2 with a Noto CJK font, as the receipts are made): figures, targets, signature."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fpdf import FPDF
from sqlalchemy.orm import Session

from certbridge.stats import overview as ov
from certbridge.stats.models import StatsReport
from certbridge.stats.report_html import MEASURE_NAMES, key_figures, notable_changes
from certbridge.stats.sheets import FLOW_NAMES
from certbridge.stats.targets import list_targets, progress

# The same fonts the receipts look for (credentials/receipt_pdf.py): Debian's fonts-noto-cjk first.
FONT_CANDIDATES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                   "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                   "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@cache
def _font() -> tuple[str, int]:
    from fontTools.ttLib import TTCollection

    for candidate in FONT_CANDIDATES:
        path = Path(candidate)
        if path.exists():
            if path.suffix != ".ttc":
                return str(path), 0
            faces = [f["name"].getDebugName(4) or "" for f in TTCollection(str(path), lazy=True).fonts]
            return str(path), next((i for i, n in enumerate(faces) if n.endswith(" SC") and "Mono" not in n), 0)
    raise RuntimeError("no CJK font found; install the Debian package fonts-noto-cjk")


def report_pdf(session: Session, report: StatsReport) -> bytes:
    """Lay out a kept report's figures (recomputed at its date) with its hash and signature."""
    path, index = _font()
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    pdf.set_title(f"Statistics report {report.region_code} {report.month}")
    pdf.set_creator("certbridge")
    pdf.add_page()
    zh, en = ov.region_names(session, report.region_code)
    first = report.as_of.replace(day=1)

    def line(text: str, size: int = 11, height: float = 7) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    line(f"{zh} {report.month} 质量认证月度报告", 17, 10)
    line(f"{en}: quality-certification report for {report.month}", 11)
    root = report.root_hash.hex() if report.root_hash else "—"
    line(f"数据截至 {report.as_of} · 日志检查点 树大小 {report.tree_size} · Figures as of {report.as_of}, "
         f"checkpoint tree size {report.tree_size}, root {root}", 8, 5)
    pdf.ln(3)
    line("主要数字 Key figures", 13, 9)
    for k in key_figures(session, region=report.region_code, first=first, as_of=report.as_of):
        z, e = MEASURE_NAMES[k["measure"]]
        line(f"{z} {e}: {k['value']}（较上月 {k['month_change']:+d}，较上年同期 {k['year_change']:+d}）")
    line("本月变动 Changes this month", 13, 9)
    flows = ov.changes(session, region=report.region_code, start=first, end=report.as_of)
    line("；".join(f"{FLOW_NAMES[key][0]} {FLOW_NAMES[key][1]} {n}" for key, n in flows.items()))
    line("目标 Targets", 13, 9)
    goals = [progress(session, t, report.as_of)
             for t in list_targets(session, region_code=report.region_code, published_only=False)]
    for g in goals:
        z, e = MEASURE_NAMES[g.target.measure]
        line(f"{z} ≥ {g.target.threshold}（{g.target.deadline}，{g.target.source}）：{g.value}，差 {g.gap}，"
             f"预计 {g.projected if g.projected is not None else '—'} · {e} {g.value}/{g.target.threshold}")
    if not goals:
        line("本地区未设定目标。No target is set for this region.")
    line("值得注意的变化 Notable changes", 13, 9)
    notes = notable_changes(session, region=report.region_code, first=first, as_of=report.as_of)
    for z, e in notes or [("无", "None")]:
        line(f"· {z}  {e}", 10)
    child = ov.overview(session, region=report.region_code, on=report.as_of).children
    if child:
        line("各地区 By region", 13, 9)
        for c in sorted(child, key=lambda c: -c.certificates)[:20]:
            line(f"{c.zh}: {c.certificates} / {c.organizations}", 10, 6)
    pdf.ln(4)
    line(f"SHA-256 (HTML): {report.sha256}", 8, 5)
    line(f"签名 Signature: {report.signature}", 8, 5)
    return bytes(pdf.output())
