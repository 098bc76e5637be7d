"""The whole-history fold (one ordered scan of the log, rows summed set-wise) stores exactly what folding after
every write stores — figures, each certificate's fold, each holder's basis — for random histories, and the
incremental fold carries on from it as from its own result."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM
from certbridge.registry import bodies, service
from certbridge.stats import queries
from certbridge.stats.background import catch_up
from certbridge.stats.dbapi import _json
from certbridge.stats.fold import fold_to_checkpoint, latest_checkpoint, reset
from certbridge.stats.models import (
    StatsCertificate,
    StatsDelta,
    StatsHolder,
    StatsPending,
    StatsSpan,
    StatsYear,
)
from certbridge.stats.recompute import compare_with_log
from tests.stats.conftest import TODAY, build_story, integrate
from tests.stats.test_incremental_fold import _write


def _stored(sessions) -> tuple[dict, dict, dict, list]:
    """Return every folded row: the figures (zero rows left out), the certificates' folds, the bases of the holders
    that hold them, the certificates' rows at their holders' places."""
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(StatsPending)) == 0
        deltas = {tuple(r[:5]): r[5] for r in session.execute(select(
            StatsDelta.measure, StatsDelta.region, StatsDelta.dim, StatsDelta.value, StatsDelta.day,
            StatsDelta.delta)) if r[5]}
        deltas.update({("year", *r[:5]): r[5] for r in session.execute(select(  # the years' sums (0019statsyear)
            StatsYear.measure, StatsYear.region, StatsYear.dim, StatsYear.value, StatsYear.year, StatsYear.delta))
            if r[5]})
        certificates = {r[0]: (r[1], r[2], _json(r[3])) for r in session.execute(select(
            StatsCertificate.certificate_id, StatsCertificate.holder_id, StatsCertificate.body_id,
            StatsCertificate.folded))}
        # (a holder left without certificates — a record merged into another — keeps its basis in the incremental
        # fold and has none after the whole fold: either way it counts nothing, and a certificate it gets later is
        # counted whole)
        holding = {holder for holder, _b, _f in certificates.values()}
        holders = {r[0]: _json(r[1]) for r in session.execute(select(StatsHolder.holder_id, StatsHolder.basis))
                   if r[0] in holding}
        spans = sorted(tuple(str(v) for v in r) for r in session.execute(select(*StatsSpan.__table__.columns)))
    assert spans and {s[1] for s in spans} >= {"valid", "issued"}
    return deltas, certificates, holders, spans


def _another_write(session, rng: random.Random, story, what: str | None = None) -> str:
    """A write beside `_write`'s (a merge of two holders, a new industry, a body suspended) or one of `_write`'s."""
    what = what or rng.choice(["merge", "industry", "body", "other", "other"])
    holders = sorted(set(story.holder.values()) - story.merged)
    if what == "merge" and len(holders) > 2:
        source, target = rng.sample(holders, 2)
        service.merge_organizations(session, principal=SYSTEM, source_id=source, target_id=target, reason="重复登记")
        story.merged.add(source)
        return what
    if what == "industry":
        service.update_organization(session, principal=SYSTEM, organization_id=rng.choice(holders),
                                    changes={"industry": rng.choice(["C39", "C38", "M74"])})
        return what
    if what == "body" and not story.body_suspended:
        bodies.set_body_status(session, principal=SYSTEM, body_id=story.bodies["a"], status="suspended",
                               reason="测试暂停", on=TODAY - timedelta(days=rng.randint(0, 30)))
        story.body_suspended = True
        return what
    return _write(session, rng, story)


@pytest.mark.parametrize("seed", [3, 41, 2026])
def test_the_whole_fold_stores_what_folding_every_write_stores(sessions, settings, seed):
    rng = random.Random(seed)
    with write_session(sessions) as session:
        story = build_story(session, seed=seed, certificates=rng.randint(12, 26), organizations=rng.randint(4, 9))
    story.merged, story.body_suspended = set(), False
    inline = settings.model_copy(update={"stats_fold_inline": rng.random() < 0.5})
    integrate(sessions, inline)
    with write_session(sessions) as session:
        fold_to_checkpoint(session)  # the incremental fold, from nothing
    done = []
    for what in rng.sample(["merge", "industry", "body"], 3) + [None] * rng.randint(4, 9):
        with write_session(sessions) as session:
            done.append(_another_write(session, rng, story, what))
        integrate(sessions, inline)
        with write_session(sessions) as session:
            fold_to_checkpoint(session)
    incremental = _stored(sessions)
    assert {"merge", "industry", "body"} <= set(done) and incremental[0] and incremental[2], done

    assert catch_up(sessions, whole=True)["whole"] is True
    assert _stored(sessions) == incremental, done
    with read_session(sessions) as session:
        assert queries.checkpoint(session)["tree_size"] == latest_checkpoint(session)[0]

    # The incremental fold carries on from the whole fold's rows as from its own.
    for _ in range(4):
        with write_session(sessions) as session:
            done.append(_another_write(session, rng, story))
        integrate(sessions, inline)
        with write_session(sessions) as session:
            fold_to_checkpoint(session)
    carried = _stored(sessions)
    catch_up(sessions, whole=True)
    assert _stored(sessions) == carried, done
    with read_session(sessions) as session:
        for on in (TODAY, TODAY - timedelta(days=rng.randint(1, 1500))):
            assert compare_with_log(session, on=on)["differences"] == []


def test_statistics_folded_from_nothing_take_the_whole_fold(sessions, settings, story):
    # The story's checkpoint carried the inline fold; start from nothing as a new or upgraded instance does.
    with write_session(sessions) as session:
        reset(session)
    done = catch_up(sessions)
    assert done["whole"] is True and done["certificates"] == len(story.snapshots)
    with read_session(sessions) as session:
        assert queries.figure(session, measure="certificates", region="450500", on=TODAY) > 0
        assert compare_with_log(session, on=TODAY)["differences"] == []
    # One more write is folded in proportion, not by another whole fold.
    with write_session(sessions) as session:
        _write(session, random.Random(5), story)
    integrate(sessions, settings.model_copy(update={"stats_fold_inline": False}))
    assert "whole" not in catch_up(sessions)
