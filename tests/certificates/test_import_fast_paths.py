"""The import's quick paths give what their plain definitions give, on generated and corrupted input.

A CSV's rows (limits checked in C, apostrophes undone only when a row has one), a row's columns renamed at once
when every header is known, and a batch's event bodies (the large ones written from per-type templates) are each
compared with the reference they replace: same rows, same refusals naming the same cell, same bytes.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certbridge.certificates.importer import COLUMN_ALIASES, _canonical
from certbridge.kit.spreadsheet import unescape_csv_cell
from certbridge.kit.tabular import TableError, TableLimits, _check_header, _check_row, _decode, read_csv


def _read_csv_reference(data: bytes, limits: TableLimits) -> tuple[list, str]:
    """The row loop as it was: every row checked cell by cell in Python, every cell unescaped."""
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        _check_header(header, limits)
        rows = []
        for values in reader:
            line = reader.line_num
            _check_row(line, header, values, limits)
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= limits.max_rows:
                raise TableError("import.too_many_rows", max=limits.max_rows)
            rows.append((line, dict(zip(header, (unescape_csv_cell(v.strip()) for v in values)))))
    except StopIteration:
        raise TableError("import.empty") from None
    except csv.Error as exc:
        raise TableError("import.bad_csv", row=reader.line_num, detail=str(exc)) from None
    return rows, encoding


def _outcome(read, data: bytes, limits: TableLimits):
    try:
        table = read(data, limits)
    except TableError as exc:
        return ("refused", exc.code, exc.params)
    if isinstance(table, tuple):
        return ("read", *table)
    return ("read", table.rows, table.encoding)


_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "'", "'=1+1", "''=SUM(A1)", "=1+1", "'+86 771", "' =x", "-5", "'-5", "北海", "\t",
                     "a,b", 'say "hi"', "x" * 30]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(["number", "scheme", "证书编号", "Scope", "x", " y "]), min_size=1, max_size=5),
       rows=st.lists(st.lists(_cells, max_size=7), max_size=8),
       max_cell=st.integers(5, 40), max_row=st.integers(10, 120), max_columns=st.integers(3, 8),
       max_rows=st.integers(1, 10))
def test_a_csv_reads_as_the_cell_by_cell_loop_read_it(header, rows, max_cell, max_row, max_columns, max_rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    limits = TableLimits(max_cell_chars=max_cell, max_row_chars=max_row, max_columns=max_columns, max_rows=max_rows)
    assert _outcome(read_csv, data, limits) == _outcome(_read_csv_reference, data, limits)


def test_an_escaped_formula_and_an_overlong_cell_are_still_told_apart_by_row_and_column():
    data = "number,scope\n'=1+1,ok\nA1,abcdefghij\n".encode()
    table = read_csv(data, TableLimits())
    assert table.rows[0][1] == {"number": "=1+1", "scope": "ok"}
    with pytest.raises(TableError) as refused:
        read_csv(data, TableLimits(max_cell_chars=8))
    assert (refused.value.code, refused.value.params["row"], refused.value.params["column"]) == \
        ("import.cell_too_long", 3, "scope")


_HEADERS = sorted({alias for name, aliases in COLUMN_ALIASES.items() for alias in (name, *aliases)}) + \
    ["unknown", "备注", "Number", " scheme "]


@settings(max_examples=300, deadline=None)
@given(header=st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=8, unique=True), data=st.data())
def test_a_rows_columns_are_renamed_as_one_by_one(header, data):
    values = data.draw(st.lists(st.text(max_size=5), min_size=len(header), max_size=len(header)))
    row = dict(zip(header, values))
    cache: dict = {}
    once, again = _canonical(row, cache), _canonical(row, cache)  # the second from the cached renaming
    reference = _canonical(row)  # no cache: renamed column by column
    assert once == again == reference
    assert list(once) == list(reference)
