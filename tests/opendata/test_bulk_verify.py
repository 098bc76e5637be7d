"""Bulk verification of a supplier list: matches by USCC, number and name, effective status, one signed receipt."""

from __future__ import annotations

import copy

import pytest
from certbridge.credentials.receipt_check import extract_receipt
from certbridge.db import read_session
from certbridge.ledger.offline import OfflineCheckError
from certbridge.opendata.bulk_documents import receipt_pdf, receipt_xlsx
from certbridge.opendata.bulk_input import ListRow, rows_from_file
from certbridge.opendata.bulk_receipt import build_bulk_receipt
from certbridge.opendata.bulk_receipt_check import verify_bulk_receipt
from certbridge.kit.uscc import generate_uscc
from certbridge.credentials.service import credential_verifier_keys
from certbridge.ledger.proofs import log_verifier_keys


def _keys(sessions, settings) -> dict[str, list[str]]:
    """Return the instance's published credential and log keys (what GET /api/v1/ledger/keys lists)."""
    with read_session(sessions) as session:
        return {"credential_keys": credential_verifier_keys(session, settings), "log_keys": log_verifier_keys(session)}


def _list(s) -> tuple[list[ListRow], dict[int, tuple[str, object]]]:
    """Return a 5,000-row list mixing every kind of row, and what each row should give (kind, expected org)."""
    import random

    rng = random.Random(7)
    rows, expected = [], {}
    for i in range(5000):
        k = i % 20
        j = (i * 7) % len(s.names)
        n = i + 2
        if k < 8:  # by USCC (name left blank or as typed)
            rows.append(ListRow(n, name=s.names[j] if k % 2 else "", uscc=s.usccs[j]))
            expected[n] = ("uscc", s.names[j])
        elif k < 12:  # by certificate number
            rows.append(ListRow(n, number=s.numbers[j]))
            expected[n] = ("number", s.names[j])
        elif k < 15:  # exact name
            rows.append(ListRow(n, name=s.names[j]))
            expected[n] = ("name_exact", s.names[j])
        elif k < 17:  # the name as people write it: no region, or another legal form
            typed = s.names[j].removeprefix("广西") if k == 15 else s.names[j].replace("有限公司", "公司")
            rows.append(ListRow(n, name=typed))
            expected[n] = ("name_fuzzy", s.names[j])
        elif k < 18:  # a name two organizations fit
            rows.append(ListRow(n, name="星光电子有限公司"))
            expected[n] = ("ambiguous", None)
        elif k < 19:  # nobody
            rows.append(ListRow(n, name=f"完全虚构{rng.randint(0, 999)}号贸易商行"))
            expected[n] = ("none", None)
        else:  # a valid USCC nobody registered
            rows.append(ListRow(n, uscc=generate_uscc(rng, region="110105")))
            expected[n] = ("none", None)
    return rows, expected


def test_a_5000_row_list_gets_the_expected_matches_and_a_receipt_an_offline_check_accepts(
        suppliers, sessions, settings):
    rows, expected = _list(suppliers)
    with read_session(sessions) as session:
        receipt = build_bulk_receipt(session, settings=settings, rows=rows, list_name="供应商名单.xlsx")
    assert receipt["list"]["rows"] == 5000 and len(receipt["rows"]) == 5000
    for result in receipt["rows"]:
        kind, name = expected[result["row"]]
        assert result["match"] == kind, (result["row"], result["input"], result["match"], result["candidates"])
        if name:
            assert result["organization"]["name"] == name
    ambiguous = next(r for r in receipt["rows"] if r["match"] == "ambiguous")
    assert {c["name"] for c in ambiguous["candidates"]} == set(suppliers.twins)
    fuzzy = next(r for r in receipt["rows"] if r["match"] == "name_fuzzy")
    assert 85 <= fuzzy["score"] < 100 or fuzzy["score"] == 100
    # suppliers.names[0] was suspended: its rows say so, with the reason
    first = [r for r in receipt["rows"] if r["organization"] and r["organization"]["name"] == suppliers.names[0]]
    assert first and all(r["outcome"] == "not_valid" for r in first)
    assert first[0]["certificates"][0]["status"] == "suspended"
    assert first[0]["certificates"][0]["reasons"][0]["code"] == "suspended"
    assert all(c["in_checkpoint"] for r in receipt["rows"] for c in r["certificates"])
    summary = receipt["summary"]
    assert summary["rows"] == 5000 and summary["ambiguous"] == 250 and summary["not_found"] == 500
    assert summary["valid"] + summary["not_valid"] == 4250

    keys = _keys(sessions, settings)
    checked = verify_bulk_receipt(receipt, rows=rows, **keys)
    assert checked["summary"] == summary and checked["list_checked"] and not checked["embedded_keys"]
    # the PDF carries the same signed JSON; the workbook has one line per row
    assert extract_receipt(receipt_pdf(receipt)) == receipt
    from openpyxl import load_workbook
    import io

    book = load_workbook(io.BytesIO(receipt_xlsx(receipt)), read_only=True)
    assert sum(1 for _ in book.worksheets[0].iter_rows()) == 5001


def _small_receipt(suppliers, sessions, settings):
    rows = [ListRow(2, uscc=suppliers.usccs[1]), ListRow(3, name="无此公司商行"), ListRow(4, number=suppliers.numbers[2],
                                                                                       standard="ISO 9001:2015"),
            ListRow(5, uscc=suppliers.usccs[3], standard="ISO 14001:2015")]
    with read_session(sessions) as session:
        return rows, build_bulk_receipt(session, settings=settings, rows=rows, list_name="list.csv")


def test_requirements_read_iso_names_as_their_chinese_standards(suppliers, sessions, settings):
    _, receipt = _small_receipt(suppliers, sessions, settings)
    outcomes = [r["outcome"] for r in receipt["rows"]]
    assert outcomes == ["valid", "not_found", "valid", "no_certificate"]
    assert receipt["rows"][2]["certificates"][0]["standard"] == "GB/T 19001-2016"


@pytest.mark.parametrize("tamper, code", [
    (lambda r: r["rows"][0].update(outcome="not_valid"), "receipt.bad_signature"),
    (lambda r: r["rows"].pop(), "receipt.bad_signature"),
])
def test_an_altered_receipt_is_refused(suppliers, sessions, settings, tamper, code):
    rows, receipt = _small_receipt(suppliers, sessions, settings)
    bad = copy.deepcopy(receipt)
    tamper(bad)
    with pytest.raises(OfflineCheckError) as caught:
        verify_bulk_receipt(bad, **_keys(sessions, settings))
    assert caught.value.code == code


def test_a_receipt_checked_against_another_list_is_refused(suppliers, sessions, settings):
    rows, receipt = _small_receipt(suppliers, sessions, settings)
    with pytest.raises(OfflineCheckError) as caught:
        verify_bulk_receipt(receipt, rows=rows[:-1], **_keys(sessions, settings))
    assert caught.value.code == "bulk_receipt.other_list"


def test_a_gbk_csv_list_is_read_by_its_chinese_headers():
    data = "企业名称,统一社会信用代码,证书编号\n广西某某电子有限公司,,00126Q260001R0M\n".encode("gbk")
    rows = rows_from_file("名单.csv", data)
    assert rows == [ListRow(2, name="广西某某电子有限公司", number="00126Q260001R0M")]
