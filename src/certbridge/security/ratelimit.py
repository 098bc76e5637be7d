"""Per-client token buckets: in-process, so each server process counts on its own.

A deployment with several processes or machines multiplies the effective limit by their number; put the
limit in a shared store (or at the reverse proxy) there. See docs/security.md.
"""

from __future__ import annotations

import ipaddress
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


class TokenBucketLimiter:
    """Allow `burst` requests at once and `per_minute` sustained, per key; forget the least recent keys."""

    def __init__(self, *, per_minute: int, burst: int, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Take one token for a key; return 0 if allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait

    def reset(self) -> None:
        """Forget every client (tests, or an operator after a false alarm)."""
        with self._lock:
            self._buckets.clear()


@dataclass
class LimitRule:
    """A named limit applied to requests whose method and path match."""

    name: str
    methods: frozenset[str]
    patterns: list[re.Pattern]
    limiter: TokenBucketLimiter

    def matches(self, method: str, path: str, query: str = "") -> bool:
        """Tell whether a request falls under this rule: a pattern matches the path, or "path?query"."""
        if method not in self.methods:
            return False
        target = f"{path}?{query}" if query else None
        return any(p.search(path) or (target is not None and p.search(target)) for p in self.patterns)


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
