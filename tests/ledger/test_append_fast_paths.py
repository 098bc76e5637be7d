"""The append and proof fast paths give exactly what the general code and RFC 9162 give.

Event bodies are laid out around the data's canonical bytes, bodies reach SQLite as bytes, proofs come from the
top of the tree held in memory: each is checked here against the reference it replaces, on the real database.
"""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from certbridge.db import read_session, write_session
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.kit.merkle import (
    reference_consistency_proof,
    reference_inclusion_proof,
    root_from_leaves,
    verify_inclusion,
)
from certbridge.ledger.integrate import integrate_pending
from certbridge.ledger.journal import EventDraft, LedgerEvent, _body, record_events
from certbridge.ledger.proofs import Prover
from certbridge.ledger.store import top_levels, warm_cache

TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from(["华", "😀", "\u2028", "\x1f", '"', "\\"]), max_size=12)
JSON = st.recursive(st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=12)


def _general(seq, draft, at_text, prev=None, with_prev=False, prev_hash="absent"):
    event = {"v": 1, "seq": seq, "type": draft.type, "subject": {"type": draft.subject_type, "id": draft.subject_id},
             "actor": draft.actor, "at": at_text, "data": draft.data}
    if with_prev:
        event["prev"] = prev
    if prev_hash != "absent":
        event["prev_hash"] = prev_hash
    return canonical_bytes(event)


@hsettings(max_examples=300, deadline=None)
@given(seq=st.integers(0, 2**53 - 1), kind=TEXT, subject_type=TEXT, subject_id=TEXT, actor=TEXT,
       data=st.dictionaries(TEXT, JSON, max_size=6), prev=st.none() | st.integers(0, 2**53 - 1) | st.just("absent"),
       prev_hash=st.none() | TEXT | st.just("absent"))
def test_an_event_body_is_the_canonical_json_of_the_event(seq, kind, subject_type, subject_id, actor, data, prev,
                                                          prev_hash):
    draft = EventDraft(kind, subject_type, subject_id, actor, data)
    at_text = "2026-12-07T15:00:00.123456Z"
    if prev == "absent":
        assert _body(seq, draft, at_text) == _general(seq, draft, at_text)
    elif prev_hash == "absent":
        assert _body(seq, draft, at_text, prev) == _general(seq, draft, at_text, prev, with_prev=True)
    else:  # a chained subject's public event names its previous one by index and by leaf hash
        assert (_body(seq, draft, at_text, prev, prev_hash)
                == _general(seq, draft, at_text, prev, with_prev=True, prev_hash=prev_hash))


def test_a_lone_surrogate_takes_the_general_encoder_and_is_refused_the_same_way():
    draft = EventDraft("test.odd", "test", "\ud800", "system", {})
    errors = []
    for encode in (lambda: _body(1, draft, "x"), lambda: _general(1, draft, "x")):
        try:
            encode()
        except Exception as exc:  # noqa: BLE001 - the two paths must fail alike
            errors.append(type(exc))
    assert len(errors) == 2 and errors[0] is errors[1]


def test_stored_bodies_are_text_that_hashes_to_the_leaf(sessions):
    drafts = [EventDraft("test.appended", "certificate", f"{i}", "user:1", {"名称": f"北海市示例电子有限公司{i}",
                                                                              "i": i, "note": "😀\u2028"})
              for i in range(250)]  # 250: multi-row INSERTs and the single-row rest
    with write_session(sessions) as session:
        seqs = record_events(session, drafts)
    with read_session(sessions) as session:
        rows = session.execute(select(LedgerEvent.seq, LedgerEvent.body, LedgerEvent.leaf_hash, LedgerEvent.subject_id)
                               .where(LedgerEvent.seq.in_(seqs)).order_by(LedgerEvent.seq)).all()
        if session.get_bind().dialect.name == "sqlite":
            kinds = session.connection().exec_driver_sql(
                f"SELECT DISTINCT typeof(body) FROM ledger_event WHERE seq >= {seqs[0]}").all()
            assert kinds == [("text",)]
    assert [r.seq for r in rows] == seqs
    for row, draft in zip(rows, drafts, strict=True):
        assert isinstance(row.body, str) and json.loads(row.body)["data"] == draft.data
        assert row.leaf_hash == hashlib.sha256(b"\x00" + row.body.encode("utf-8")).digest()
    # chained subjects: the second event of a certificate names the first
    with write_session(sessions) as session:
        (again,) = record_events(session, [EventDraft("test.again", "certificate", "7", "user:1", {})])
    with read_session(sessions) as session:
        assert json.loads(session.get(LedgerEvent, again).body)["prev"] == seqs[7]


def _leaves(sessions) -> list[bytes]:
    with read_session(sessions) as session:
        return list(session.scalars(select(LedgerEvent.leaf_hash).order_by(LedgerEvent.seq)))


def _append(sessions, settings, count: int, start: int) -> None:
    with write_session(sessions) as session:
        record_events(session, [EventDraft("test.appended", "test", f"x{start + i}", "system", {"i": start + i})
                                for i in range(count)])
    integrate_pending(sessions, settings=settings, max_leaves=61)


def test_proofs_from_the_top_of_the_tree_are_rfc9162_proofs_at_every_cut(sessions, settings):
    _append(sessions, settings, 203, 0)
    leaves = _leaves(sessions)
    size = len(leaves)
    # budgets putting the cut at level 0 (all in memory), 3, 6 and above the tree (nothing in memory)
    for budget in (10**6, (size >> 3) * 2 * 32, (size >> 6) * 2 * 32, 0):
        with read_session(sessions) as session:
            warm_cache(session, size, budget_bytes=budget)
            prover = Prover(session)
            for index in range(size):
                assert prover.inclusion(index, size) == reference_inclusion_proof(leaves, index)
            for old_size in range(1, size + 1):
                assert prover.consistency(old_size, size) == reference_consistency_proof(leaves, old_size)
            for smaller in (1, 2, 64, 65, 150):  # older tree sizes: other right edges
                for index in range(0, smaller, 7):
                    assert prover.inclusion(index, smaller) == reference_inclusion_proof(leaves[:smaller], index)


def test_proofs_stay_right_as_the_log_grows_past_the_held_top(sessions, settings):
    _append(sessions, settings, 100, 0)
    with read_session(sessions) as session:
        warm_cache(session, len(_leaves(sessions)), budget_bytes=100 * 32)  # a cut of level 1 or 2
        cut = top_levels(session).cut
    assert 0 < cut < 64
    _append(sessions, settings, 157, 100)
    leaves = _leaves(sessions)
    root = root_from_leaves(leaves)
    with read_session(sessions) as session:
        prover = Prover(session)  # the top is extended to the new size on the way (and its cut may rise)
        assert prover.tree_size == len(leaves)
        for index in range(len(leaves)):
            proof = prover.inclusion(index, len(leaves))
            assert proof == reference_inclusion_proof(leaves, index)
            verify_inclusion(leaves[index], index, len(leaves), proof, root)
        top = top_levels(session)
        assert len(top.levels[top.cut]) // 32 == len(leaves) >> top.cut
