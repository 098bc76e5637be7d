"""The demo's open data: labs with test items the directory finds, and a supplier list that verifies."""

from __future__ import annotations

from certbridge.db import make_engine, make_sessionmaker, read_session
from certbridge.opendata.bulk_input import rows_from_file
from certbridge.opendata.bulk_receipt import build_bulk_receipt
from certbridge.opendata.directory import search_labs


def test_the_demo_has_labs_to_find_and_a_supplier_list_to_verify(demo_settings):
    engine = make_engine(demo_settings.resolved_database_url())
    path = demo_settings.data_dir / "demo-supplier-list.csv"
    rows = rows_from_file(path.name, path.read_bytes())
    assert len(rows) == 40
    with read_session(make_sessionmaker(engine)) as session:
        labs = search_labs(session, parameter="测定", include_inactive=True)
        receipt = build_bulk_receipt(session, settings=demo_settings, rows=rows, list_name=path.name)
    engine.dispose()
    assert labs and all(any("测定" in i["item"] for i in lab["matched"]) for lab in labs)
    summary = receipt["summary"]
    assert summary["not_found"] >= 8 and summary["valid"] + summary["not_valid"] >= 16
