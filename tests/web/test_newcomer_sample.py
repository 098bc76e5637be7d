"""The console's own sample CSV imports cleanly (a newcomer's first upload), and no message keeps a placeholder."""

from __future__ import annotations

import re

from certbridge.errors import InvalidInput
from tests.web.conftest import csrf_from, follow_job, post_form


def test_the_sample_csv_the_console_offers_previews_and_imports(client, signed_in):
    signed_in("cb_a")
    sample = client.get("/cb/import/sample.csv")
    assert sample.status_code == 200
    started = post_form(client, "/cb/import", files={"file": ("certificates-sample.csv", sample.content, "text/csv")})
    r = follow_job(client, started)  # the check runs as a job; its page ends on the preview
    assert "{field}" not in r.text
    assert r.status_code == 200, r.text.split('id="row-report"')[-1][:2000]
    assert "所有行都正确" in r.text
    action = re.search(r'action="(/cb/import/\d+)"', r.text).group(1)
    started = client.post(action, data={"csrf_token": csrf_from(r.text)}, follow_redirects=False)
    done = follow_job(client, started)  # the import's job page, once done, leads to the console
    assert done.status_code == 303 and done.headers["location"] == "/cb"
    assert "已导入 1 张新证书" in client.get("/cb").text


def test_a_required_field_message_names_the_field():
    error = InvalidInput("field.required", field="holder.uscc")
    assert error.message("zh") == "「holder.uscc」为必填项"
    assert error.message("en") == "'holder.uscc' is required"
