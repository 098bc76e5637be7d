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


_text = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(['"', "\\", "\u2028", "\x00\x1f", "𠮷", "é", "北海"]))
_some_text = st.one_of(st.text(max_size=8), st.sampled_from(['"', "\\", "\u2028", "𠮷", "北海"]))
_ids = st.one_of(st.none(), st.integers(-5, 2**60))
_odd = st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False), st.none(), st.text(max_size=3))


@settings(max_examples=400, deadline=None)
@given(uscc=_some_text, needs_check=st.booleans(), name=_some_text, address=_text, region_code=_text, industry=_text)
def test_an_organizations_event_data_is_the_general_encoders_bytes(uscc, needs_check, name, address, region_code,
                                                                   industry):
    from certbridge.certificates.bulk_events import encode_plain, organization_registered

    assert organization_registered(uscc=uscc, needs_check=needs_check, name=name, address=address,
                                   region_code=region_code, industry=industry) == encode_plain({"state": {
        "uscc": uscc, "uscc_needs_check": needs_check, "name": name, "name_en": None, "address": address,
        "region_code": region_code, "industry": industry, "merged_into_id": None, "identifiers": [["uscc", uscc]]}})


@settings(max_examples=400, deadline=None)
@given(team=st.lists(st.tuples(st.integers(0, 2**40), _some_text, _some_text), max_size=3), end_on=_some_text,
       kind=_some_text, method=_some_text, start_on=_some_text, odd=st.one_of(st.none(), _odd),
       where=st.sampled_from(["kind", "person"]))
def test_an_audits_state_is_the_general_encoders_bytes(team, end_on, kind, method, start_on, odd, where):
    from certbridge.certificates.bulk_events import audit_state, encode_plain

    if odd is not None and where == "kind":  # a value of another type goes through the general encoder, as it did
        kind = odd
    elif odd is not None and team:
        team[0] = (odd, *team[0][1:])
    assert audit_state(auditors=team, end_on=end_on, kind=kind, method=method, start_on=start_on) == \
        encode_plain({"auditors": [list(a) for a in team], "end_on": end_on, "kind": kind, "method": method,
                      "start_on": start_on})


_STATE_KEYS = ("number", "body_id", "organization_id", "scheme_code", "standard_id", "issued_on", "expires_on",
               "cycle", "previous_id", "holder_name", "holder_address", "region_code", "scope", "scope_en",
               "product", "certification_mode", "last_surveillance_on", "sites", "grade")


@settings(max_examples=600, deadline=None)
@given(number=_some_text, body_id=st.integers(0, 2**53), organization_id=st.integers(-3, 2**53),
       scheme_code=_some_text, standard_id=_ids, issued_on=_some_text, expires_on=_some_text,
       cycle=st.integers(1, 9), previous_id=_ids, holder_name=_some_text, holder_address=_text, region_code=_text,
       scope=_some_text, scope_en=_text,
       product=st.one_of(st.none(), st.dictionaries(st.sampled_from(["name", "model", "trademark"]), _some_text)),
       certification_mode=_text, last_surveillance_on=_text,
       sites=st.lists(st.lists(_text, min_size=4, max_size=4), max_size=2),
       grade=st.one_of(_text, st.just("")), odd=st.one_of(st.none(), st.tuples(st.sampled_from(_STATE_KEYS), _odd)))
def test_a_certificates_state_is_the_general_encoders_bytes(odd, **values):
    from certbridge.certificates.bulk_events import certificate_issued_state, encode_plain

    if odd is not None:  # a value of another type (a bool id, a number for a text…) goes the general way, as it did
        values[odd[0]] = odd[1]
    reference = {"status": "valid", "status_reason": None, "status_changed_on": values["issued_on"],
                 "suspended_until": None, **values}
    if not values["grade"]:
        del reference["grade"]
    assert certificate_issued_state(**values) == encode_plain(reference)


