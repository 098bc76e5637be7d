"""An ordinary CSV upload in the web console leaves a log that `certbridge ledger verify` passes (issue #15)."""

from __future__ import annotations

import re

from tests.ledger.conftest import cli  # noqa: F401
from tests.web.conftest import csrf_from, follow_job, post_form
from tests.web.test_import_pages import HEADER, _row


def test_ledger_verify_passes_after_a_web_csv_upload(client, world, signed_in, cli):
    signed_in("cb_a")
    csv = HEADER + _row("00126Q26311R0M", world.uscc["org1"]) + _row("00126Q26312R0M", world.uscc["org2"])
    started = post_form(client, "/cb/import", files={"file": ("certs.csv", csv.encode("utf-8"), "text/csv")})
    preview = follow_job(client, started)  # the check runs as a job; its page ends on the preview
    assert preview.status_code == 200, preview.text
    assert "所有行都正确" in preview.text
    after_preview = cli("ledger", "verify")
    assert after_preview.exit_code == 0, after_preview.output
    action = re.search(r'action="(/cb/import/\d+)"', preview.text).group(1)
    started = client.post(action, data={"csrf_token": csrf_from(preview.text)}, follow_redirects=False)
    done = follow_job(client, started)  # the import's job page, once done, leads to the console
    assert done.status_code == 303 and done.headers["location"] == "/cb"
    assert "已导入 2 张新证书" in client.get("/cb").text
    result = cli("ledger", "verify")
    assert result.exit_code == 0, result.output
    assert "All checks passed" in result.output
