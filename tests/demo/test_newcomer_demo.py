"""A newcomer's first minutes: the command `certbridge demo` prints works, and QR links follow the served port."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

from certbridge.cli.main import app
from tests.demo.test_cli import _env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(env: dict[str, str], port: int) -> subprocess.Popen:
    """Start `certbridge serve --port` as a user would, and wait until it answers."""
    proc = subprocess.Popen([sys.executable, "-m", "certbridge.cli.main", "serve", "--port", str(port)],
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/schemes", timeout=2)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read().decode()) from None
            time.sleep(0.2)
    proc.terminate()
    raise AssertionError("certbridge serve did not answer within 60 s")


def test_the_printed_curl_command_answers_and_qr_links_use_the_served_port(empty_databases):
    settings = empty_databases()
    port = _free_port()
    env = _env(settings)
    built = CliRunner().invoke(app, ["demo", "--no-serve", "--size", "300", "--as-of", "2026-11-01",
                                     "--port", str(port)], env=env)
    assert built.exit_code == 0, built.output
    line = next(x for x in built.output.splitlines() if "curl" in x)
    command = shlex.split(line[line.index("curl"):])
    assert f"127.0.0.1:{port}" in line
    server = _serve(env, port)
    try:
        ran = subprocess.run([*command, "--silent", "--show-error", "--write-out", "\n%{http_code}"],
                             capture_output=True, text=True, timeout=30)
        body, _, status = ran.stdout.rpartition("\n")
        assert status == "200", (ran.stdout, ran.stderr)
        found = httpx.Response(200, content=body.encode()).json()
        assert found["items"], "the printed search term finds certificates"
        token = httpx.get(f"http://127.0.0.1:{port}/api/v1/certificates/{found['items'][0]['id']}/token",
                          timeout=30).json()
        assert token["url"].startswith(f"http://127.0.0.1:{port}/v/"), token["url"]  # what the QR code carries
        assert httpx.get(token["url"], timeout=30).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
