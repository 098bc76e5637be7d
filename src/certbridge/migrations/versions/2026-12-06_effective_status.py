"""effective status: when a body's approval got its status, and each scheme's grace after a body's revocation

Revision ID: 0013effstatus
Revises: 0012workdays
Create Date: 2026-12-06 20:00:00

`certification_body.status_changed_on` is filled for existing bodies from their last status event in the log
(the date it was recorded), or their approval date when the log has none.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0013effstatus"
down_revision = "0012workdays"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certification_body", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_changed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("scheme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_revoked_grace_months", sa.Integer(), nullable=False,
                                      server_default="3"))
    conn = op.get_bind()
    body = sa.table("certification_body", sa.column("id", sa.Integer), sa.column("status", sa.String),
                    sa.column("approved_on", sa.Date), sa.column("status_changed_on", sa.Date))
    event = sa.table("ledger_event", sa.column("type", sa.String), sa.column("subject_type", sa.String),
                     sa.column("subject_id", sa.String), sa.column("at", sa.DateTime))
    for body_id, status, approved_on in conn.execute(sa.select(body.c.id, body.c.status, body.c.approved_on)).all():
        at = conn.execute(sa.select(sa.func.max(event.c.at)).where(
            event.c.subject_type == "body", event.c.subject_id == str(body_id),
            event.c.type == f"body.{status}")).scalar()
        if isinstance(at, str):  # SQLite: the text the column stores
            on = date.fromisoformat(at[:10])
        else:
            on = at.date() if at is not None else approved_on
        conn.execute(body.update().where(body.c.id == body_id).values(status_changed_on=on))


def downgrade() -> None:
    with op.batch_alter_table("scheme", schema=None) as batch_op:
        batch_op.drop_column("body_revoked_grace_months")
    with op.batch_alter_table("certification_body", schema=None) as batch_op:
        batch_op.drop_column("status_changed_on")
