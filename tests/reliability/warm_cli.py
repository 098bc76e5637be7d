"""Run `certbridge` commands on demand, each in a process forked from a parent that already imported the code.

Usage: `python -m tests.reliability.warm_cli LOG_DIR`. The parent imports every module `serve` and `import`
need (it opens no database) and prints "ready"; then for each line read on stdin — a JSON list of arguments,
e.g. ["serve", "--port", "8123"], or an object {"args": [...], "env": {...}} whose environment variables the
child sets first (another instance's database and data directory) — it forks a child that runs the real CLI with those arguments, its output
in LOG_DIR, and prints the child's pid. The tests SIGKILL children by pid; the parent reaps them. A restart
after a kill then costs the command's own work, not the interpreter's imports, which take seconds of CPU and
would dominate a crash test's running time on a loaded two-core CI machine.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from importlib import import_module


def main(log_dir: str) -> None:
    """Import, then fork one command per line on stdin until stdin closes."""
    from certbridge import app as app_module
    from certbridge.cli.main import app as cli

    assert app_module.API_ROUTERS  # importing the app module imports every capability it lists
    for name in ("certbridge.migrate", "alembic.command", "certbridge.certificates.importer", "uvicorn"):
        import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as soon as they die
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        args, env = (request["args"], request["env"]) if isinstance(request, dict) else (request, {})
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.environ.update(env)
            log = os.open(os.path.join(log_dir, f"{args[0]}-{time.monotonic_ns()}.log"), os.O_WRONLY | os.O_CREAT,
                          0o644)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            code = 1
            try:
                cli(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        print(pid, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
