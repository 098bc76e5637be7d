"""The statistics as plain tables (header, rows): what the downloads, the CLI and the report print.

Every table names the region, the date and the checkpoint in its title line; CSV and XLSX are written with
the kit's safe-export helpers, so no text cell is ever read as a formula.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.kit.spreadsheet import write_csv_bytes, xlsx_cells
from certbridge.stats import overview as ov

HEADERS = {
    "zh": {"key": "代码", "name": "名称", "certificates": "有效证书", "organizations": "获证组织", "date": "日期",
           "year_before": "上年同期", "change": "同比变化", "measure": "指标", "count": "数量"},
    "en": {"key": "Code", "name": "Name", "certificates": "Valid certificates", "organizations": "Certified organizations",
           "date": "Date", "year_before": "Same day a year before", "change": "Change", "measure": "Measure",
           "count": "Count"},
}
FLOW_NAMES = {"issued": ("新发证书", "Newly issued"), "suspended": ("暂停", "Suspended"),
              "withdrawn": ("撤销", "Withdrawn"), "expired": ("到期/注销失效", "Expired"),
              "cancelled": ("注销", "Cancelled")}
TABLES = ("regions", *ov.BREAKDOWNS, "monthly", "yearly", "changes")


def check_table(name: str) -> str:
    """Return a known table name, refusing anything else."""
    if name not in TABLES:
        raise InvalidInput("stats.dimension_unknown", field="table", dim=name[:30], allowed=", ".join(TABLES))
    return name


def table(session: Session, *, name: str, region: str, on: date, lang: str, start: date | None = None
          ) -> tuple[list[str], list[list[Any]]]:
    """Return one statistics table of a region on a date: header and rows."""
    h = HEADERS[lang]
    if name == "regions":
        lines = ov.overview(session, region=region, on=on).children
        return [h["key"], h["name"], h["certificates"], h["organizations"]], [
            [x.key, x.name(lang), x.certificates, x.organizations] for x in lines]
    if name in ov.BREAKDOWNS:
        lines = ov.breakdown(session, region=region, dim=name, on=on)
        return [h["key"], h["name"], h["certificates"], h["organizations"]], [
            [x.key, x.name(lang), x.certificates, x.organizations] for x in lines]
    if name in ("monthly", "yearly"):
        points = ov.series(session, region=region, on=on)[name]
        return [h["date"], h["certificates"], h["year_before"], h["change"], h["organizations"], h["year_before"],
                h["change"]], [[p["date"], p["certificates"], p["certificates_year_before"], p["certificates_change"],
                                p["organizations"], p["organizations_year_before"], p["organizations_change"]]
                               for p in points]
    first = start or on.replace(month=1, day=1)
    counts = ov.changes(session, region=region, start=first, end=on)
    return [h["measure"], h["count"]], [[FLOW_NAMES[k][0 if lang == "zh" else 1], v] for k, v in counts.items()]


def title_line(session: Session, *, name: str, region: str, on: date, lang: str) -> str:
    """Return the line that says what a table is: region, date, checkpoint."""
    zh, en = ov.region_names(session, region)
    cp = ov.queries.checkpoint(session)
    root = (cp["root_hash"] or "")[:16]
    if lang == "zh":
        return f"{zh} {name} 截至 {on.isoformat()}（日志检查点：树大小 {cp['tree_size']}，根 {root}…）"
    return f"{en} {name} as of {on.isoformat()} (log checkpoint: tree size {cp['tree_size']}, root {root}…)"


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """Return a table as UTF-8 CSV with a BOM, every cell neutralized."""
    return write_csv_bytes(header, rows)


def xlsx_bytes(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    """Return a table as an XLSX workbook (a title row, then the header and rows; text never a formula)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("statistics")
    sheet.append(xlsx_cells(sheet, [title]))
    sheet.append(xlsx_cells(sheet, header))
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
