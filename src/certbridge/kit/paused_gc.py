"""Pause Python's cyclic garbage collector around work that builds many long-lived objects.

A bulk import's batch, a spot-check draw, a bulk receipt's answers and a statistics fold each allocate hundreds of
thousands of small containers that all live until the work ends; every collection meanwhile would only rescan them
(a fifth of a large receipt's CPU, bench/RESULTS.md). None of that work makes cyclic garbage.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC for the block (as it was before afterwards: nested pauses keep it off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
