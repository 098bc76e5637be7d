"""An ordinary CSV upload in the web console leaves a log that `certbridge ledger verify` passes (issue #15)."""

from __future__ import annotations

import re

from tests.ledger.conftest import cli  # noqa: F401
from tests.web.conftest import csrf_from, post_form
from tests.web.test_import_pages import HEADER, _row


def test_ledger_verify_passes_after_a_web_csv_upload(client, world, signed_in, cli):
    signed_in("cb_a")
    csv = HEADER + _row("00126Q26311R0M", world.uscc["org1"]) + _row("00126Q26312R0M", world.uscc["org2"])
    preview = post_form(client, "/cb/import", files={"file": ("certs.csv", csv.encode("utf-8"), "text/csv")})
    assert preview.status_code == 200, preview.text
    after_preview = cli("ledger", "verify")
    assert after_preview.exit_code == 0, after_preview.output
    action = re.search(r'action="(/cb/import/\d+)"', preview.text).group(1)
    done = client.post(action, data={"csrf_token": csrf_from(preview.text)}, follow_redirects=False)
    assert done.status_code == 303
    result = cli("ledger", "verify")
    assert result.exit_code == 0, result.output
    assert "All checks passed" in result.output
