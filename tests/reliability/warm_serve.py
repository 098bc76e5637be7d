"""Start `certbridge serve` processes on demand from a parent that has already imported the code.

Usage: `python -m tests.reliability.warm_serve LOG_DIR`. The parent imports every module `serve` needs (it
opens no database), prints "ready", then for each port read on stdin (one a line) forks a child that runs the
real CLI — `certbridge serve --port PORT`: migration check, create_app, uvicorn — and prints the child's pid. The test
SIGKILLs children by pid; the parent reaps them. A restart after a kill then costs the server's own start-up
instead of the interpreter's imports, which take seconds of CPU and would dominate a crash test's running time
on a loaded two-core CI machine.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from importlib import import_module


def main(log_dir: str) -> None:
    """Import, then fork one server per port read on stdin until stdin closes."""
    from certbridge import app as app_module
    from certbridge.cli.main import app as cli

    for name in (*app_module.API_ROUTERS, *app_module.INSTALLERS, "certbridge.migrate", "alembic.command",
                 "uvicorn"):
        import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as soon as they die
    print("ready", flush=True)
    for line in sys.stdin:
        port = line.strip()
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            log = os.open(os.path.join(log_dir, f"serve-{time.monotonic_ns()}.log"), os.O_WRONLY | os.O_CREAT, 0o644)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            try:
                cli(["serve", "--port", port])
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
