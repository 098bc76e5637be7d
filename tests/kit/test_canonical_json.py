import datetime as dt
import decimal
import hashlib
import json
import uuid

import pytest
import rfc8785

from certbridge.kit.canonical_json import canonical_bytes, to_json_value

CST = dt.timezone(dt.timedelta(hours=8))


def test_keys_are_sorted_and_there_is_no_whitespace():
    assert canonical_bytes({"b": 1, "a": [1, 2], "c": {"z": None, "y": True}}) == (
        b'{"a":[1,2],"b":1,"c":{"y":true,"z":null}}'
    )


def test_insertion_order_does_not_change_the_bytes():
    first = {"holder": "华为技术有限公司", "status": "有效", "number": "00114Q26950R7L/3502"}
    second = dict(reversed(list(first.items())))
    assert canonical_bytes(first) == canonical_bytes(second)
    assert hashlib.sha256(canonical_bytes(first)).digest() == hashlib.sha256(canonical_bytes(second)).digest()


def test_chinese_text_is_raw_utf8_not_escaped():
    out = canonical_bytes({"holder": "华为技术有限公司"})
    assert out == '{"holder":"华为技术有限公司"}'.encode("utf-8")
    assert b"\\u" not in out


def test_chinese_keys_sort_by_utf16_code_units():
    # a (U+0061) < 中 (U+4E2D) < 华 (U+534E)
    assert canonical_bytes({"华": 1, "中": 2, "a": 3}) == '{"a":3,"中":2,"华":1}'.encode("utf-8")


def test_astral_keys_sort_by_utf16_not_by_code_point():
    # 😀 is U+1F600, encoded as surrogates D83D DE00, which sort before U+FF01 "！" in UTF-16.
    out = canonical_bytes({"！": 1, "😀": 2})
    assert out == '{"😀":2,"！":1}'.encode("utf-8")


def test_dates_are_iso_8601():
    assert canonical_bytes({"issued": dt.date(2025, 10, 9)}) == b'{"issued":"2025-10-09"}'


def test_datetimes_become_utc_with_microseconds_and_z():
    beijing_morning = dt.datetime(2025, 10, 9, 8, 30, tzinfo=CST)
    assert to_json_value(beijing_morning) == "2025-10-09T00:30:00.000000Z"
    same_instant = dt.datetime(2025, 10, 9, 0, 30, tzinfo=dt.timezone.utc)
    assert canonical_bytes([beijing_morning]) == canonical_bytes([same_instant])
    assert to_json_value(dt.datetime(2025, 1, 1, 7, 59, 59, 123, tzinfo=CST)) == "2024-12-31T23:59:59.000123Z"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        canonical_bytes({"at": dt.datetime(2025, 10, 9, 8, 30)})


def test_decimals_keep_their_digits_as_strings():
    assert canonical_bytes({"fine": decimal.Decimal("12.50")}) == b'{"fine":"12.50"}'
    assert to_json_value(decimal.Decimal("1E+3")) == "1000"
    with pytest.raises(ValueError):
        canonical_bytes(decimal.Decimal("NaN"))


def test_uuids_are_lower_case_hyphenated():
    value = uuid.UUID("12345678-1234-5678-1234-56781234ABCD")
    assert canonical_bytes({"id": value}) == b'{"id":"12345678-1234-5678-1234-56781234abcd"}'


def test_nested_structures_and_tuples_are_converted():
    record = {"sites": ({"since": dt.date(2024, 2, 18), "ids": [uuid.UUID(int=1)]},)}
    assert json.loads(canonical_bytes(record)) == {
        "sites": [{"since": "2024-02-18", "ids": ["00000000-0000-0000-0000-000000000001"]}]
    }


def test_numbers_follow_ecmascript_rules():
    assert canonical_bytes([1.0, 0.5, 1e21, -0.0]) == b"[1,0.5,1e+21,0]"


def test_out_of_range_values_are_refused():
    with pytest.raises(rfc8785.IntegerDomainError):
        canonical_bytes(2**60)
    with pytest.raises(rfc8785.FloatDomainError):
        canonical_bytes(float("nan"))


def test_non_string_keys_are_refused():
    with pytest.raises(TypeError, match="keys must be strings"):
        canonical_bytes({1: "a"})
