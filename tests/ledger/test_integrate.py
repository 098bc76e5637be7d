"""Integration into the Merkle tree: right hashes, signed checkpoints, safe under concurrency, keys on disk."""

from __future__ import annotations

import stat
import threading

import pytest
from sqlalchemy import func, select

from certbridge.db import read_session, write_session
from certbridge.ledger.journal import EventDraft, LedgerEvent, record_events
from certbridge.kit.merkle import root_from_leaves, stored_hash_count
from certbridge.ledger.integrate import integrate, integrate_pending
from certbridge.ledger.keys import key_path, keys_dir
from certbridge.ledger.models import LedgerCheckpoint, LedgerHash, LedgerKey, LedgerTree
from certbridge.settings import Settings
from tests.ledger.conftest import open_checkpoint


def _append(sessions, count: int, prefix: str = "x") -> None:
    with write_session(sessions) as session:
        record_events(session, [EventDraft("test.appended", "test", f"{prefix}{i}", "system", {"i": i})
                                for i in range(count)])


def _leaves(sessions) -> list[bytes]:
    with read_session(sessions) as session:
        return list(session.scalars(select(LedgerEvent.leaf_hash).order_by(LedgerEvent.seq)))


def test_a_write_is_provable_as_soon_as_it_returns(client, issue):
    cert = issue()
    history = client.get(f"/api/v1/certificates/{cert['id']}/history").json()
    checkpoint = open_checkpoint(client)
    assert checkpoint.size > history[-1]["seq"]
    bundle = client.get(f"/api/v1/certificates/{cert['id']}/history/{history[-1]['seq']}/proof").json()
    assert bundle["tree_size"] == checkpoint.size and bundle["event"].startswith('{"actor"')


def test_tree_root_is_the_rfc9162_root_of_the_event_leaves_in_any_batching(app, sessions, settings):
    _append(sessions, 300)
    integrate_pending(sessions, settings=settings, max_leaves=37)  # many transactions, odd batch edges
    leaves = _leaves(sessions)
    with read_session(sessions) as session:
        tree = session.get(LedgerTree, 1)
        assert tree.size == len(leaves) and tree.root_hash == root_from_leaves(leaves)
        assert session.scalar(select(func.count()).select_from(LedgerHash)) == stored_hash_count(len(leaves))
        sizes = list(session.scalars(select(LedgerCheckpoint.size).order_by(LedgerCheckpoint.id)))
    assert sizes[-1] == len(leaves) and sizes == sorted(sizes)


def test_nothing_new_signs_nothing_new(sessions, settings):
    integrate_pending(sessions, settings=settings)
    with read_session(sessions) as session:
        before = session.scalar(select(func.count()).select_from(LedgerCheckpoint))
    assert integrate_pending(sessions, settings=settings) is None
    with write_session(sessions) as session:
        result = integrate(session, settings=settings)
    assert result.checkpoint_id is None
    with read_session(sessions) as session:
        assert session.scalar(select(func.count()).select_from(LedgerCheckpoint)) == before


def test_two_integrators_and_writers_at_once_never_corrupt_the_tree(sessions, settings):
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for j in range(15):
                _append(sessions, 7, prefix=f"w{k}-{j}-")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def integrator() -> None:
        try:
            for _ in range(25):
                integrate_pending(sessions, settings=settings, max_leaves=11)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
    threads += [threading.Thread(target=integrator) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    integrate_pending(sessions, settings=settings)
    leaves = _leaves(sessions)
    with read_session(sessions) as session:
        tree = session.get(LedgerTree, 1)
        assert tree.root_hash == root_from_leaves(leaves)
        assert session.scalar(select(func.count()).select_from(LedgerHash)) == stored_hash_count(len(leaves))


def test_keys_are_created_private_and_only_verifier_keys_reach_the_database(client, settings, sessions):
    client.get("/log/checkpoint")
    assert stat.S_IMODE(keys_dir(settings).stat().st_mode) == 0o700
    for purpose in ("log", "witness", "credential"):
        path = key_path(settings, purpose)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        secret = path.read_text().strip()
        assert secret.startswith(f"PRIVATE+KEY+certbridge.local/{purpose}+")
        with read_session(sessions) as session:
            stored = " ".join(session.scalars(select(LedgerKey.verifier_key)))
        assert secret.split("+", 4)[4] not in stored  # the base64 key itself may contain "+"


def test_a_server_with_another_key_refuses_to_sign(client, settings, tmp_path):
    client.get("/log/checkpoint")  # the first server's key is now the log's key
    other = Settings(data_dir=tmp_path / "other-server", database_url=settings.database_url, secret_key="x")
    from certbridge.db import make_engine, make_sessionmaker
    from certbridge.errors import RuleViolation

    engine = make_engine(other.resolved_database_url())
    try:
        with pytest.raises(RuleViolation) as refused:
            with write_session(make_sessionmaker(engine)) as session:
                record_events(session, [EventDraft("test.appended", "test", "1", "system", {})])
            integrate_pending(make_sessionmaker(engine), settings=other)
        assert refused.value.code == "ledger.key_not_current"
        assert "copy" in refused.value.message("en").lower()
    finally:
        engine.dispose()


def test_the_key_check_is_repeated_when_the_key_file_changes(sessions, settings):
    from certbridge.errors import RuleViolation
    from certbridge.kit.signed_note import generate_key
    from certbridge.ledger.keys import key_name

    for prefix in ("a", "b"):  # the first integration records the keys, the second finds them unchanged
        _append(sessions, 2, prefix=prefix)
        integrate_pending(sessions, settings=settings)
    path = key_path(settings, "log")
    path.write_text(generate_key(key_name(settings, "log"))[0] + "\n")  # someone swaps the key file behind us
    _append(sessions, 1, prefix="y")
    with pytest.raises(RuleViolation) as refused:
        integrate_pending(sessions, settings=settings)
    assert refused.value.code == "ledger.key_not_current"
    with read_session(sessions) as session:
        assert session.scalar(select(LedgerTree.size)) == session.scalar(select(func.max(LedgerEvent.seq)))


def test_extend_tree_stores_the_same_hashes_as_the_reference_layout():
    import hashlib

    from certbridge.kit.merkle import stored_hashes_for_record
    from certbridge.ledger.integrate import extend_tree

    leaves = [hashlib.sha256(bytes([i % 256, i // 256])).digest() for i in range(300)]
    for start in (0, 1, 5, 64, 127):
        stored: dict[int, bytes] = {}
        rows, frontier = extend_tree(0, {}, leaves[:start])
        stored.update(rows)
        rows, _ = extend_tree(start, frontier, leaves[start:])
        stored.update(rows)
        expected = []
        for n, leaf in enumerate(leaves):
            expected.extend(stored_hashes_for_record(n, leaf, lambda xs: [stored[x] for x in xs]))
        assert [stored[i] for i in range(len(expected))] == expected
        assert len(stored) == stored_hash_count(len(leaves))
