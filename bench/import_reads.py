"""Public-read latency while an 8,000-row bulk import runs on the same server (issue #16).

A demo data set is built, an operator with an API key is added for the body with the most registered auditors,
and `certbridge serve` is started — all with the source tree given by --src (default: this checkout), so the
same procedure measures an older tree (e.g. `--src /work/main/src`) before a change and this one after it.
A reader asks `GET /api/v1/schemes` back to back (one connection) while a second client posts the file to
`POST /api/v1/bodies/{id}/certificates/import` (the path both trees have) and, with --web, while an operator
uploads it through the console (check job, then import job). Reported: each read's latency before and during
the import — count, median, p99 and the slowest — and how long the import took.

    uv run --no-sync python -m bench.import_reads [--rows 8000] [--src PATH] [--web]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(env: dict, *args: str, timeout: float = 900) -> str:
    done = subprocess.run([sys.executable, "-m", "certbridge.cli.main", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"certbridge {' '.join(args)} failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return done.stdout


def prepare(data_dir: Path, src: Path, size: int) -> tuple[dict, dict]:
    """Build the data set and an operator; return the environment and what the import needs."""
    env = {**os.environ, "PYTHONPATH": str(src), "CERTBRIDGE_DATA_DIR": str(data_dir), "CERTBRIDGE_LANG": "en",
           "CERTBRIDGE_RATE_LIMIT_ENABLED": "false", "COLUMNS": "250"}
    _cli(env, "demo", "--size", str(size), "--no-serve")
    db = sqlite3.connect(data_dir / "certbridge.db")
    body_id, code = db.execute(
        "SELECT b.id, b.code FROM certification_body b JOIN person p ON p.body_id = b.id "
        "JOIN person_registration r ON r.person_id = p.id GROUP BY b.id ORDER BY count(*) DESC, b.id LIMIT 1").fetchone()
    regs = [r for (r,) in db.execute("SELECT r.number FROM person_registration r JOIN person p ON p.id = r.person_id "
                                     "WHERE p.body_id = ? AND r.status = 'valid'", (body_id,))]
    taken = {u for (u,) in db.execute("SELECT value FROM organization_identifier")}
    db.close()
    _cli(env, "users", "create", "benchop", "--role", "cb_operator", "--body", code, "--password", "bench-password-1")
    key = re.search(r"cbk_[A-Za-z0-9_\-]+", _cli(env, "keys", "create", "benchop")).group(0)
    return env, {"body_id": body_id, "code": code, "regs": regs, "taken": taken, "key": key}


def import_csv(rows: int, facts: dict, seed: int = 8000, series: str = "Q98", name: str = "读延迟") -> bytes:
    """Return a CSV of `rows` new certificates, each for a new holder, audited by the body's auditors."""
    import random

    from certbridge.kit.uscc import generate_uscc

    rng = random.Random(seed)
    issued = date.today() - timedelta(days=30)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "scheme", "standard_code", "standard_version", "holder_name", "holder_uscc", "scope",
                     "issued_on", "audit_start_on", "auditors"])
    codes: list[str] = []
    seen = set(facts["taken"])
    while len(codes) < rows:
        code = generate_uscc(rng, region="450502")
        if code not in seen:
            seen.add(code)
            codes.append(code)
    for i, code in enumerate(codes):
        writer.writerow([f"{facts['code']}{series}{i:06d}R0M", "QMS", "GB/T 19001", "2016", f"北海市{name}{i}号测试有限公司",
                         code, "电子元器件的生产", issued.isoformat(), (issued - timedelta(days=9)).isoformat(),
                         rng.choice(facts["regs"])])
    return out.getvalue().encode("utf-8")


