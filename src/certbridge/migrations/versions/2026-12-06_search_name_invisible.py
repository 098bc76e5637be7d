"""inputs: recompute organization.search_name (and its bigrams) for names holding invisible characters

`kit.chinese_text.normalize_name` now removes zero-width spaces, BOMs, direction controls and control characters,
so a search for the visible name finds an organization stored before that change. Only the derived search columns
change: `organization.name` and every ledger event stay as they are (the log is immutable, and the rows must keep
equalling the state folded from their events).

Revision ID: 0007inputs
Revises: 0006security
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007inputs"
down_revision = "0006security"
branch_labels = None
depends_on = None

# The invisible characters a name may hold (Unicode Cf in common use, C0/C1 controls); `kit.text_input` removes all.
_INVISIBLE = ("\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062"
              "\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f\ufeff"
              + "".join(chr(c) for c in (*range(1, 32), *range(127, 160))))


def refresh_search_names(bind) -> int:
    """Recompute search_name and bigrams of organizations whose search_name holds an invisible character."""
    from certbridge.kit.chinese_text import normalize_name
    from certbridge.registry.search import name_bigrams

    if bind.dialect.name == "postgresql":
        where, pattern = "search_name ~ :pattern", "[" + _INVISIBLE.replace("\\", "") + "]"
    else:
        where, pattern = "search_name GLOB :pattern", "*[" + _INVISIBLE + "]*"
    rows = bind.execute(sa.text(f"SELECT id, name, search_name FROM organization WHERE {where}"),
                        {"pattern": pattern}).all()
    changed = 0
    for org_id, name, old in rows:
        new = normalize_name(name)
        if new == old:
            continue
        bind.execute(sa.text("UPDATE organization SET search_name = :new WHERE id = :id"), {"new": new, "id": org_id})
        bind.execute(sa.text("DELETE FROM organization_name_gram WHERE organization_id = :id"), {"id": org_id})
        grams = sorted(name_bigrams(new))
        if grams:
            bind.execute(sa.text("INSERT INTO organization_name_gram (gram, organization_id) VALUES (:gram, :id)"),
                         [{"gram": g, "id": org_id} for g in grams])
        changed += 1
    return changed


def upgrade() -> None:
    refresh_search_names(op.get_bind())


def downgrade() -> None:
    pass  # the recomputed search names are what the code computes; there is nothing to restore
