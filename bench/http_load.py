"""HTTP load: wrk (Debian package) when installed, else a bounded in-process httpx loop (smoke runs only).

Traffic goes only to 127.0.0.1, for a bounded duration. wrk rotates through a list of request paths and
reports requests/s and latency percentiles from its own histogram.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format('BENCH {"requests": %d, "seconds": %f, "errors": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class LoadResult:
    """What a load run measured (latencies in milliseconds)."""

    tool: str
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int] = field(default_factory=dict)  # by HTTP status, when the script counts them
    socket_errors: int = 0  # connect, read, write and timeout errors (wrk), or failed requests (httpx loop)


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(env: dict[str, str]) -> dict[str, str]:
    """Return the environment a benchmark server runs in: with compiled bytecode, as an installed app has it.

    Development shells often set PYTHONDONTWRITEBYTECODE, which makes every start compile ~600 modules
    (~2 s); the servers keep their bytecode under bench/data/pycache instead, outside the source tree.
    """
    root = Path(__file__).resolve().parents[1]
    out = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out.update(PYTHONPYCACHEPREFIX=str(root / "bench" / "data" / "pycache"), **env)
    return out


def prime_bytecode(env: dict[str, str]) -> None:
    """Import the app once (untimed) so the timed start finds its bytecode compiled."""
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", "import bench.servers, certbridge.app, uvicorn"], cwd=root,
                   env=server_env(env), check=True, timeout=300)


def start_server(which: str, env: dict[str, str], port: int) -> tuple[subprocess.Popen, float]:
    """Start `bench.servers` and return the process and the seconds until its first answer."""
    root = Path(__file__).resolve().parents[1]
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.servers", which, str(port)], cwd=root,
                            env=server_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import httpx

    probe = "/pk?id=1" if which == "baseline" else "/api/v1/verify?number=PROBE"
    deadline = started + 600  # a first start on a fresh data set may build caches; a loaded machine is slow
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{which} server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=1).status_code < 500:
                return proc, time.perf_counter() - started
        except httpx.HTTPError:
            time.sleep(0.02)
    proc.kill()
    raise RuntimeError(f"{which} server did not answer within 600 s")


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Return a process's resident memory in MB (VmRSS; RssAnon is the private part, without mapped files)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(port: int, paths: list[str], *, connections: int = 32, seconds: int = 10,
             force_fallback: bool = False, script: str = LUA) -> LoadResult:
    """Run wrk against 127.0.0.1:port over `paths`; without wrk, a short httpx loop instead.

    `script` is the wrk Lua script (LUA, or LUA extended to print "statuses"/"socket_errors" too).
    """
    wrk = shutil.which("wrk")
    if wrk is None or force_fallback:
        return _httpx_loop(port, paths, seconds=min(seconds, 3))
    with tempfile.TemporaryDirectory() as tmp:
        lua, listing = Path(tmp) / "paths.lua", Path(tmp) / "paths.txt"
        lua.write_text(script)
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(lua),
                              f"http://127.0.0.1:{port}"], capture_output=True, text=True,
                             env={**os.environ, "BENCH_PATHS": str(listing)}, timeout=seconds + 60)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH "))
    data = json.loads(line[6:])
    return LoadResult("wrk", data["requests"], data["requests"] / data["seconds"], data["p50"] / 1000,
                      data["p95"] / 1000, data["p99"] / 1000, data["errors"], data.get("statuses", {}),
                      data.get("socket_errors", 0))


def _httpx_loop(port: int, paths: list[str], *, seconds: float) -> LoadResult:
    import httpx

    latencies, errors, statuses, failed = [], 0, {}, 0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        started = time.perf_counter()
        i = 0
        while time.perf_counter() - started < seconds and i < 20_000:
            t = time.perf_counter()
            try:
                status = client.get(paths[i % len(paths)]).status_code
            except httpx.HTTPError:
                status, failed = 0, failed + 1
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status >= 500 or status == 0:
                errors += 1
            latencies.append((time.perf_counter() - t) * 1000)
            i += 1
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]

    return LoadResult("httpx-loop (no wrk; 1 connection)", len(latencies), len(latencies) / elapsed, pct(50),
                      pct(95), pct(99), errors, {k: v for k, v in statuses.items() if k != "0"}, failed)
