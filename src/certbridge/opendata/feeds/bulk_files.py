"""A day's bulk files put together from their parts: the plan (each registry table cut into fixed id ranges)
and the assembly (each file the concatenation of its parts' gzip members in id order, with its SHA-256, and the
table digest — the SHA-256 of the uncompressed full JSON Lines — computed in order as the parts arrive)."""

from __future__ import annotations

import hashlib
import zlib
from bisect import bisect_right
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.opendata.feeds import bulk_parts
from certbridge.opendata.feeds.bulk_parts import OUTPUTS
from certbridge.opendata.feeds.bulk_tables import TABLES, columns

_FIRST = -(2**62)  # the first part's lower bound: every id is above it
_READ = 1 << 20


def plan(dialect: str, table: str) -> dict[str, Any]:
    """Return how a part of a registry table is read: its SQL (columns in JSON key order), the field names in that
    order, the positions of its date columns and of its CSV columns."""
    model, fields = TABLES[table]
    names = sorted(fields)  # canonical JSON's key order (the names are ASCII)
    cols = [getattr(model, name) for name in names]
    mark = "?" if dialect == "sqlite" else "%s"
    head = f"SELECT {', '.join(col.expression.name for col in cols)} FROM {model.__table__.name} WHERE id > {mark}"
    order = columns(table)
    return {"names": names, "sql": f"{head} AND id <= {mark} ORDER BY id", "sql_open": f"{head} ORDER BY id",
            "dated": [i for i, col in enumerate(cols) if col.type.python_type.__name__ in ("date", "datetime")],
            "csv": [names.index(name) for name in order], "csv_header": order}


def part_items(session: Session, dialect: str, changed: dict[str, set[Any]] | None) -> list[tuple[dict, dict]]:
    """Return every (plan, part) of the registry tables, in file order: parts of `bulk_parts.PART_IDS` ids, the
    last one open-ended; each with the changed ids of its range (None: every row is in the delta)."""
    items = []
    for table, (model, _) in TABLES.items():
        if model is None:
            continue
        how = plan(dialect, table)
        top = session.scalar(select(func.max(model.id))) or 0
        step = bulk_parts.PART_IDS
        count = max(1, -(-top // step))
        ids = sorted(changed[table]) if changed is not None else None
        for index in range(count):
            lo = _FIRST if index == 0 else index * step
            hi = None if index == count - 1 else (index + 1) * step
            mine = None if ids is None else ids[bisect_right(ids, lo):len(ids) if hi is None else bisect_right(ids, hi)]
            items.append((how, {"key": f"{table}.{index:05d}", "index": index, "lo": lo, "hi": hi,
                                "changed": mine}))
    return items


class Assembler:
    """Appends finished parts to the day's files in order; keeps each file's SHA-256 and each table's digest."""

    def __init__(self, work: Path, parts: Path, items: list[tuple[dict, dict]], on_table=None) -> None:
        self.work, self.parts, self.on_table = work, parts, on_table
        self.order: dict[str, list[str]] = {table: [] for table in TABLES}
        for _, part in items:
            self.order[part["key"].split(".")[0]].append(part["key"])
        self.order["decisions"] = ["decisions"]
        self.done: dict[str, dict[str, Any]] = {}
        self.next = dict.fromkeys(TABLES, 0)
        self.rows = dict.fromkeys(TABLES, 0)
        self.table_sha = {table: hashlib.sha256() for table in TABLES}
        self.file_sha: dict[str, Any] = {}
        self.sizes: dict[str, int] = {}

    def add(self, result: dict[str, Any]) -> None:
        """Take a written part; append it, and any parts after it already written, to the table's files."""
        table = result["key"].split(".")[0]
        self.done[result["key"]] = result
        keys = self.order[table]
        while self.next[table] < len(keys) and keys[self.next[table]] in self.done:
            self._append(table, self.done.pop(keys[self.next[table]]))
            self.next[table] += 1
            if self.next[table] == len(keys) and self.on_table is not None:
                self.on_table(table, self.rows[table], {name: self.sizes[name] for name in self.sizes
                                                        if name.split("-", 1)[1].split(".")[0] == table})

    def _append(self, table: str, result: dict[str, Any]) -> None:
        self.rows[table] += result["rows"]
        for output in OUTPUTS:
            kind, ext = output.split(".")
            name = f"{kind}-{table}.{ext}.gz"
            source = self.parts / f"{result['key']}.{output}"
            sha = self.file_sha.setdefault(name, hashlib.sha256())
            inflate = zlib.decompressobj(31) if output == "full.jsonl" else None
            with source.open("rb") as src, (self.work / name).open("ab") as dst:
                while chunk := src.read(_READ):
                    dst.write(chunk)
                    sha.update(chunk)
                    self.sizes[name] = self.sizes.get(name, 0) + len(chunk)
                    if inflate is not None:
                        self.table_sha[table].update(inflate.decompress(chunk))
            if inflate is not None:
                self.table_sha[table].update(inflate.flush())
            source.unlink()

    def tables(self) -> dict[str, tuple[int, str]]:
        """Return every table's row count and digest (all parts must have been added)."""
        missing = [table for table, keys in self.order.items() if self.next[table] != len(keys)]
        if missing:
            raise RuntimeError(f"parts not written: {missing}")
        return {table: (self.rows[table], self.table_sha[table].hexdigest()) for table in TABLES}

    @property
    def digests(self) -> dict[str, tuple[str, int]]:
        """Return each file's (SHA-256, bytes)."""
        return {name: (sha.hexdigest(), self.sizes[name]) for name, sha in self.file_sha.items()}
