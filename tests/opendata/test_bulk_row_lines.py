"""The daily files' JSON Lines rows: the fast encoder writes exactly the bytes of `json.dumps` with sorted keys."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from certbridge.opendata.feeds.bulk_lines import row_bytes, row_line

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.text(), st.floats(allow_nan=True))
ROWS = st.dictionaries(st.text(), SCALARS, max_size=8)


def _reference(row) -> bytes:
    return (json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8",
                                                                                                     "surrogatepass")


@given(row=ROWS, op=st.sampled_from(["upsert", None]))
def test_a_row_line_is_the_bytes_json_dumps_gives(row, op):
    value = {"op": op, "row": row} if op else row
    assert row_bytes(value) == _reference(value)


def test_chinese_text_control_characters_and_separators_are_written_as_json_dumps_writes_them():
    row = {"名称": "广西宏泰电子有限公司", "x": "a\u2028b\x00\x1f\x7f\"\\\n\t", "n": 2**60, "d": "2026-12-07", "z": None}
    assert row_bytes(row) == _reference(row)
    assert row_line(row) == _reference(row).decode("utf-8")
