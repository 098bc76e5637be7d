"""Token buckets in Redis, shared by every server process: the same buckets as security/ratelimit.py.

With `CERTBRIDGE_REDIS_URL` set, every rate limit by class and every API key's per-minute quota lives in Redis:
one hash per bucket (`<prefix>:rl:<class>:<client>` or `<prefix>:rl:key:<key id>`) holding the tokens left and
when they were counted, updated by one Lua script — atomic, on Redis's own clock (so the processes' clocks do
not matter) — and expiring once the bucket would be full again. Without it (the embedded single-process
default) each process keeps its buckets in memory.

If Redis is configured but does not answer within `redis_timeout_seconds`: look-ups (reads) fall back to this
process's own buckets, so the public registry stays up with a per-process limit; sign-ins, costly requests and
writes are refused with 503 `rate_limit.unavailable` (fail closed), because a limit that silently multiplies by
the number of processes is no limit for password guessing or expensive work. The first failure is logged, and
every minute while it lasts; `GET /healthz` is not affected (the database is what it reports).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from certbridge.security.ratelimit import TokenBucketLimiter, Verdict

log = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60.0

# KEYS[1] bucket; ARGV: rate (tokens/s), size, cost. Returns {wait in µs, tokens left × 1000}.
TAKE = """
local rate, size, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil or at == nil then tokens, at = size, now end
tokens = math.min(size, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= cost then tokens = tokens - cost else wait = (cost - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((size - tokens) / rate * 1000) + 1000)
return {math.floor(wait * 1000000), math.floor(tokens * 1000)}
"""


class RedisUnavailable(Exception):
    """Redis is configured but did not answer: the caller decides whether to degrade or refuse."""


class SharedBuckets:
    """Take tokens from buckets in Redis (one Lua call per request, never blocking the event loop)."""

    def __init__(self, url: str, *, prefix: str, timeout: float) -> None:
        import redis.asyncio as aioredis

        self.client = aioredis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                              health_check_interval=30)
        self.prefix = prefix
        self._script: Any = self.client.register_script(TAKE)
        self._last_logged = -math.inf

    async def take(self, bucket: str, cost: float, *, per_minute: int, burst: int) -> Verdict:
        """Take `cost` tokens from a shared bucket; raise RedisUnavailable if Redis does not answer."""
        rate, size = per_minute / 60.0, float(burst)
        cost = min(cost, size)
        try:
            wait_us, tokens_milli = await self._script(keys=[f"{self.prefix}:rl:{bucket}"], args=[rate, size, cost])
        except Exception as exc:
            self._log_outage(exc)
            raise RedisUnavailable(str(exc)) from exc
        tokens = int(tokens_milli) / 1000
        return Verdict(wait=int(wait_us) / 1_000_000, remaining=int(tokens), limit=int(size),
                       reset=max(0, math.ceil((size - tokens) / rate)))

    def _log_outage(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_logged >= LOG_EVERY_SECONDS:
            self._last_logged = now
            log.error("Redis (shared rate limits) unavailable: %s — look-ups limited per process, sign-ins, "
                      "costly requests and writes refused with 503 until it is back", exc)

    async def close(self) -> None:
        """Close the connections to Redis."""
        await self.client.aclose()


class Buckets:
    """The buckets of one limit: shared in Redis when configured, else (or for degraded reads) this process's."""

    def __init__(self, local: TokenBucketLimiter, shared: SharedBuckets | None, name: str) -> None:
        self.local = local
        self.shared = shared
        self.name = name
        self.per_minute = local.per_minute

    async def take(self, client: str, cost: float = 1.0, *, per_minute: int | None = None, burst: int | None = None,
                   fail_closed: bool = False) -> Verdict | None:
        """Take tokens for a client; None when Redis is down and the request must be refused (`fail_closed`)."""
        if self.shared is not None:
            try:
                return await self.shared.take(f"{self.name}:{client}", cost, per_minute=per_minute or self.per_minute,
                                              burst=burst or int(self.local.burst))
            except RedisUnavailable:
                if fail_closed:
                    return None
        return self.local.take(client, cost, per_minute=per_minute, burst=burst)

    def reset(self) -> None:
        """Forget this process's buckets (the shared ones expire on their own)."""
        self.local.reset()


__all__ = ["TAKE", "Buckets", "RedisUnavailable", "SharedBuckets"]
