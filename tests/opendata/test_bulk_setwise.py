"""Set-wise bulk verification answers exactly what one-by-one answers would: matching (the fuzzy names' batched
search included) and each certificate's verdict."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from certbridge.certificates.models import Certificate
from certbridge.certificates.status_context import certificate_verdict
from certbridge.db import read_session
from certbridge.kit.chinese_text import normalize_name
from certbridge.opendata.bulk_input import ListRow
from certbridge.opendata.bulk_verify import verify_rows
from certbridge.opendata.matching import Wanted, fuzzy_candidates, fuzzy_candidates_one, match_rows
from tests.opendata.conftest import make_suppliers

TODAY = date(2026, 12, 7)


def _typed(names: list[str]):
    """Names as people type them: whole, cut at either end, another legal form, two or one characters, noise."""
    base = st.sampled_from(names)
    return st.one_of(
        base,
        st.builds(lambda n, k: n[k:], base, st.integers(1, 6)),
        st.builds(lambda n, k: n[:-k], base, st.integers(1, 6)),
        base.map(lambda n: n.replace("有限公司", "公司")),
        base.map(lambda n: n[2:4]),
        base.map(lambda n: n[3]),
        st.text(alphabet="宏泰瑞丰电子机械有限公司\"%_ 广西", min_size=0, max_size=12),
    )


def _rows(names, usccs, numbers):
    row = st.builds(lambda name, uscc, number: (name, uscc, number), st.one_of(st.just(""), _typed(names)),
                    st.one_of(st.just(""), st.sampled_from(usccs), st.just("91450502MA5L00000X")),
                    st.one_of(st.just(""), st.sampled_from(numbers), st.just("00126Q99999R0M")))
    return st.lists(row, min_size=1, max_size=40)


def test_batched_fuzzy_search_finds_what_the_search_finds_name_by_name(sessions, settings, world):
    made = make_suppliers(sessions, settings, world, count=60)
    typed = {normalize_name(n) for name in made.names for n in (name, name[2:], name[:-2], name[3:5], name[4],
                                                                   name.replace("有限公司", "公司"), name[2:-4])}
    typed |= {normalize_name(n) for n in made.twins} | {"", "x", "完全虚构贸易商行", '电子"公司', "100%_电子"}
    with read_session(sessions) as session:
        batched = fuzzy_candidates(session, typed)
        assert batched == {name: fuzzy_candidates_one(session, name) for name in typed}
    assert any(batched.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_a_list_gets_the_answers_its_rows_get_one_by_one(sessions, settings, world, data):
    made = _suppliers(sessions, settings, world)
    picked = data.draw(_rows(made.names + list(made.twins), made.usccs, made.numbers + _MADE["others"]))
    rows = [ListRow(i + 2, name=name, uscc=uscc, number=number) for i, (name, uscc, number) in enumerate(picked)]
    with read_session(sessions) as session:
        wanted = [Wanted(r.row, r.name, r.uscc, r.number) for r in rows]
        assert match_rows(session, wanted) == [match_rows(session, [w])[0] for w in wanted]
        together = verify_rows(session, rows, on=TODAY, tree_size=10**9)
        assert together == [verify_rows(session, [r], on=TODAY, tree_size=10**9)[0] for r in rows]
        for answer in together:  # each certificate's verdict is the one rule's, read certificate by certificate
            for shown in answer["certificates"]:
                one = certificate_verdict(session, session.get(Certificate, shown["id"]), TODAY)
                assert (shown["status"], shown["valid"], shown["reasons"]) == (
                    one.status, one.valid, [r.as_dict() for r in one.reasons])


_MADE: dict[str, object] = {}


def _suppliers(sessions, settings, world):
    """Make the suppliers once per test database (hypothesis runs the test body many times on one fixture)."""
    if _MADE.get("sessions") is not sessions:  # held, so another test's sessions cannot take its place
        _MADE.update(sessions=sessions, made=make_suppliers(sessions, settings, world, count=40))
        with read_session(sessions) as session:  # the world's certificates too, in every status it has
            _MADE["others"] = sorted(session.scalars(select(Certificate.number)).all())
    return _MADE["made"]
