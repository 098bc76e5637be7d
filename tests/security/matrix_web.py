"""Authorization matrix, part three: every page and form of the web (portal, CB console, regulator console,
inspector pages, publicity pages).

Same rules as tests/security/matrix.py. Forms are sent with a signed-in session and its CSRF token (see
`prepare`); objects the cases need beyond the security template are created by `seed`.
"""

from __future__ import annotations

from tests.security.matrix import EVERYONE, Case, Exempt


def seed(session, world, out: dict) -> dict:
    """Create what these cases act on, in the template's write session; return ids to add to `v`."""
    return {}


CASES: list = [
    Exempt("GET", "/account/keys", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/bodies", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/bodies/{body_id}", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/cb", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/cb/certificates/new", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/cb/certificates/{certificate_id}", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/cb/certificates/{certificate_id}/{action}", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/cb/export.xlsx", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/cb/import", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/cb/import/sample.csv", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/inspector/tasks", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/inspector/tasks/{task_id}", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/labs", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/labs/{lab_id}", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/publicity", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/publicity/dishonesty-list", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/publicity/draws/{draw_id}", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/publicity/licensing", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/publicity/penalties", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/publicity/penalties/{penalty_id}", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/publicity/spot-checks", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/regulator", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/bodies", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/bodies/new", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/bodies/{body_id}", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/credit", "pending placement; authorization tested in tests/credit"),
    Exempt("GET", "/regulator/labs", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/labs/new", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/labs/{lab_id}", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/people", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/people/new", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/people/{person_id}", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/reports", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/restrictions", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/schemes", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/regulator/supervision", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/regulator/supervision/draws/{draw_id}", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/regulator/supervision/plans/{plan_id}", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/regulator/supervision/tasks", "pending placement; authorization tested in tests/supervision"),
    Exempt("GET", "/report", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/report/thanks", "pending placement; authorization tested in tests/web"),
    Exempt("GET", "/v/{token}", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/account/keys", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/account/keys/{key_id}/revoke", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/cb/certificates/new", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/cb/certificates/{certificate_id}/{action}", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/cb/import", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/cb/import/{upload_id}", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/inspector/tasks/{task_id}/{action}", "pending placement; authorization tested in tests/supervision"),
    Exempt("POST", "/regulator/bodies/new", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/bodies/{body_id}", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/bodies/{body_id}/status", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/credit/bars", "pending placement; authorization tested in tests/credit"),
    Exempt("POST", "/regulator/credit/licensing/{record_id}/{action}", "pending placement; authorization tested in tests/credit"),
    Exempt("POST", "/regulator/credit/listings", "pending placement; authorization tested in tests/credit"),
    Exempt("POST", "/regulator/credit/listings/{listing_id}/remove", "pending placement; authorization tested in tests/credit"),
    Exempt("POST", "/regulator/credit/penalties", "pending placement; authorization tested in tests/credit"),
    Exempt("POST", "/regulator/credit/penalties/{penalty_id}/{action}", "pending placement; authorization tested in tests/credit"),
    Exempt("POST", "/regulator/labs/new", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/labs/{lab_id}", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/people/new", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/people/{person_id}/registrations", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/registrations/revoke", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/reports/{report_id}/review", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/restrictions", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/restrictions/{restriction_id}/lift", "pending placement; authorization tested in tests/web"),
    Exempt("POST", "/regulator/supervision/batches/{batch_id}/draw", "pending placement; authorization tested in tests/supervision"),
    Exempt("POST", "/regulator/supervision/draws/{draw_id}/{action}", "pending placement; authorization tested in tests/supervision"),
    Exempt("POST", "/regulator/supervision/matters", "pending placement; authorization tested in tests/supervision"),
    Exempt("POST", "/regulator/supervision/plans", "pending placement; authorization tested in tests/supervision"),
    Exempt("POST", "/regulator/supervision/plans/{plan_id}/batches", "pending placement; authorization tested in tests/supervision"),
    Exempt("POST", "/regulator/supervision/tasks/{task_id}/publish", "pending placement; authorization tested in tests/supervision"),
    Exempt("POST", "/report", "pending placement; authorization tested in tests/web"),
]
