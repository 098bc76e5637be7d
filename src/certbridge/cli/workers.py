"""`certbridge serve --workers N`: N server processes accepting on one listening socket, TCP_NODELAY everywhere.

The parent binds the socket, then forks the workers before anything opens the database; each worker builds
its own app (engine, sessions, job runner, background loops) and serves the shared socket with uvicorn. The
kernel hands each new connection to one worker. Nothing is shared in memory: rate limits are shared through
Redis (CERTBRIDGE_REDIS_URL), sessions and quotas live in the database, and each background job runs in the
one process that holds its leader lock (kit/periodic.py). The parent only supervises: a worker that dies is
started again (after a second, so a crash loop does not spin), SIGTERM/SIGINT are passed on to every worker and
the parent exits once they have.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable

RESTART_DELAY_SECONDS = 1.0


def set_nodelay(sock: socket.socket) -> None:
    """Send small writes at once (no Nagle delay): an answer is one or two writes the client waits for."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def listening_socket(host: str, port: int) -> socket.socket:
    """Bind and listen on host:port (TCP_NODELAY set, inherited by every accepted connection on Linux)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    set_nodelay(sock)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def nodelay_protocol(protocol_class: type) -> type:
    """Return uvicorn's HTTP protocol class that also sets TCP_NODELAY on each connection it is given."""

    class NoDelay(protocol_class):  # type: ignore[misc, valid-type]
        def connection_made(self, transport) -> None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                try:
                    set_nodelay(sock)
                except OSError:
                    pass
            super().connection_made(transport)

    NoDelay.__name__ = f"NoDelay{protocol_class.__name__}"
    return NoDelay


class Supervisor:
    """Fork `count` workers running `serve(sock)`; restart those that die; pass stop signals on."""

    def __init__(self, count: int, serve: Callable[[socket.socket], None], sock: socket.socket) -> None:
        self.count = count
        self.serve = serve
        self.sock = sock
        self.children: dict[int, int] = {}  # pid → slot
        self.stopping = False

    def _fork(self, slot: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 0
            try:
                self.serve(self.sock)
            except BaseException:  # noqa: BLE001 - report and leave; the parent restarts the worker
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.children[pid] = slot

    def _stop(self, signum, frame) -> None:
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def run(self) -> None:
        """Run until a stop signal has come and every worker has exited."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for slot in range(self.count):
            self._fork(slot)
        while self.children:
            try:
                pid, _status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            slot = self.children.pop(pid, None)
            if slot is not None and not self.stopping:
                print(f"certbridge: worker {pid} exited; starting another", file=sys.stderr, flush=True)
                time.sleep(RESTART_DELAY_SECONDS)
                if not self.stopping:
                    self._fork(slot)
        self.sock.close()


__all__ = ["Supervisor", "listening_socket", "nodelay_protocol", "set_nodelay"]