def _summary(values: list[float]) -> dict:
    if not values:
        return {"reads": 0}
    ordered = sorted(values)
    return {"reads": len(values), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def _cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    from bench.http_load import cpu_seconds

    return cpu_seconds(pid)


def measure(url: str, send_import, pid: int | None = None) -> dict:
    """Read back to back for 2 s, then while `send_import()` runs; return the latencies of both phases (and the
    server's CPU time while the import ran — its reads included — when its process id is given)."""
    stop, marks, reads = threading.Event(), {}, []

    def reader():
        with httpx.Client(base_url=url, timeout=120) as client:
            while not stop.is_set():
                started = time.monotonic()
                response = client.get("/api/v1/schemes")
                reads.append((started, time.monotonic() - started, response.status_code))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(2)
    cpu = _cpu_seconds(pid)
    marks["start"] = time.monotonic()
    outcome = send_import()
    marks["end"] = time.monotonic()
    cpu = _cpu_seconds(pid) - cpu
    time.sleep(0.5)
    stop.set()
    thread.join(120)
    before = [lat for at, lat, _ in reads if at < marks["start"]]
    during = [lat for at, lat, _ in reads if marks["start"] <= at <= marks["end"]]
    return {"import_s": round(marks["end"] - marks["start"], 2), "server_cpu_s": round(cpu, 2) if pid else None,
            "outcome": outcome, "before": _summary(before),
            "during": _summary(during), "errors": sum(1 for *_, status in reads if status != 200)}


def api_import(url: str, facts: dict, data: bytes):
    """Return a callable posting the file to the API import (one request, answered when it is done)."""
    def send():
        with httpx.Client(base_url=url, timeout=600) as client:
            r = client.post(f"/api/v1/bodies/{facts['body_id']}/certificates/import",
                            headers={"Authorization": f"Bearer {facts['key']}"},
                            files={"file": ("bench.csv", data, "text/csv")})
        return f"{r.status_code} created={r.json().get('created')}"
    return send


def web_import(url: str, data: bytes):
    """Return a callable uploading the file through the console and following its jobs to the end."""
    def follow(client, response):
        location = response.headers["location"]
        while True:
            page = client.get(location)
            if 'id="job-progress"' not in page.text:
                return page
            time.sleep(0.2)

    def send():
        with httpx.Client(base_url=url, timeout=600) as client:
            token = TOKEN.search(client.get("/login").text).group(1)
            client.post("/login", data={"username": "benchop", "password": "bench-password-1", "csrf_token": token})
            token = TOKEN.search(client.get("/cb/import").text).group(1)
            checked = follow(client, client.post("/cb/import", data={"csrf_token": token},
                                                 files={"file": ("web.csv", data, "text/csv")}))
            action = re.search(r'action="(/cb/import/\d+)"', checked.text).group(1)
            done = follow(client, client.post(action, data={"csrf_token": TOKEN.search(checked.text).group(1)}))
        return f"{done.status_code} {done.headers.get('location')}"
    return send


def main() -> None:
    """Build, serve, measure, stop; print the result as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=8000)
    parser.add_argument("--size", type=int, default=3000, help="certificates in the demo data set")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="source tree whose server is measured")
    parser.add_argument("--web", action="store_true", help="also import through the console's background jobs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cb-import-reads-") as tmp:
        env, facts = prepare(Path(tmp) / "data", args.src.resolve(), args.size)
        port = _port()
        log = open(Path(tmp) / "serve.log", "wb")
        server = subprocess.Popen([sys.executable, "-m", "certbridge.cli.main", "serve", "--port", str(port)], env=env,
                                  cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(url + "/api/v1/schemes", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            first = import_csv(args.rows, facts)
            result = {"src": str(args.src), "rows": args.rows,
                      "api": measure(url, api_import(url, facts, first), server.pid)}
            if args.web:  # a second file: other numbers, holders and codes
                facts["taken"] |= {row.split(",")[5] for row in first.decode().splitlines()[1:]}
                second = import_csv(args.rows, facts, seed=8001, series="Q97", name="读延迟乙")
                result["web"] = measure(url, web_import(url, second), server.pid)
        finally:
            started = time.monotonic()
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(60)
                result_stop = round(time.monotonic() - started, 2)
            except subprocess.TimeoutExpired:
                server.kill()
                result_stop = None
            log.close()
        result["sigterm_exit_s"] = result_stop
        print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
