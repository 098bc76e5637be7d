"""Write CSV and XLSX files that a spreadsheet opens as data, never as formulas (CSV/formula injection).

One rule for every export (OWASP "CSV Injection"):

- **CSV**: a text cell whose first character (after any leading spaces) is ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return — or their full-width forms ``＝ ＋ － ＠``, which some spreadsheet programs also accept — is
  written with a leading apostrophe ``'``, which spreadsheets show as "this is text" and do not evaluate. A plain
  number such as ``-12`` or ``-0.5`` is left as it is: a spreadsheet reads it as that number, not a formula.
- **XLSX**: every text value is written as an explicit string cell (never a formula) with Excel's "quote
  prefix" style where it starts like a formula, so editing the cell later does not turn it into one either.
  The value itself is unchanged (no apostrophe is added inside the cell).

``unescape_csv_cell`` undoes the CSV apostrophe, so our own exports re-import unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")


def looks_like_formula(text: str) -> bool:
    """Tell whether a spreadsheet could read ``text`` as a formula (plain negative numbers excepted)."""
    head = text.lstrip(" ")
    if not head.startswith(FORMULA_TRIGGERS) and not text.startswith(("\t", "\r")):
        return False
    return not _PLAIN_NUMBER.match(text)


def _escaped_already(text: str) -> bool:
    return text.startswith("'") and looks_like_formula(text.lstrip("'"))


def csv_cell(value: Any) -> Any:
    """Return a value safe to write into a CSV cell: formula-like text gets a leading apostrophe (so does text
    that already starts with apostrophes before formula-like text, so that ``unescape_csv_cell`` is exact)."""
    if isinstance(value, str) and (looks_like_formula(value) or _escaped_already(value)):
        return "'" + value
    return value


def unescape_csv_cell(text: str) -> str:
    """Undo ``csv_cell``: one apostrophe before formula-like text is dropped."""
    return text[1:] if _escaped_already(text) else text


def write_csv_bytes(header: Iterable[str], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> bytes:
    """Write a header and rows as UTF-8 CSV (BOM first, for Excel), every cell neutralized."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


class SafeCsvWriter:
    """A ``csv.writer`` over a text file whose every cell goes through ``csv_cell``."""

    def __init__(self, fh: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, neutralized."""
        self._writer.writerow([csv_cell(v) for v in row])


def xlsx_cells(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Return openpyxl cells for ``sheet.append``: text as explicit strings (quote-prefixed when formula-like),
    numbers and dates as themselves."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
            if looks_like_formula(value):
                cell.quotePrefix = True
        cells.append(cell)
    return cells
