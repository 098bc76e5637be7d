"""Read uploaded tables (CSV in UTF-8 or GBK, XLSX, JSON) safely into rows of strings."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ROWS = 100_000


class TableError(ValueError):
    """A file that cannot be read as a table; `code` and `params` say why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass
class Table:
    """Rows as dicts keyed by header, with each row's line (or sheet row) number."""

    rows: list[tuple[int, dict[str, Any]]]
    encoding: str | None = None


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TableError("import.encoding")


def read_csv(data: bytes) -> Table:
    """Read a CSV file in UTF-8 (with or without BOM) or GBK/GB18030."""
    text, encoding = _decode(data)
    if "\x00" in text:
        raise TableError("import.binary")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise TableError("import.empty") from None
    header = [h.strip() for h in header]
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError("import.too_many_rows", max=MAX_ROWS)
        rows.append((reader.line_num, dict(zip(header, (v.strip() for v in values)))))
    return Table(rows, encoding)


def read_xlsx(data: bytes) -> Table:
    """Read the first sheet of an XLSX file, refusing zip bombs and formulas."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TableError("import.not_xlsx") from None
    if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
        raise TableError("import.zip_bomb")
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise TableError("import.not_xlsx") from None
    sheet = book.worksheets[0]
    iterator = sheet.iter_rows()
    try:
        header = [str(c.value).strip() if c.value is not None else "" for c in next(iterator)]
    except StopIteration:
        raise TableError("import.empty") from None
    rows = []
    for index, cells in enumerate(iterator, start=2):
        values = {}
        for name, cell in zip(header, cells):
            value = cell.value
            if isinstance(value, str) and value.startswith("="):
                raise TableError("import.formula", row=index, column=name)
            if isinstance(value, datetime):
                value = value.date().isoformat()
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float) and value.is_integer():
                value = str(int(value))
            values[name] = "" if value is None else str(value).strip()
        if not any(values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError("import.too_many_rows", max=MAX_ROWS)
        rows.append((index, values))
    book.close()
    return Table(rows)


def read_json(data: bytes) -> Table:
    """Read a JSON array of objects (or {"certificates": [...]}); rows are numbered from 1."""
    text, _ = _decode(data)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TableError("import.bad_json", line=exc.lineno, column=exc.colno) from None
    if isinstance(payload, dict):
        payload = payload.get("certificates")
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise TableError("import.json_shape")
    if len(payload) > MAX_ROWS:
        raise TableError("import.too_many_rows", max=MAX_ROWS)
    return Table([(i, item) for i, item in enumerate(payload, start=1)])


def read_table(filename: str, data: bytes) -> Table:
    """Read a table by the file's content and extension."""
    name = filename.lower()
    if data[:2] == b"PK" or name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith(".json") or data.lstrip()[:1] in (b"[", b"{"):
        return read_json(data)
    if name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        return read_csv(data)
    raise TableError("import.file_type", filename=filename)
