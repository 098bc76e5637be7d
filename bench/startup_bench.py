"""Fixed costs: a CLI command's and a server's start to its first answer, this tree against another, same run.

    uv run --no-sync python -m bench.startup_bench --baseline main --rounds 5

The baseline is a git revision, extracted into a temporary directory and run with this environment's packages
(PYTHONPATH puts its `src` first), so the two trees differ only in certbridge's code. Each round runs, for each
tree in turn (interleaved, so both see the same machine load): `certbridge --help`, `certbridge uscc CODE`, and
`certbridge serve` on a SQLite database already at the newest schema, timed until it answers a verification.
Reported per tree, medians over the rounds: the CPU time (user + system) of the process until then — what the
start costs whatever the machine's load — and the wall time, and the ratio of this tree's CPU time to the
baseline's. Bytecode is compiled once before timing (as an installed app has it), under bench/data/pycache.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = "91350100M000100Y43"


def _env(src: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("CERTBRIDGE_")}
    env.update(PYTHONPATH=str(src), PYTHONPYCACHEPREFIX=str(ROOT / "bench" / "data" / "pycache"),
               CERTBRIDGE_DATA_DIR=str(data_dir), CERTBRIDGE_SECRET_KEY="bench", CERTBRIDGE_LANG="en",
               COLUMNS="100")
    return env


def _command(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `certbridge ARGS` to the end; return (CPU seconds of the process, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "certbridge.cli.main", *args], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=300)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def _serve(env: dict[str, str]) -> tuple[float, float]:
    """Start `certbridge serve`; return (its CPU seconds, wall seconds) when it first answers a verification."""
    import httpx

    from bench.http_load import cpu_seconds, free_port

    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "certbridge.cli.main", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = started + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/verify?number=PROBE", timeout=1).status_code < 500:
                    return cpu_seconds(proc.pid), time.perf_counter() - started
            except httpx.HTTPError:
                if time.perf_counter() > deadline:
                    raise RuntimeError("serve did not answer within 120 s") from None
                time.sleep(0.01)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


CASES = {"--help": lambda env: _command(["--help"], env), "uscc": lambda env: _command(["uscc", CODE], env),
         "serve, first answer": _serve}


def main() -> None:
    """Measure both trees, print a Markdown table and save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cb-startup-bench-"))
    try:
        base_src = work / "baseline"
        base_src.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "src"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base_src)], input=archive, check=True)
        trees = {"this tree": ROOT / "src", f"baseline ({args.baseline})": base_src / "src"}
        envs = {}
        for label, src in trees.items():
            envs[label] = env = _env(src, work / f"data-{len(envs)}")
            # untimed: compile bytecode, create the database at the newest schema and the instance's keys
            subprocess.run([sys.executable, "-c", "import certbridge.app, certbridge.cli.main, uvicorn"], env=env,
                           check=True, timeout=600)
            subprocess.run([sys.executable, "-m", "certbridge.cli.main", "db", "upgrade"], env=env, check=True,
                           timeout=600, stdout=subprocess.DEVNULL)
            _serve(env)
        figures: dict[str, dict[str, list[tuple[float, float]]]] = {t: {c: [] for c in CASES} for t in trees}
        load = []
        for _ in range(args.rounds):
            load.append(os.getloadavg()[0])
            for case, measure in CASES.items():
                for label in trees:
                    figures[label][case].append(measure(envs[label]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rounds": args.rounds,
           "load_average": [round(x, 1) for x in load], "cpus": os.cpu_count(),
           "medians": {label: {case: {"cpu_s": statistics.median(c for c, _ in runs),
                                      "wall_s": statistics.median(w for _, w in runs)}
                               for case, runs in cases.items()} for label, cases in figures.items()}}
    this, base = list(out["medians"])
    lines = [f"| case | {this}: CPU s (wall s) | {base}: CPU s (wall s) | CPU ratio |", "|---|---:|---:|---:|"]
    for case in CASES:
        a, b = out["medians"][this][case], out["medians"][base][case]
        lines.append(f"| {case} | {a['cpu_s']:.2f} ({a['wall_s']:.2f}) | {b['cpu_s']:.2f} ({b['wall_s']:.2f}) | "
                     f"{a['cpu_s'] / b['cpu_s']:.2f} × |")
    print("\n".join(lines))
    print(f"load average during the rounds: {out['load_average']}")
    data = ROOT / "bench" / "data"
    data.mkdir(exist_ok=True)
    (data / "startup.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
