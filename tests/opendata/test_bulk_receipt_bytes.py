"""What a bulk receipt signs is its RFC 8785 JSON, even when made from its rows' JSON made once beforehand."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from certbridge.kit.canonical_json import canonical_bytes
from certbridge.opendata.bulk_receipt import signed_bytes

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)
receipts = st.fixed_dictionaries(
    {"format": st.just("certbridge-bulk-receipt/v3"), "rows": st.lists(json_values, max_size=6),
     "list": st.fixed_dictionaries({"name": st.text(max_size=10), "rows": st.integers(0, 10)}),
     "signature": json_values},
    optional={"state": json_values, "keys": json_values, "tree_size": st.integers(0, 10**9),
              "on": st.text(max_size=10), "z": json_values, "Ä": json_values, "\U0001f600": json_values})


@settings(max_examples=200, deadline=None)
@given(receipt=receipts)
def test_the_signed_bytes_are_the_receipts_canonical_json(receipt):
    expected = canonical_bytes({k: v for k, v in receipt.items() if k != "signature"})
    assert signed_bytes(receipt, [canonical_bytes(r) for r in receipt["rows"]]) == expected
    assert signed_bytes(receipt) == expected


def test_astral_characters_in_a_row_or_the_list_name():
    receipt = {"format": "certbridge-bulk-receipt/v3", "list": {"name": "名单 \U0001f600.csv", "rows": 1},
               "rows": [{"𠀀": 1, "ﬀ": 2, "input": {"name": "𠮷野家"}}], "signature": {}}
    assert signed_bytes(receipt, [canonical_bytes(r) for r in receipt["rows"]]) == canonical_bytes(
        {k: v for k, v in receipt.items() if k != "signature"})
