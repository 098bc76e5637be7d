"""A client that keeps changing certificates over HTTP and writes down every change it was told succeeded.

Run as `python -m tests.reliability.lifecycle_driver SPEC.json` (the crash test starts it). SPEC holds the
server URL, an API key, the certificate ids, a seed, the acknowledgement file and a stop file. Each change
carries something unique (a reason, a scope text, an audit's dates) so the test can find it in the ledger.
The server may vanish at any moment: a request without an answer is an unknown outcome, the certificate is
read again once the server is back, and the loop goes on. Acknowledgements are appended and fsynced one per
line before the next request, so what is in the file is exactly what the client saw answered 2xx.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

FIRST_AUDIT = date(2025, 3, 2)  # the day after the test certificates' issue date


def choose(rng: random.Random, status: str) -> str | None:
    """Pick an action the status allows; withdrawal is rare as it is final."""
    if status == "valid":
        return rng.choices(["suspend", "scope", "audits", "withdraw"], [45, 25, 25, 5])[0]
    if status == "suspended":
        return rng.choices(["restore", "audits", "withdraw"], [70, 25, 5])[0]
    return None


def request_body(action: str, op: int, cert: dict, audits_done: int) -> dict:
    """Return a request body whose content is unique to this operation."""
    if action == "scope":
        return {"scope": f"电子元器件的设计和生产（第 {op} 次变更）", "reason": f"范围变更 op-{op}",
                "expected_version": cert["version"]}
    if action == "audits":
        start = FIRST_AUDIT + timedelta(days=audits_done)
        return {"kind": "special", "method": "FS01", "start_on": start.isoformat(), "end_on": start.isoformat(),
                "auditors": [{"registration_number": "2021-N1QMS-1000001", "role": "leader"}]}
    body = {"reason": f"可靠性测试 op-{op}", "expected_version": cert["version"]}
    if action == "withdraw":
        body["cause"] = "other"
    return body


def main(spec_path: str) -> None:
    """Drive changes until the stop file appears."""
    spec = json.loads(Path(spec_path).read_text())
    rng = random.Random(spec["seed"])
    headers = {"Authorization": f"Bearer {spec['token']}", "Accept-Language": "en"}
    stop = Path(spec["stop"])
    known: dict[int, dict | None] = {cid: None for cid in spec["certificates"]}
    audits_done = {cid: 0 for cid in spec["certificates"]}  # attempts, so every audit's date is new
    op = 0
    with open(spec["acks"], "a", encoding="utf-8") as acks, httpx.Client(base_url=spec["url"], headers=headers,
                                                                          timeout=10) as http:
        def note(entry: dict) -> None:
            acks.write(json.dumps(entry, ensure_ascii=False) + "\n")
            acks.flush()
            os.fsync(acks.fileno())

        while not stop.exists():
            cid = rng.choice(spec["certificates"])
            try:
                if known[cid] is None:
                    known[cid] = http.get(f"/api/v1/certificates/{cid}").raise_for_status().json()
                action = choose(rng, known[cid]["status"])
                if action is None:
                    continue
                op += 1
                body = request_body(action, op, known[cid], audits_done[cid])
                if action == "audits":
                    audits_done[cid] += 1
                response = http.post(f"/api/v1/certificates/{cid}/{action}", json=body)
            except httpx.ConnectError:  # the server is down: nothing was sent, try again in a moment
                time.sleep(0.05)
                continue
            except httpx.TransportError:
                if known[cid] is not None:  # the change was sent and never answered: its outcome is unknown
                    note({"op": op, "certificate": cid, "action": action, "request": body, "status": None})
                known[cid] = None  # read the certificate again once the server is back
                time.sleep(0.05)
                continue
            entry = {"op": op, "certificate": cid, "action": action, "request": body, "status": response.status_code}
            if response.is_success:
                known[cid] = response.json()
                entry.update(version=known[cid]["version"], state=known[cid]["status"])
            else:
                known[cid] = None
                entry["problem"] = response.text[:500]
            note(entry)


if __name__ == "__main__":
    main(sys.argv[1])
