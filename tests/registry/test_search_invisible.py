"""Names stored with invisible characters before they were removed on input are found by their visible name once
migration 0007inputs has recomputed the search columns; the name and the ledger stay untouched."""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

from sqlalchemy import select, text

from certbridge.db import read_session, write_session
from certbridge.registry.models import Organization
from certbridge.registry.search import name_bigrams
from tests.world import certificate_payload

MIGRATION = (Path(__file__).resolve().parents[2] / "src" / "certbridge" / "migrations" / "versions"
             / "2026-12-06_search_name_invisible.py")


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0007inputs", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _numbers(client, q):
    return [c["number"] for c in client.get("/api/v1/certificates", params={"q": q}).json()["items"]]


def test_old_rows_with_zero_width_spaces_are_found_after_the_migration(client, sessions, world):
    org_id = world.ids["org1"]
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                    json=certificate_payload(world, number="ZWS-001"))
    assert r.status_code == 201, r.text
    with read_session(sessions) as db:
        name = db.scalar(select(Organization.name).where(Organization.id == org_id))
        events_before = db.execute(text("SELECT seq, leaf_hash FROM ledger_event ORDER BY seq")).all()
    # What an old release stored for a name typed with zero-width spaces: NFKC and case folding kept them.
    old = unicodedata.normalize("NFKC", name.replace("示例", "示\u200b例\ufeff")).casefold()
    with write_session(sessions) as db:
        db.execute(text("UPDATE organization SET search_name = :s WHERE id = :id"), {"s": old, "id": org_id})
        db.execute(text("DELETE FROM organization_name_gram WHERE organization_id = :id"), {"id": org_id})
        db.execute(text("INSERT INTO organization_name_gram (gram, organization_id) VALUES (:g, :id)"),
                   [{"g": g, "id": org_id} for g in sorted(name_bigrams(old))])
    assert "ZWS-001" not in _numbers(client, "海城区示例电子")  # the defect: the visible name finds nothing
    assert "ZWS-001" not in _numbers(client, "示例")
    with write_session(sessions) as db:
        assert _migration().refresh_search_names(db.connection()) == 1
    assert "ZWS-001" in _numbers(client, "海城区示例电子")
    assert "ZWS-001" in _numbers(client, "示例")
    with read_session(sessions) as db:
        assert db.scalar(select(Organization.name).where(Organization.id == org_id)) == name
        assert db.execute(text("SELECT seq, leaf_hash FROM ledger_event ORDER BY seq")).all() == events_before
