"""Proficiency testing: an unsatisfactory result restricts the capability item (lab page, directory, standard page,
API) until a later satisfactory round; questionable results change nothing; foreign results name their source;
the unsatisfactory result is a plain fact (journal event and query) a risk module reads."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.ledger.journal import LedgerEvent
from certbridge.proficiency.queries import restricted_items, unsatisfactory_results
from tests.qidata.helpers import import_catalogue, pt_result, pt_round, standard_id


def _record(client, world):
    r = client.get(f"/api/v1/labs/{world.ids['lab']}/proficiency")
    assert r.status_code == 200, r.text
    return r.json()


def test_unsatisfactory_result_restricts_the_item_until_a_satisfactory_follow_up(client, world, sessions):
    import_catalogue(client, world)
    first = pt_round(client, world, code="2026-01", held_on="2026-03-10")
    r = pt_result(client, world, first, "unsatisfactory", 3.62)
    assert r.status_code == 201, r.text
    assert r.json()["restricted_items"] == ["铅的测定"]

    # Everywhere a user looks, the item is restricted.
    lab_page = client.get(f"/labs/{world.ids['lab']}").text
    assert 'data-restricted="铅的测定"' in lab_page and "3.62" in lab_page and "CNAS-T0999 2026-01" in lab_page
    directory = client.get("/labs", params={"item": "铅"}).text
    assert 'data-restricted="铅的测定"' in directory
    std = client.get(f"/api/v1/standards/{standard_id(client, 'GB 5009.12-2023')}").json()
    assert [(lab["item"], lab["restricted"]) for lab in std["labs"]] == [("铅的测定", True)]
    assert 'data-restricted="铅的测定"' in client.get(f"/standards/{std['id']}").text

    # The plain fact: a journal event and a query, read by whoever builds risk signals.
    with sessions() as db:
        events = db.scalars(select(LedgerEvent.type).where(LedgerEvent.subject_type == "lab",
                                                           LedgerEvent.subject_id == str(world.ids["lab"]),
                                                           LedgerEvent.type.like("pt.%"))).all()
        assert events == ["pt.unsatisfactory"]
        facts = unsatisfactory_results(db, lab_id=world.ids["lab"])
        assert [(f.item, f.z_score, f.round_code) for f in facts] == [("铅的测定", 3.62, "2026-01")]
    api_facts = client.get("/api/v1/proficiency/unsatisfactory", params={"since": "2026-01-01"}).json()
    assert [(f["lab_id"], f["item"], f["outcome"]) for f in api_facts] == [(world.ids["lab"], "铅的测定",
                                                                             "unsatisfactory")]
    assert client.get("/api/v1/proficiency/unsatisfactory", params={"since": "2026-04-01"}).json() == []

    # A questionable result in a later round does not lift the restriction.
    second = pt_round(client, world, code="2026-02", held_on="2026-05-10")
    assert pt_result(client, world, second, "questionable", 2.4).json()["restricted_items"] == ["铅的测定"]

    # A satisfactory follow-up does.
    third = pt_round(client, world, code="2026-03", held_on="2026-08-10")
    assert pt_result(client, world, third, "satisfactory", 0.8).json()["restricted_items"] == []
    record = _record(client, world)
    assert [(x["round_code"], x["outcome"]) for x in record["results"]] == [
        ("2026-03", "satisfactory"), ("2026-02", "questionable"), ("2026-01", "unsatisfactory")]
    lab_page = client.get(f"/labs/{world.ids['lab']}").text
    assert "data-restricted" not in lab_page and "不满意" in lab_page  # the record stays on the page
    std = client.get(f"/api/v1/standards/{std['id']}").json()
    assert [lab["restricted"] for lab in std["labs"]] == [False]
    with sessions() as db:
        # Restriction as of a date: the item was restricted between the two decisive rounds.
        from datetime import date
        assert set(restricted_items(db, world.ids["lab"], on=date(2026, 6, 1))) == {"铅的测定"}
        assert restricted_items(db, world.ids["lab"], on=date(2026, 2, 1)) == {}


def test_results_recognised_from_abroad_name_their_source(client, world):
    rnd = pt_round(client, world, code="AUS-2026-1", held_on="2026-04-01", scheme_code="NATA-PT-17",
                   foreign="APAC MRA · NATA (Australia)")
    assert pt_result(client, world, rnd, "satisfactory", -0.4).status_code == 201
    record = _record(client, world)
    assert record["results"][0]["foreign_source"] == "APAC MRA · NATA (Australia)"
    assert "APAC MRA · NATA (Australia)" in client.get(f"/labs/{world.ids['lab']}").text


def test_bad_results_are_refused_with_the_reason(client, world):
    rnd = pt_round(client, world, code="2026-09", held_on="2026-09-01", parameter="镉的测定")
    r = pt_result(client, world, rnd, "unsatisfactory")
    assert r.status_code == 422 and r.json()["code"] == "pt.item_not_in_scope" and "镉的测定" in r.json()["detail"]
    r = client.post(f"/api/v1/proficiency/rounds/{rnd}/results", headers=world.auth("regulator"),
                    json={"lab_id": world.ids["lab"], "outcome": "good", "item": "铅的测定"})
    assert r.status_code == 422
    ok = client.post(f"/api/v1/proficiency/rounds/{rnd}/results", headers=world.auth("regulator"),
                     json={"lab_id": world.ids["lab"], "outcome": "satisfactory", "item": "铅的测定"})
    assert ok.status_code == 201, ok.text
    again = client.post(f"/api/v1/proficiency/rounds/{rnd}/results", headers=world.auth("regulator"),
                        json={"lab_id": world.ids["lab"], "outcome": "satisfactory", "item": "铅的测定"})
    assert again.status_code == 409 and again.json()["code"] == "pt.result_taken"
    r = client.post(f"/api/v1/proficiency/rounds/{rnd}/results", headers=world.auth("lab"),
                    json={"lab_id": world.ids["lab"], "outcome": "satisfactory", "item": "铅的测定"})
    assert r.status_code == 403
    assert client.post("/api/v1/proficiency/rounds/99999/results", headers=world.auth("regulator"),
                       json={"lab_id": world.ids["lab"], "outcome": "satisfactory"}).status_code == 404
