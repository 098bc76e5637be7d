"""kit.spreadsheet: the OWASP CSV-injection rule, and its inverse for re-import."""

from __future__ import annotations

import csv
import io

import pytest

from certbridge.kit.spreadsheet import csv_cell, unescape_csv_cell, write_csv_bytes


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", " =1", "＝1+1", "-cmd", "'=already", "''+x",
                                  '=HYPERLINK("http://x")'])
def test_formula_like_cells_get_an_apostrophe_and_come_back(text):
    assert csv_cell(text) == "'" + text
    assert unescape_csv_cell(csv_cell(text)) == text


@pytest.mark.parametrize("value", ["-12", "-0.5", "12", "北海", "a=b", "", "'quoted", "'-5", 5, None])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert csv_cell(value) == value
    if isinstance(value, str):
        assert unescape_csv_cell(value) == value


def test_csv_bytes_carry_a_bom_and_neutralized_cells():
    data = write_csv_bytes(["a", "b"], [["=1+1", "-3"]])
    assert data.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [["a", "b"], ["'=1+1", "-3"]]
