"""What a replica remembers of each database's latest checkpoint, and when it forgets (no database needed)."""

from __future__ import annotations

from certbridge.replicas import Replica, checkpoint_signed


def _replica() -> Replica:
    replica = Replica("postgresql+psycopg://nobody@127.0.0.1:9/none", max_lag_seconds=5, sticky_seconds=5)
    replica.note((True, "0/1000", 0))
    return replica


def test_a_size_is_remembered_per_database():
    replica = _replica()
    assert replica.known_checkpoint("replica") == (False, None)
    replica.keep_checkpoint("replica", 7)
    replica.keep_checkpoint("primary", 9)
    assert replica.known_checkpoint("replica") == (True, 7)
    assert replica.known_checkpoint("primary") == (True, 9)
    replica.keep_checkpoint("replica", None)  # no checkpoint signed yet is remembered too
    assert replica.known_checkpoint("replica") == (True, None)


def test_the_replica_replaying_further_makes_its_size_read_again():
    replica = _replica()
    replica.keep_checkpoint("replica", 7)
    replica.keep_checkpoint("primary", 9)
    replica.note((True, "0/2000", 0))
    assert replica.known_checkpoint("replica") == (False, None)
    assert replica.known_checkpoint("primary") == (True, 9)


def test_a_checkpoint_signed_here_makes_every_size_read_again():
    replica = _replica()
    replica.keep_checkpoint("replica", 7)
    replica.keep_checkpoint("primary", 9)
    checkpoint_signed(replica)
    checkpoint_signed(None)  # no replica configured: nothing to tell
    assert replica.known_checkpoint("replica") == (False, None)
    assert replica.known_checkpoint("primary") == (False, None)


def test_a_size_another_process_may_have_outdated_is_read_again_within_a_quarter_second(monkeypatch):
    import certbridge.replicas as replicas

    class Clock:
        now = 1000.0

        def monotonic(self) -> float:
            return self.now

    clock = Clock()
    monkeypatch.setattr(replicas, "time", clock)
    replica = _replica()
    replica.keep_checkpoint("primary", 9)
    clock.now += replicas.CHECKPOINT_SECONDS / 2
    assert replica.known_checkpoint("primary") == (True, 9)
    clock.now += replicas.CHECKPOINT_SECONDS
    assert replica.known_checkpoint("primary") == (False, None)
