"""The folded figures equal a brute-force count over the certificates, for random dates and every region."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from certbridge.certificates.status_context import load_context
from certbridge.certificates.effective_status import verdict
from certbridge.certificates.workflow import sweep_due
from certbridge.db import read_session, write_session
from certbridge.registry.models import Region
from certbridge.stats import queries
from certbridge.stats.fold import fold_to_checkpoint, latest_checkpoint
from certbridge.stats.recompute import compare_with_log
from tests.stats.conftest import TODAY, integrate, snapshot_row


def _brute(session, story, on: date) -> tuple[dict, dict]:
    """Count valid certificates and certified organizations per region on a date, one certificate at a time (also
    per region, dimension and value: keys (region, "body", "12"), (region, "scheme", "QMS"))."""
    ctx = load_context(session)
    parent = dict(session.query(Region.code, Region.parent_code).all())
    certs, orgs = defaultdict(int), defaultdict(set)
    for cid, snaps in story.snapshots.items():
        snap = [s for day, s in snaps if day <= on][-1]
        if not verdict(ctx.facts(snapshot_row(snap)), on).valid:
            continue
        org = story.holder[cid]
        county = [code for day, code in story.regions[org] if day <= on][-1]
        chain, at = ["000000"], county
        while at:
            chain.insert(1, at)
            at = parent.get(at)
        for code in chain:
            for key in (code, (code, "body", str(snap["body_id"])), (code, "scheme", snap["scheme_code"])):
                certs[key] += 1
                orgs[key].add(org)
    return dict(certs), {k: len(v) for k, v in orgs.items()}


def _fold(sessions):
    with write_session(sessions) as session:
        return fold_to_checkpoint(session)


def _check(sessions, story, days):
    regions = {"000000", "450000", "450500", "440000", "440100", "110000", "450502", "450503", "450512", "450521",
               "440103", "440104", "110101"}
    with read_session(sessions) as session:
        for on in days:
            certs, orgs = _brute(session, story, on)
            for code in regions:
                got = (queries.figure(session, measure="certificates", region=code, on=on),
                       queries.figure(session, measure="organizations", region=code, on=on))
                assert got == (certs.get(code, 0), orgs.get(code, 0)), f"{code} on {on}"
                for dim in ("body", "scheme"):  # the tables by dimension (a county's and a city's: counted live)
                    want = {key[2]: (n, orgs[key]) for key, n in certs.items() if key[:2] == (code, dim)}
                    by_certs = queries.by_value(session, measure="certificates", region=code, dim=dim, on=on)
                    by_orgs = queries.by_value(session, measure="organizations", region=code, dim=dim, on=on)
                    assert {v: (n, by_orgs.get(v, 0)) for v, n in by_certs.items()} == want, f"{code} {dim} {on}"
                    for value, (n, o) in want.items():
                        assert (queries.figure(session, measure="certificates", region=code, on=on, dim=dim,
                                               value=value),
                                queries.figure(session, measure="organizations", region=code, on=on, dim=dim,
                                               value=value)) == (n, o)


def test_folded_figures_equal_a_brute_force_count(sessions, settings, story):
    # The first catch-up folds the story (the background fold's batch): nothing is left, the figures name it.
    assert _fold(sessions)["certificates"] > 0
    assert _fold(sessions) is None
    with read_session(sessions) as session:
        assert queries.checkpoint(session)["tree_size"] == latest_checkpoint(session)[0] > 0
    rng = random.Random(17)
    days = [TODAY - timedelta(days=rng.randint(-400, 2100)) for _ in range(30)] + [TODAY, TODAY - timedelta(days=1)]
    _check(sessions, story, days)
    # The sweep records today what was due (expiries, the revoked body's grace): past figures do not move.
    with write_session(sessions) as session:
        counts = sweep_due(session, on=TODAY)
    assert sum(counts.values()) > 0
    integrate(sessions, settings.model_copy(update={"stats_fold_inline": False}))  # the background fold's path
    assert _fold(sessions)["certificates"] > 0
    _check(sessions, story, days)


def test_children_sum_to_their_parent(sessions, story):
    _fold(sessions)
    with read_session(sessions) as session:
        for on in (TODAY, TODAY - timedelta(days=400), TODAY - timedelta(days=900)):
            for measure in ("certificates", "organizations", "issued", "expired"):
                for code in ("000000", "450000", "450500", "440000", "440100", "110000"):
                    children = [r.code for r in queries.child_regions(session, code)]
                    parts = queries.by_child(session, measure=measure, region=code, on=on, codes=children)
                    total = queries.figure(session, measure=measure, region=code, on=on)
                    assert sum(parts.values()) == total, f"{measure} {code} {on}: {parts} vs {total}"
                    if code == "450500" and measure == "certificates" and on == TODAY:
                        assert total > 0


def test_a_recompute_from_the_log_equals_the_stored_figures(sessions, story):
    _fold(sessions)
    with read_session(sessions) as session:
        for on in (TODAY, TODAY - timedelta(days=700)):
            result = compare_with_log(session, on=on)
            assert result["differences"] == [], result["differences"][:5]
            assert result["compared"] > 20


def test_period_counts_by_dimension_sum_to_the_total(sessions, story):
    # totals are delta sums down to the cities; counts by dimension in a period are counted from the places' rows
    _fold(sessions)
    with read_session(sessions) as session:
        for start, end in ((TODAY - timedelta(days=2000), TODAY), (TODAY - timedelta(days=700), TODAY - timedelta(days=300))):
            for measure in ("issued", "expired", "suspended", "withdrawn"):
                for code in ("000000", "450000", "450500", "450502", "440103"):
                    total = queries.period(session, measure=measure, region=code, start=start, end=end)
                    for dim in ("scheme", "body", "industry"):
                        parts = queries.period_by_value(session, measure=measure, region=code, dim=dim, start=start,
                                                        end=end)
                        assert sum(parts.values()) == total, f"{measure} {code} {dim}: {parts} vs {total}"
                        for value, n in parts.items():
                            assert queries.period(session, measure=measure, region=code, start=start, end=end,
                                                  dim=dim, value=value) == n
                    if code == "000000" and measure == "issued" and end == TODAY:
                        assert total == len(story.snapshots)


def test_a_series_read_at_once_equals_each_figure_read_alone(sessions, story):
    # the monthly and yearly series read a figure's years' sums and its days once for many dates (queries.running)
    _fold(sessions)
    rng = random.Random(1208)
    days = sorted({TODAY - timedelta(days=rng.randint(-400, 2500)) for _ in range(25)} | {date(TODAY.year - 3, 1, 1),
                                                                                          date(TODAY.year - 2, 12, 31)})
    with read_session(sessions) as session:
        for code in ("000000", "450000", "450500", "450502"):
            for measure in ("certificates", "organizations"):
                series = queries.running(session, measure=measure, region=code, days=days)
                assert series == [queries.figure(session, measure=measure, region=code, on=d) for d in days], code
                assert max(series) > 0
