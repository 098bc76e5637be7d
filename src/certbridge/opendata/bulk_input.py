"""A supplier list as typed: columns recognised by Chinese or English headers, rows read within limits.

A list comes as a file (CSV in UTF-8 or GBK, XLSX — `kit.tabular`) or as JSON rows posted to the API. Each
row names a supplier by any of company name, USCC and certificate number, and may ask for a scheme (QMS, CCC …)
or a standard ("ISO 9001:2015" or "GB/T 19001-2016"). The list's digest (SHA-256 over the rows' canonical JSON)
goes into the receipt, so the receipt is tied to exactly this list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from certbridge.errors import InvalidInput
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.tabular import TableError, TableLimits, read_table

MAX_ROWS = 50_000  # a list this long is a background job of a minute or so; longer ones are split
MAX_SYNC_ROWS = 5_000  # the API answers at once up to this many rows; longer lists run as a job
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "company", "company name", "supplier", "supplier name", "organization", "organisation",
             "certified entity name", "企业名称", "公司名称", "供应商名称", "供应商", "单位名称", "组织名称", "名称"),
    "uscc": ("uscc", "credit code", "unified social credit code", "certified entity unique id",
             "统一社会信用代码", "信用代码", "社会信用代码"),
    "number": ("number", "certificate number", "certificate no", "certificate", "证书编号", "证书号"),
    "scheme": ("scheme", "required scheme", "认证项目", "要求认证项目", "认证类别"),
    "standard": ("standard", "required standard", "认证标准", "要求标准", "认证依据", "标准"),
}
_BY_HEADER = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
FIELD_CHARS = {"name": 200, "uscc": 40, "number": 60, "scheme": 20, "standard": 60}


@dataclass(frozen=True)
class ListRow:
    """One row of a supplier list: where it was, and what it asks."""

    row: int
    name: str = ""
    uscc: str = ""
    number: str = ""
    scheme: str = ""
    standard: str = ""

    def as_dict(self) -> dict[str, str]:
        """Return the row's fields as JSON-ready data (empty ones left out)."""
        return {k: v for k, v in (("name", self.name), ("uscc", self.uscc), ("number", self.number),
                                  ("scheme", self.scheme), ("standard", self.standard)) if v}


def _row(row: int, values: dict[str, object]) -> ListRow:
    fields = {}
    for key, value in values.items():
        if value is None:
            continue
        text = str(value).strip()
        if len(text) > FIELD_CHARS[key]:
            raise InvalidInput("bulk.cell_too_long", field=key, row=row, max=FIELD_CHARS[key])
        fields[key] = text
    return ListRow(row, **fields)


def rows_from_items(items: list[dict[str, object]]) -> list[ListRow]:
    """Return the rows of a JSON list (keys name, uscc, number, scheme, standard), numbered from 1."""
    if len(items) > MAX_ROWS:
        raise InvalidInput("bulk.too_many_rows", field="rows", max=MAX_ROWS)
    rows = [_row(i, {k: v for k, v in item.items() if k in COLUMNS}) for i, item in enumerate(items, start=1)]
    if not rows:
        raise InvalidInput("bulk.empty", field="rows")
    return rows


def rows_from_file(filename: str, data: bytes) -> list[ListRow]:
    """Return the rows of an uploaded CSV or XLSX list; refuse a file with no column we recognise."""
    try:
        table = read_table(filename or "list.csv", data, TableLimits(max_rows=MAX_ROWS, max_columns=100))
    except TableError as exc:
        raise InvalidInput(exc.code, field="file", **exc.params) from None
    if not table.rows:
        raise InvalidInput("bulk.empty", field="file")
    header = list(table.rows[0][1])
    mapping = {h: _BY_HEADER[h.strip().lower()] for h in header if h.strip().lower() in _BY_HEADER}
    if not {"name", "uscc", "number"} & set(mapping.values()):
        raise InvalidInput("bulk.no_columns", field="file", columns="、".join(header[:8]) or "—")
    rows = []
    for line, values in table.rows:
        picked: dict[str, object] = {}
        for header_name, key in mapping.items():
            if values.get(header_name) and key not in picked:
                picked[key] = values[header_name]
        rows.append(_row(line, picked))
    return rows


def list_digest(rows: list[ListRow]) -> str:
    """Return the SHA-256 (hex) of the rows as canonical JSON: what the receipt binds the list by."""
    return hashlib.sha256(canonical_bytes([[r.row, r.as_dict()] for r in rows])).hexdigest()
