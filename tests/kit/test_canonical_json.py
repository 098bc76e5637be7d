import datetime as dt
import decimal
import enum
import hashlib
import json
import uuid

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# --- the fast path is byte-identical to the reference implementation ---------------------------------

# RFC 8785's own examples (§3.2.2 values and escaping, §3.2.3 sorting), as published with the
# specification's reference test data (cyberphone/json-canonicalization, testdata/): input JSON text,
# expected canonical UTF-8.
RFC8785_VECTORS = {
    "arrays": ('[56, {"d": true, "10": null, "1": [ ]}]', '[56,{"1":[],"10":null,"d":true}]'),
    "french": ('{"peach": "This sorting order", "péché": "is wrong according to French", '
               '"pêche": "but canonicalization MUST", "sin": "ingnore locale"}',
               '{"peach":"This sorting order","péché":"is wrong according to French",'
               '"pêche":"but canonicalization MUST","sin":"ingnore locale"}'),
    "structures": ('{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0}, "10": { }, "": "empty", "a": { }, '
                   '"111": [ { } ], "A": { }}',
                   '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}'),
    "unicode": ('{"Unnormalized Unicode":"\\u1e0d\\u0307"}', '{"Unnormalized Unicode":"\u1e0d\u0307"}'),
    "values": ('{"numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001], '
               '"escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
               '{"escaping":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],'
               '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}'),
    "weird": ('{"\\u20ac": "Euro Sign", "1": "One", "\\u0080": "Control\\u007f", "\\ud83d\\ude02": "Smiley", '
              '"\\u00f6": "Latin Small Letter O With Diaeresis", "\\ufb33": "Hebrew Letter Dalet With Dagesh", '
              '"</script>": "Browser Challenge"}',
              '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
              '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\U0001f602":"Smiley",'
              '"\ufb33":"Hebrew Letter Dalet With Dagesh"}'),
}


@pytest.mark.parametrize("name", sorted(RFC8785_VECTORS))
def test_rfc8785_examples(name):
    source, expected = RFC8785_VECTORS[name]
    assert canonical_bytes(json.loads(source)) == expected.encode("utf-8")


def test_plain_documents_take_the_fast_path(monkeypatch):
    import certbridge.kit.canonical_json as module

    def refuse(value):
        raise AssertionError(f"reference encoder used for {value!r}")

    monkeypatch.setattr(module.rfc8785, "dumps", refuse)
    event = {"v": 1, "seq": 7, "type": "certificate.issued", "subject": {"type": "certificate", "id": "9"},
             "at": dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc), "data": {"state": {
                 "holder_name": "北海市示例电子有限公司", "issued_on": dt.date(2025, 3, 1), "cycle": 1,
                 "audits": [{"auditors": [[1, "2021-N1QMS-1000001", "leader"]]}], "fine": decimal.Decimal("1.50"),
                 "名称": "非 ASCII 键", "previous_id": None, "public": True}}}
    assert json.loads(canonical_bytes(event))["data"]["state"]["fine"] == "1.50"
    with pytest.raises(AssertionError, match="reference encoder"):
        canonical_bytes({"ratio": 0.5})  # floats are the reference implementation's


# Characters chosen where encoders disagree: controls (short and \u00xx escapes), quote and backslash,
# slash, DEL, non-ASCII below the surrogates, CJK, the line/paragraph separators JavaScript once choked on,
# the private-use/compatibility block that sorts differently in UTF-16, astral characters (emoji, CJK
# extension B), and lone surrogates (not encodable as UTF-8).
_TRICKY = ("a\x00\x08\t\n\x0b\x0c\r\x1f\"\\/\x7f\u0080é中华北海\u2028\u2029\ue000\ufb33\uff01\uffff"
           "\U0001f602\U0001f600\U00010000\U00020000\ud800\udfff")
_text = st.text(alphabet=st.sampled_from(_TRICKY), max_size=6) | st.text(max_size=6)


class _Colour(enum.Enum):
    RED = 1


class _Status(str, enum.Enum):
    VALID = "valid"


class _Level(enum.IntEnum):
    HIGH = 3


class _Text(str):
    pass


class _Int(int):
    pass


_scalars = (st.none() | st.booleans() | _text
            | st.integers(min_value=-(2**54), max_value=2**54) | st.integers()
            | st.sampled_from([2**53 - 1, -(2**53 - 1), 2**53, -(2**53), 2**63, 2**64, 0])
            | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([-0.0, 1.0, 1e21, 1e-7, 5e-324])
            | st.dates() | st.datetimes(timezones=st.sampled_from([dt.timezone.utc, CST]))
            | st.datetimes() | st.decimals(allow_nan=True, allow_infinity=False, places=3) | st.uuids()
            | st.sampled_from([_Colour.RED, _Status.VALID, _Level.HIGH, _Text("子类"), _Int(7), dt.time(8, 30)]))
_documents = st.recursive(
    _scalars,
    lambda children: (st.lists(children, max_size=4) | st.lists(children, max_size=3).map(tuple)
                      | st.dictionaries(_text, children, max_size=4)),
    max_leaves=20,
)


def _reference(value):
    try:
        return rfc8785.dumps(to_json_value(value))
    except Exception as exc:  # noqa: BLE001 — the reference's refusal is what we must match
        return type(exc)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_fast_path_is_byte_identical_to_rfc8785(value):
    try:
        ours = canonical_bytes(value)
    except Exception as exc:  # noqa: BLE001
        ours = type(exc)
    assert ours == _reference(value)


# Nested objects whose keys mix CJK, emoji and the U+E000–U+FFFF block: the sort order is where a
# code-point sort (orjson's) and RFC 8785's UTF-16 sort part ways.
_keys = st.text(alphabet=st.sampled_from("aZ0_中华\ue000\uff01\ufb33\U0001f602\U0001f600\U00020000é"),
                min_size=0, max_size=4)
_nested = st.recursive(st.none() | st.integers(-5, 5) | _keys,
                       lambda children: st.dictionaries(_keys, children, max_size=6), max_leaves=30)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_nested)
def test_nested_keys_sort_by_utf16_code_units(value):
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.sampled_from([dt.timezone.utc, CST, dt.timezone(dt.timedelta(hours=-11))])))
def test_datetime_text_is_the_documented_format(value):
    assert to_json_value(value) == value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_a_certificate_event_needs_no_reference_encoder(monkeypatch):
    import certbridge.kit.canonical_json as module

    state = {"holder_name": "北海市海城区示例电子有限公司", "scope": "电子元器件的设计和生产\u2028第二行",
             "note": "tab\there \"quoted\" \\ \x01", "cycle": 9007199254740991, "sites": [],
             "audits": [{"auditors": [[1, "2021-N1QMS-1000001", "leader"]], "start_on": dt.date(2025, 2, 20)}]}
    expected = rfc8785.dumps({"data": {"state": to_json_value(state)}, "at": "2025-03-01T00:00:00.000000Z"})
    monkeypatch.setattr(module.rfc8785, "dumps", lambda value: pytest.fail(f"reference encoder used for {value!r}"))
    assert canonical_bytes({"data": {"state": state}, "at": dt.datetime(2025, 3, 1, 8, tzinfo=CST)}) == expected
