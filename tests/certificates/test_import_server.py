"""A bulk import through the API stays a bulk write: one batch in the log however busy the log is, and the work
after it (the followers that read the new events) does not grow by a round of statements per row."""

from __future__ import annotations

import csv
import io
import random
import threading

import pytest
from sqlalchemy import event, select

from certbridge.certificates import bulk
from certbridge.db import read_session, write_session
from certbridge.kit.uscc import generate_uscc
from certbridge.ledger.journal import LedgerEvent, log_size, record_event
from certbridge.settings import Settings

HEADER = ["证书编号", "认证项目", "认证依据", "标准版本", "获证组织名称", "统一社会信用代码", "认证范围", "颁证日期",
          "审核开始日期", "审核结束日期", "审核员注册号"]


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    """The tests' instance without its periodic background work, whose statements would blur the counts."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url, secret_key="test-secret-key",
                    instance_name="certbridge.local", background_work=False)


def _csv(world, rows: int, series: str, seed: int) -> bytes:
    """`rows` new certificates of body A, each for a new holder."""
    rng = random.Random(seed)
    codes: list[str] = []
    while len(codes) < rows:
        code = generate_uscc(rng, region="450502")
        if code not in codes and code not in world.uscc.values():
            codes.append(code)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows([f"IMP-{series}{i:04d}", "QMS", "GB/T 19001", "2016", f"北海市批量{series}{i}号电子有限公司", code,
                      "电子产品的生产", "2025-03-01", "2025-02-20", "2025-02-21", "2021-N1QMS-1000001"]
                     for i, code in enumerate(codes))
    return buf.getvalue().encode("utf-8")


def _upload(client, world, data: bytes):
    return client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates/import", headers=world.auth("cb_a"),
                       files={"file": ("certs.csv", data)})


def test_an_api_import_is_one_batch_in_the_log_while_a_background_job_appends(client, world, sessions, monkeypatch):
    rows = 300
    data = _csv(world, rows, "B", seed=23)
    with read_session(sessions) as db:
        first = log_size(db)
    jobs: list[threading.Thread] = []
    prepare = bulk.prepare_batch

    def prepare_while_a_job_appends(*args, **kwargs):
        # Between the import reading the log's next index and appending at it, a background job appends an event
        # of its own (as the integrator, a follower or a scheduled job may); it waits for the import if it must.
        def job():
            with write_session(sessions) as db:
                record_event(db, type="job.ran", subject_type="job", subject_id=1, actor="system", public=False,
                             data={"job": "test"})
        jobs.append(threading.Thread(target=job))
        jobs[-1].start()
        jobs[-1].join(1.0)
        return prepare(*args, **kwargs)

    monkeypatch.setattr(bulk, "prepare_batch", prepare_while_a_job_appends)
    r = _upload(client, world, data)
    for job in jobs:
        job.join(60)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == rows and r.json()["committed"] is True and len(jobs) == 1
    with read_session(sessions) as db:
        log = [(e.type, e.at) for e in db.scalars(select(LedgerEvent).where(LedgerEvent.seq >= first)
                                                 .order_by(LedgerEvent.seq))]
    imported = [(kind, at) for kind, at in log if kind in ("organization.registered", "certificate.issued")]
    # Written set-wise: the holders, then the certificates, at one time, and the job's event not among them —
    # issued one by one (the fallback when the batch went stale) they would alternate, each at its own time.
    assert [kind for kind, _ in imported] == ["organization.registered"] * rows + ["certificate.issued"] * rows
    assert len({at for _, at in imported}) == 1
    types = [kind for kind, _ in log]
    assert types.count("job.ran") == 1
    assert types.index("job.ran") > types.index("import.completed") > max(
        i for i, kind in enumerate(types) if kind == "certificate.issued")


def test_the_statements_of_an_api_import_do_not_grow_with_its_rows(app, client, world):
    """The whole request — the import, its commit and the followers (credit, risk) before the answer leaves."""
    counted = [0]

    def count(*_args) -> None:
        counted[0] += 1

    event.listen(app.state.engine, "before_cursor_execute", count)
    try:
        spent = {}
        for rows, series in ((20, "S"), (400, "L")):
            counted[0] = 0
            r = _upload(client, world, _csv(world, rows, series, seed=rows))
            assert r.status_code == 200 and r.json()["created"] == rows, r.text
            spent[rows] = counted[0]
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)
    # 380 more rows: a few statements more per 500 rows, not one (or ten, as the risk follower took) per row
    assert spent[400] - spent[20] < 100, spent
