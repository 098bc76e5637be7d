"""Folding after every write (in proportion to the change) ends exactly where one fold of the whole log does:
in the transaction that signs each write's checkpoint (the default) and in the background fold's own one."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import StatusChangeIn
from certbridge.certificates.workflow import (
    cancel_certificate,
    restore_certificate,
    suspend_certificate,
    withdraw_certificate,
)
from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM
from certbridge.registry import service
from certbridge.stats import queries
from certbridge.stats.fold import Folder, fold_to_checkpoint, latest_checkpoint, reset, subject_events
from certbridge.stats.models import StatsDelta, StatsPending, StatsSpan, StatsYear
from certbridge.stats.recompute import compare_with_log
from certbridge.stats.timeline import fold_certificate
from tests.stats.conftest import COUNTIES, TODAY, integrate


def _deltas(sessions) -> dict[tuple, int]:
    with read_session(sessions) as session:
        rows = session.execute(select(StatsDelta.measure, StatsDelta.region, StatsDelta.dim, StatsDelta.value,
                                      StatsDelta.day, StatsDelta.delta))
        deltas = {tuple(r[:5]): r[5] for r in rows if r[5]}
        deltas.update({("year", *r[:5]): r[5] for r in session.execute(select(  # the years' sums (0019statsyear)
            StatsYear.measure, StatsYear.region, StatsYear.dim, StatsYear.value, StatsYear.year, StatsYear.delta))
            if r[5]})
        spans = sorted(tuple(str(v) for v in r) for r in session.execute(select(*StatsSpan.__table__.columns)))
        return {**deltas, "spans": spans}


def _write(session, rng: random.Random, story) -> str:
    """Make one random write a holder or a certificate can get today; return what it was."""
    certs = {c.id: c for c in session.scalars(select(Certificate).where(Certificate.id.in_(sorted(story.snapshots))))}
    valid = sorted(i for i, c in certs.items() if c.status == "valid" and c.expires_on > TODAY)
    suspended = sorted(i for i, c in certs.items() if c.status == "suspended" and c.suspended_until
                       and c.suspended_until >= TODAY and c.expires_on > TODAY)
    moves = ["move"] + (["suspend", "withdraw", "cancel"] if valid else []) + (["restore"] if suspended else [])
    what = rng.choice(moves)
    if what == "move":  # the holder's basis changes: its whole contribution is re-counted
        org = rng.choice(sorted(set(story.holder.values())))
        current = story.regions[org][-1][1]
        county = rng.choice([c for c in COUNTIES if c != current])
        service.update_organization(session, principal=SYSTEM, organization_id=org, changes={"region_code": county})
        story.regions[org].append((TODAY, county))
        return what
    act = {"principal": SYSTEM, "certificate_id": rng.choice(suspended if what == "restore" else valid),
           "today": TODAY}
    if what == "suspend":
        suspend_certificate(session, **act, change=StatusChangeIn(reason="抽查暂停", on=TODAY,
                                                                  until=TODAY + timedelta(days=30)))
    elif what == "restore":
        restore_certificate(session, **act, change=StatusChangeIn(reason="已纠正", on=TODAY))
    elif what == "withdraw":
        withdraw_certificate(session, **act, change=StatusChangeIn(reason="抽查撤销", on=TODAY, cause="other"))
    else:
        cancel_certificate(session, **act, change=StatusChangeIn(reason="持证人申请", on=TODAY))
    return what


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "background"])
def test_folding_after_every_write_equals_one_fold_of_the_whole_log(sessions, settings, story, inline):
    with write_session(sessions) as session:
        fold_to_checkpoint(session)
    rng = random.Random(2026)
    done, waiting = [], 0
    for _ in range(14):
        with write_session(sessions) as session:
            done.append(_write(session, rng, story))
        integrate(sessions, settings.model_copy(update={"stats_fold_inline": inline}))
        with write_session(sessions) as session:
            # the inline fold's rows wait as one pending row until the next catch-up adds them to stats_delta
            waiting += session.scalar(select(func.count()).select_from(StatsPending))
            folded = fold_to_checkpoint(session)
            assert session.scalar(select(func.count()).select_from(StatsPending)) == 0
            if inline:  # the write's checkpoint already carries it
                assert folded is None
                assert queries.checkpoint(session)["tree_size"] == latest_checkpoint(session)[0]
            else:
                assert folded["certificates"] >= 1
    assert {"move", "suspend", "withdraw"} <= set(done), done  # both paths: basis unchanged and changed
    assert (waiting > 0) == inline
    incremental = _deltas(sessions)
    with write_session(sessions) as session:
        reset(session)
        fold_to_checkpoint(session)
    assert _deltas(sessions) == incremental
    with read_session(sessions) as session:
        for on in (TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=500)):
            assert compare_with_log(session, on=on)["differences"] == []


def test_a_failing_inline_fold_never_stops_the_checkpoint(sessions, settings, story, monkeypatch):
    from certbridge.stats import background

    with write_session(sessions) as session:
        fold_to_checkpoint(session)
        folded_to = queries.checkpoint(session)["tree_size"]

    def broken(*args, **kwargs):
        raise RuntimeError("statistics fold broke")

    monkeypatch.setattr(background, "refold", broken)
    with write_session(sessions) as session:
        assert _write(session, random.Random(7), story)
    integrate(sessions, settings.model_copy(update={"stats_fold_inline": True}))
    with read_session(sessions) as session:
        signed = latest_checkpoint(session)[0]
        assert signed > folded_to  # the write was signed; the statistics stayed where they were
        assert queries.checkpoint(session)["tree_size"] == folded_to
    monkeypatch.undo()
    with write_session(sessions) as session:
        assert fold_to_checkpoint(session)["certificates"] >= 1
    with read_session(sessions) as session:
        assert queries.checkpoint(session)["tree_size"] == signed
        assert compare_with_log(session, on=TODAY)["differences"] == []


def test_a_fold_continued_from_its_tail_equals_the_fold_of_every_event(sessions, settings, story):
    # A batch continues a certificate's stored fold with the batch's events (timeline.fold_certificate(resume=)):
    # cut each certificate's events anywhere, and the continued fold is the fold of all of them.
    rng = random.Random(1208)
    for _ in range(12):
        with write_session(sessions) as session:
            _write(session, rng, story)
        integrate(sessions, settings)
    with read_session(sessions) as session:
        below = latest_checkpoint(session)[0]
        folder = Folder(session, below)
        events = subject_events(session, "certificate", sorted(story.snapshots), below)
    cuts = 0
    for cid, evs in sorted(events.items()):
        whole = fold_certificate(evs, folder.context, folder.kinds)
        for k in range(1, len(evs)):
            first = fold_certificate(evs[:k], folder.context, folder.kinds)
            if first:
                assert fold_certificate(evs[k:], folder.context, folder.kinds, resume=first) == whole, (cid, k)
                cuts += 1
    assert cuts > len(events)  # certificates with several events, cut after each
