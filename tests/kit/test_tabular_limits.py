"""kit.tabular holds every format to the same cell, row and column limits, naming the row and column."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from certbridge.kit.tabular import TableError, TableLimits, read_table

LIMITS = TableLimits(max_cell_chars=100, max_row_chars=250, max_columns=5)


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _refusal(filename, data):
    with pytest.raises(TableError) as caught:
        read_table(filename, data, LIMITS)
    return caught.value.code, caught.value.params


def test_a_long_cell_is_named_by_row_and_column_in_every_format():
    assert _refusal("a.csv", ("number,scope\nA,ok\nB," + "x" * 101 + "\n").encode()) == (
        "import.cell_too_long", {"row": 3, "column": "scope", "max": 100})
    assert _refusal("a.xlsx", _xlsx([["number", "scope"], ["A", "ok"], ["B", "x" * 101]])) == (
        "import.cell_too_long", {"row": 3, "column": "scope", "max": 100})
    assert _refusal("a.json", json.dumps([{"number": "A"}, {"holder": {"name": "x" * 101}}]).encode()) == (
        "import.cell_too_long", {"row": 2, "column": "holder.name", "max": 100})


def test_a_cell_beyond_the_csv_modules_own_limit_is_ours_to_name():
    code, params = read_table_error("n,s\n1," + "x" * 200_000 + "\n")
    assert code == "import.cell_too_long" and params["row"] == 2 and params["column"] == "s"


def read_table_error(text: str):
    with pytest.raises(TableError) as caught:
        read_table("a.csv", text.encode(), TableLimits())
    return caught.value.code, caught.value.params


def test_a_long_row_and_too_many_columns():
    row = ",".join(["y" * 90] * 3)
    assert _refusal("a.csv", f"a,b,c\n{row}\n".encode()) == ("import.row_too_long", {"row": 2, "max": 250})
    assert _refusal("a.csv", b"a,b,c,d,e,f\n1,2,3,4,5,6\n")[0] == "import.too_many_columns"


def test_within_limits_reads_as_before():
    table = read_table("a.csv", "number,scope\nA,'=SUM(1)\n".encode(), LIMITS)
    assert table.rows == [(2, {"number": "A", "scope": "=SUM(1)"})]  # our export's apostrophe is undone
