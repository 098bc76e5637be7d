"""The public statistics page and API: figures, drill-down, downloads, targets; refused inputs say what was wrong."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from certbridge.db import read_session, write_session
from certbridge.stats import queries
from certbridge.stats.targets import load_reference_targets
from tests.stats.conftest import TODAY
from tests.world import PASSWORD


def _sign_in(client, username: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


def test_the_api_gives_figures_that_name_their_checkpoint_and_sum_over_children(client, story):
    body = client.get("/api/v1/stats", params={"region": "450500"}).json()
    assert body["checkpoint"]["tree_size"] > 0 and len(body["checkpoint"]["root_hash"]) == 64
    assert body["certificates"] == sum(c["certificates"] for c in body["children"]) > 0
    assert [p["key"] for p in body["path"]] == ["000000", "450000", "450500"]
    past = client.get("/api/v1/stats", params={"region": "450500", "on": "2000-01-01"}).json()
    assert past["certificates"] == 0
    by = client.get("/api/v1/stats/breakdown", params={"by": "body", "region": "000000"}).json()
    assert {x["zh"] for x in by["lines"]} <= {"统计测试认证中心a有限公司", "统计测试认证中心b有限公司"}
    series = client.get("/api/v1/stats/series", params={"region": "000000"}).json()
    assert len(series["monthly"]) == 24 and series["monthly"][-1]["certificates"] == \
        client.get("/api/v1/stats").json()["certificates"]
    changes = client.get("/api/v1/stats/changes", params={"start": "2015-01-01"}).json()
    assert changes["issued"] == len(story.snapshots)


def test_bad_inputs_are_refused_with_what_was_wrong(client, story):
    wrong = client.get("/api/v1/stats", params={"region": "999999"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422 and "999999" in wrong.text
    wrong = client.get("/api/v1/stats", params={"on": "2026-13-01"}, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422 and "2026-13-01 is not a YYYY-MM-DD date" in wrong.text
    wrong = client.get("/api/v1/stats/breakdown", params={"by": "colour"})
    assert wrong.status_code == 422 and "colour" in wrong.text
    wrong = client.get("/api/v1/stats/changes", params={"start": "2026-01-02", "end": "2025-01-01"})
    assert wrong.status_code == 422


def test_the_page_drills_down_and_downloads_every_table(client, story):
    page = client.get("/stats", params={"lang": "zh"})
    assert page.status_code == 200 and "广西壮族自治区" in page.text and "<svg" in page.text
    county = client.get("/stats", params={"region": "450502"})
    assert "北海市" in county.text and "海城区" in county.text
    csv = client.get("/stats/table.csv", params={"table": "regions", "region": "450500"})
    assert csv.status_code == 200 and "海城区" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/stats/table.xlsx", params={"table": "scheme", "region": "000000"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] in ("代码", "Code") and rows[2][0] == "QMS"


def test_a_regulator_enters_a_target_and_the_public_sees_published_ones(client, sessions, story, world):
    with write_session(sessions) as session:
        assert load_reference_targets(session) == 4
    public = client.get("/api/v1/stats/targets", params={"region": "450500"}).json()
    assert [(t["measure"], t["threshold"]) for t in public["targets"]] == [
        ("certificates", 800), ("organizations", 300), ("certificates", 850), ("organizations", 320)]
    _sign_in(client, "regulator")
    form = client.get("/regulator/stats/targets")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post("/regulator/stats/targets", data={
        "csrf_token": token, "region_code": "450500", "measure": "certificates", "threshold": "many",
        "deadline": (TODAY + timedelta(days=365)).isoformat(), "source": "北政办〔2026〕1号", "published": "1"})
    assert refused.status_code == 422 and "many" in refused.text and "北政办〔2026〕1号" in refused.text
    done = client.post("/regulator/stats/targets", data={
        "csrf_token": token, "region_code": "450500", "measure": "certificates", "threshold": "30",
        "deadline": (TODAY + timedelta(days=365)).isoformat(), "source": "北政办〔2026〕1号", "published": "1"})
    assert done.status_code == 200 and "北政办〔2026〕1号" in done.text
    with read_session(sessions) as session:
        now = queries.figure(session, measure="certificates", region="450500", on=TODAY)
    page = client.get("/stats/targets").text
    assert f"{now}</text>" in page and "/ 30" in page


def test_a_read_far_behind_answers_at_once_while_the_background_fold_rebuilds(client, story, monkeypatch):
    from certbridge.stats import background, whole
    from certbridge.stats.fold import reset

    sessions = client.app.state.sessions
    with write_session(sessions) as session:
        reset(session)  # as after an upgrade that emptied the statistics, or `certbridge demo --no-stats`
    # the story's log is small: any catch-up of it would stay inline, so count it as large
    monkeypatch.setattr(background, "READ_FOLD_EVENTS", 0)
    api = client.get("/api/v1/stats", params={"region": "450500"}, headers={"Accept-Language": "en"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    problem = api.json()
    assert problem["code"] == "stats.rebuilding" and "Statistics are being rebuilt from the log" in problem["detail"]
    with read_session(sessions) as session:
        signed = background.latest_checkpoint(session)[0]
        assert queries.checkpoint(session)["tree_size"] == 0  # the read folded nothing itself
    assert f"it holds {signed} entries" in problem["detail"]
    page = client.get("/stats", params={"lang": "zh"})
    assert page.status_code == 503 and "统计数据正在根据账本重建" in page.text and str(signed) in page.text
    monkeypatch.setitem(whole.PROGRESS, "certificates", 12)  # a whole fold running in this process says how far
    assert "已重新折叠 12 张证书" in client.get("/stats", params={"lang": "zh"}).text
    monkeypatch.delitem(whole.PROGRESS, "certificates")

    assert background.catch_up(sessions)["whole"] is True  # the background fold's work
    done = client.get("/api/v1/stats", params={"region": "450500"})
    assert done.status_code == 200 and done.json()["checkpoint"]["tree_size"] == signed
    assert done.json()["certificates"] > 0


def test_a_small_catch_up_from_nothing_stays_inline(client, story):
    from certbridge.stats.fold import reset

    with write_session(client.app.state.sessions) as session:
        reset(session)
    body = client.get("/api/v1/stats", params={"region": "450500"}).json()  # folded by the read itself
    assert body["certificates"] > 0 and body["checkpoint"]["tree_size"] > 0


def test_the_tables_speak_the_page_language(client, story):
    english = client.get("/stats", params={"lang": "en", "region": "450500"}).text
    chinese = client.get("/stats", params={"lang": "zh", "region": "450500"}).text
    # The region and dimension tables come from an imported macro: their headers follow the page's language.
    assert '<th scope="col">Valid certificates</th>' in english and '<th scope="col">名称</th>' not in english
    assert '<th scope="col">有效证书</th>' in chinese and '<th scope="col">Name</th>' not in chinese
