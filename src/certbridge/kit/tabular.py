"""Read uploaded tables (CSV in UTF-8 or GBK, XLSX, JSON) safely into rows of strings.

Every cell and row is held to `TableLimits` (a cell or row too long is refused naming its row and column);
CSV text is decoded only when its encoding is certain (`kit.text_decoding`); a CSV cell written by our own
export as ``'=…`` (formula neutralized, `kit.spreadsheet`) reads back as ``=…``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from certbridge.kit.spreadsheet import unescape_csv_cell
from certbridge.kit.text_decoding import decode_text

MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ROWS = 100_000
# The csv module refuses a field over 131,072 characters with a bare csv.Error (which was a plain 500). Our own
# per-cell limit (TableLimits.max_cell_chars) names the row and column instead; the file-size limit bounds memory.
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True)
class TableLimits:
    """How much one cell, one row and one table may hold (characters, columns, rows)."""

    max_cell_chars: int = 10_000
    max_row_chars: int = 50_000
    max_columns: int = 200
    max_rows: int = MAX_ROWS


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
    decoded = decode_text(data)
    if decoded.text is None:
        raise TableError(decoded.problem or "import.encoding")
    return decoded.text, decoded.encoding


def _check_header(header: list[str], limits: TableLimits) -> None:
    if len(header) > limits.max_columns:
        raise TableError("import.too_many_columns", count=len(header), max=limits.max_columns)
    for index, name in enumerate(header, start=1):
        if len(name) > limits.max_cell_chars:
            raise TableError("import.cell_too_long", row=1, column=str(index), max=limits.max_cell_chars)


def _check_row(line: int, header: list[str], values: list[str], limits: TableLimits) -> None:
    total = 0
    for index, value in enumerate(values):
        size = len(value)
        if size > limits.max_cell_chars:
            column = header[index] if index < len(header) and header[index] else str(index + 1)
            raise TableError("import.cell_too_long", row=line, column=column, max=limits.max_cell_chars)
        total += size
    if total > limits.max_row_chars:
        raise TableError("import.row_too_long", row=line, max=limits.max_row_chars)
    if len(values) > limits.max_columns:
        raise TableError("import.too_many_columns", count=len(values), max=limits.max_columns)


def read_csv(data: bytes, limits: TableLimits | None = None) -> Table:
    """Read a CSV file in UTF-8 (with or without BOM) or GBK/GB18030; anything else is refused."""
    limits = limits or TableLimits()
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        _check_header(header, limits)
        rows = []
        max_cell, max_row, max_columns = limits.max_cell_chars, limits.max_row_chars, limits.max_columns
        for values in reader:
            line = reader.line_num
            # The limits in C first (`_check_row` names the offending cell when one is broken).
            sizes = list(map(len, values))
            if len(values) > max_columns or (sizes and max(sizes) > max_cell) or sum(sizes) > max_row:
                _check_row(line, header, values, limits)
            cells = list(map(str.strip, values))
            if not any(cells):
                continue
            if len(rows) >= limits.max_rows:
                raise TableError("import.too_many_rows", max=limits.max_rows)
            if "'" in "".join(cells):  # only a cell starting with an apostrophe can be escaped
                cells = [unescape_csv_cell(cell) for cell in cells]
            rows.append((line, dict(zip(header, cells))))
    except StopIteration:
        raise TableError("import.empty") from None
    except csv.Error as exc:
        raise TableError("import.bad_csv", row=reader.line_num, detail=str(exc)) from None
    return Table(rows, encoding)


def read_xlsx(data: bytes, limits: TableLimits | None = None) -> Table:
    """Read the first sheet of an XLSX file, refusing zip bombs and formulas (text that merely starts with "="
    is text)."""
    limits = limits or TableLimits()
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
    _check_header(header, limits)
    rows = []
    for index, cells in enumerate(iterator, start=2):
        values = {}
        for name, cell in zip(header, cells):
            value = cell.value
            if getattr(cell, "data_type", None) == "f":
                raise TableError("import.formula", row=index, column=name)
            if isinstance(value, datetime):
                value = value.date().isoformat()
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float) and value.is_integer():
                value = str(int(value))
            values[name] = "" if value is None else str(value).strip()
        _check_row(index, header, list(values.values()), limits)
        if not any(values.values()):
            continue
        if len(rows) >= limits.max_rows:
            raise TableError("import.too_many_rows", max=limits.max_rows)
        rows.append((index, values))
    book.close()
    return Table(rows)


def _json_strings(value: Any, path: str) -> Any:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _json_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _json_strings(item, f"{path}.{position}")


def _check_json_item(row: int, item: dict, limits: TableLimits) -> None:
    total = 0
    for path, text in _json_strings(item, ""):
        if len(text) > limits.max_cell_chars:
            raise TableError("import.cell_too_long", row=row, column=path, max=limits.max_cell_chars)
        total += len(text)
    if total > limits.max_row_chars:
        raise TableError("import.row_too_long", row=row, max=limits.max_row_chars)


def read_json(data: bytes, limits: TableLimits | None = None) -> Table:
    """Read a JSON array of objects (or {"certificates": [...]}); rows are numbered from 1."""
    limits = limits or TableLimits()
    text, _ = _decode(data)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TableError("import.bad_json", line=exc.lineno, column=exc.colno) from None
    if isinstance(payload, dict):
        payload = payload.get("certificates")
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise TableError("import.json_shape")
    if len(payload) > limits.max_rows:
        raise TableError("import.too_many_rows", max=limits.max_rows)
    for row, item in enumerate(payload, start=1):
        _check_json_item(row, item, limits)
    return Table([(i, item) for i, item in enumerate(payload, start=1)])


def read_table(filename: str, data: bytes, limits: TableLimits | None = None) -> Table:
    """Read a table by the file's content and extension, within ``limits``."""
    name = filename.lower()
    if data[:2] == b"PK" or name.endswith(".xlsx"):
        return read_xlsx(data, limits)
    if name.endswith(".json") or data.lstrip()[:1] in (b"[", b"{"):
        return read_json(data, limits)
    if name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        return read_csv(data, limits)
    raise TableError("import.file_type", filename=filename)
