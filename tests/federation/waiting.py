"""Waiting for what the instances' background loops do (following, delivering), with a bounded wait."""

from __future__ import annotations

import time


def poll(check, *, timeout: float = 60.0, what: str):
    """Return check()'s first truthy value, trying every 0.1 s for up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}: {check()}")
