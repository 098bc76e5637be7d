"""The webhook wire format: a JSON body signed with HMAC-SHA256 over the timestamp and the body.

`Certbridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." ‖ body)>` — the receiver recomputes
it with the watch's secret, compares in constant time and refuses a timestamp far from its clock (replays).
`Certbridge-Attempt` counts the sends of this delivery; `Certbridge-Retry: 1` marks every send after the first,
so a receiver that already processed `Certbridge-Delivery` can ignore it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

SIGNATURE_HEADER = "Certbridge-Signature"
TOLERANCE_SECONDS = 300  # what `verify_signature` accepts between the signature's time and the receiver's clock


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header's value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, *, now: float | None = None,
                     tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Tell whether a received signature header is valid for the body (what a receiver runs)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def payload(*, delivery_id: int, attempt: int, watch: dict[str, Any], event: dict[str, Any]) -> bytes:
    """Return the JSON body of one delivery."""
    return json.dumps({"delivery": delivery_id, "attempt": attempt, "retry": attempt > 1, "watch": watch,
                       **event}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def headers(*, secret: str, delivery_id: int, attempt: int, seq: int, body: bytes,
            timestamp: int | None = None) -> dict[str, str]:
    """Return the headers of one webhook send."""
    return {"Content-Type": "application/json", SIGNATURE_HEADER: signature(secret, timestamp or int(time.time()), body),
            "Certbridge-Delivery": str(delivery_id), "Certbridge-Attempt": str(attempt),
            "Certbridge-Retry": "1" if attempt > 1 else "0", "Certbridge-Event-Seq": str(seq),
            "User-Agent": "certbridge-webhooks/1"}