def test_every_event_of_a_prepared_batch_is_what_the_event_writer_would_write(sessions, world):
    """Not only the first of each type (`check_events` at write time): every body, `prev_hash` included."""
    import json
    from datetime import date, datetime, timezone

    from certbridge.certificates.bulk import (AuditSpec, CertificateSpec, OrganizationSpec, StatusStep, load_rules,
                                              next_positions, prepare_batch)
    from certbridge.db import write_session
    from certbridge.ledger.journal import EventDraft, event_body

    with write_session(sessions) as session:
        start = next_positions(session)
        rules = load_rules(session)
        auditor = (world.ids["a1"], "2021-N1QMS-1000001", "leader")
        organizations = [OrganizationSpec(uscc="91450500MA5KXXXX0N", name="北海\"示例\"\\电子有限公司",
                                          address="北海市\u2028海城区", region_code="450502")]
        specs = [CertificateSpec(
            number=f"00126Q2640{i}R0M", body_id=world.ids["body_a"], organization=0, scheme_code="QMS",
            standard_id=None, issued_on=date(2025, 3, 1), expires_on=date(2028, 2, 28), holder_name="北海𠮷示例",
            holder_address=None if i else "地址", region_code="450502", scope="电子元器件的设计和生产",
            audits=[AuditSpec("initial", "FS01", date(2025, 2, 20), date(2025, 2, 22), [auditor]),
                    AuditSpec("surveillance", "FS01", date(2025, 4, 20), date(2025, 4, 21), [auditor])][:1 + i],
            steps=[StatusStep("suspended", date(2025, 5, 1), "监督审核未按期实施", until=date(2025, 11, 1)),
                   StatusStep("valid", date(2025, 6, 1), "整改完成")][:2 * i],
            sites=[("一厂", "北海市", None, None)] if i else [], product={"name": "电缆"} if i else None,
            grade="A" if i else None) for i in range(2)]
        batch = prepare_batch(organizations, specs, rules=rules, start=start, actor="user:1",
                              at=datetime(2025, 6, 2, 8, 0, tzinfo=timezone.utc),
                              dialect=session.get_bind().dialect.name, today=date(2025, 6, 2))
        session.rollback()
    events = batch.rows["ledger_event"]
    assert [e[1] for e in events] == ["organization.registered", "certificate.issued", "certificate.issued",
                                      "certificate.audited", "certificate.suspended", "certificate.valid"]
    for row in events:
        stored = json.loads(row[7])
        draft = EventDraft(stored["type"], stored["subject"]["type"], stored["subject"]["id"], stored["actor"],
                           stored["data"])
        expected = event_body(stored["seq"], draft, datetime(2025, 6, 2, 8, 0, tzinfo=timezone.utc),
                              prev=stored["prev"], prev_hash=stored["prev_hash"])
        assert row[7] == expected.decode()
    # each later event of a certificate names the one before it: its index and its leaf hash
    import base64
    second = [row for row in events if row[2] == "certificate" and row[3] == events[2][3]]
    for before, after in zip(second, second[1:]):
        body = json.loads(after[7])
        assert (body["prev"], body["prev_hash"]) == (before[0], base64.b64encode(before[8]).decode())


def test_a_batch_larger_than_one_insert_statement_writes_every_row_once(sessions, world):
    """Rows go in statements of a fixed size and one for the rest (SQLite): 600 drafts, every row there once."""
    import random
    from datetime import date

    from sqlalchemy import func, select

    from certbridge.certificates.bulk import issue_drafts
    from certbridge.certificates.models import Audit, Certificate
    from certbridge.certificates.schemas import CertificateIn
    from certbridge.db import write_session
    from certbridge.kit.uscc import generate_uscc
    from certbridge.principal import SYSTEM
    from certbridge.registry.models import Organization
    from tests.world import certificate_payload

    rng = random.Random(7)
    drafts = []
    for i in range(600):
        payload = certificate_payload(world, number=f"00126Q27{i:03d}R0M")
        payload["holder"] = {"name": f"北海市分批{i}号有限公司", "uscc": generate_uscc(rng, region="450502")}
        drafts.append(CertificateIn.model_validate(payload))
    with write_session(sessions) as session:
        assert issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"], drafts=drafts,
                            today=date(2025, 6, 1)) == 600
    with write_session(sessions) as session:
        numbers = session.scalars(select(Certificate.number).where(Certificate.number.like("00126Q27%"))).all()
        assert sorted(numbers) == sorted(d.number for d in drafts)
        ids = select(Certificate.id).where(Certificate.number.like("00126Q27%"))
        assert session.scalar(select(func.count()).select_from(Audit).where(Audit.certificate_id.in_(ids))) == 600
        names = session.scalars(select(Organization.name).where(Organization.name.like("北海市分批%"))).all()
        assert sorted(names) == sorted(f"北海市分批{i}号有限公司" for i in range(600))
