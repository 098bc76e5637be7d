"""An HTTP client made on first use.

Background loops that may call out (witness cosignatures, webhook deliveries) hold a client for their lifetime,
but most instances never call out, and making an `httpx.Client` costs ~50 ms (its TLS context) at every
start-up — every worker, every test. `LazyClient(**options)` makes the client when a method is first used.
"""

from __future__ import annotations

import threading
from typing import Any


class LazyClient:
    """Stands for `httpx.Client(**options)`, made on the first attribute used; `close()` closes it if made."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._client: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(**self._options)
        return getattr(self._client, name)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def __enter__(self) -> LazyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
