"""A watch with an e-mail address: the change reaches a real local SMTP receiver."""

from __future__ import annotations

import socketserver
import threading
import time

from fastapi.testclient import TestClient

from certbridge.app import create_app
from tests.opendata.conftest import issue_certificate, suspend


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greet, accept one envelope and its data, record the message."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        envelope, data = {"rcpt": []}, None
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            upper = command.upper()
            if data is not None:
                if command == ".":
                    self.server.messages.append({**envelope, "data": "".join(data)})
                    data = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line.decode("utf-8", "replace"))
            elif upper.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif upper.startswith("MAIL FROM"):
                envelope["from"] = command[10:]
                self.wfile.write(b"250 ok\r\n")
            elif upper.startswith("RCPT TO"):
                envelope["rcpt"].append(command[8:])
                self.wfile.write(b"250 ok\r\n")
            elif upper == "DATA":
                data = []
                self.wfile.write(b"354 go on\r\n")
            elif upper == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def test_a_watched_change_is_mailed(settings, world):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = settings.model_copy(update={
            "feeds_poll_seconds": 0.05, "bulk_files_daily": False, "smtp_from": "certbridge@example.org",
            "smtp_url": f"smtp://127.0.0.1:{server.server_address[1]}"})
        app = create_app(settings)
        with TestClient(app) as client:
            cert = issue_certificate(client, world, "00126Q26001R0M/4901")
            r = client.post("/api/v1/watches", headers=world.auth("org"), json={
                "kind": "certificate", "target": str(cert["id"]), "email": "buyer@example.com"})
            assert r.status_code == 201, r.text
            suspend(client, world, cert["id"])
            deadline, deliveries = time.monotonic() + 60, []
            while time.monotonic() < deadline:  # until the outcome of the send is recorded
                deliveries = client.get(f"/api/v1/watches/{r.json()['id']}/deliveries?channel=email",
                                        headers=world.auth("org")).json()
                if deliveries and deliveries[0]["status"] != "pending":
                    break
                time.sleep(0.05)
        app.state.engine.dispose()
    finally:
        server.shutdown()
        server.server_close()
    assert len(server.messages) == 1, server.messages
    message = server.messages[0]
    assert "buyer@example.com" in message["rcpt"][0]
    assert "certificate.suspended" in message["data"] and f"certificate:{cert['id']}" in message["data"]
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("delivered", 1)]
