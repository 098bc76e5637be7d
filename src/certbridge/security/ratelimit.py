"""Per-client token buckets: in-process, so each server process counts on its own.

A deployment with several processes or machines multiplies the effective limit by their number; put the
limit in a shared store (or at the reverse proxy) there. See docs/security.md.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """What one request learned from its bucket: how long to wait (0: go on) and what is left."""

    wait: float
    remaining: int
    limit: int
    reset: int  # seconds until the bucket is full again


class TokenBucketLimiter:
    """Allow `burst` requests at once and `per_minute` sustained, per key; forget the least recent keys."""

    def __init__(self, *, per_minute: int, burst: int, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, cost: float = 1.0, *, per_minute: int | None = None,
             burst: int | None = None) -> Verdict:
        """Take `cost` tokens for a key (at this limiter's rate, or the key's own); say whether it may go on."""
        rate = (per_minute / 60.0) if per_minute else self.rate
        size = float(burst) if burst else self.burst
        cost = min(cost, size)
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (size, now))
            tokens = min(size, tokens + (now - last) * rate)
            if tokens >= cost:
                tokens -= cost
                wait = 0.0
            else:
                wait = (cost - tokens) / rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return Verdict(wait=wait, remaining=int(tokens), limit=int(size),
                       reset=max(0, math.ceil((size - tokens) / rate)))

    def hit(self, key: str) -> float:
        """Take one token for a key; return 0 if allowed, else the seconds until one is available."""
        return self.take(key).wait

    def reset(self) -> None:
        """Forget every client (tests, or an operator after a false alarm)."""
        with self._lock:
            self._buckets.clear()


def client_key(ip: str | None) -> str:
    """Return the bucket key of a client address: IPv6 clients count per /64, as one host usually holds one."""
    if not ip:
        return "unknown"
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if addr.version == 6:
        if addr.ipv4_mapped:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


def retry_after_header(wait: float) -> str:
    """Return a Retry-After value in whole seconds (at least 1)."""
    return str(max(1, math.ceil(wait)))
