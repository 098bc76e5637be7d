"""One part of a day's bulk files: the rows of one table in one id range, written as gzip members.

A part reads its rows as plain driver tuples in id order (no ORM objects), renders them once — JSON Lines by
orjson from a dict already in key order, CSV by the C `csv.writer` — and derives the delta lines from the same
bytes (`{"op":"upsert","row":` + the row's line + `}`), so the delta costs no second read. Each output is
compressed in blocks of about a megabyte into ONE gzip member per part; the day's file is the parts' members
concatenated in id order (a gzip file may hold several members: `gzip -d`, `zcat`, Python's gzip read them as
one stream). Part boundaries are fixed id ranges (`PART_IDS`), never the number of processes, so the bytes of
a file are the same whatever the number of processes that wrote it.

Runs in the build's worker processes (`bulk_workers`) as well as in the building process itself; it needs only
the driver connection of a transaction that reads the build's snapshot.
"""

from __future__ import annotations

import csv
import io
import zlib
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from certbridge.opendata.feeds.bulk_lines import row_bytes

PART_IDS = 100_000  # ids per part (~7 MB of compressed JSON Lines of certificates); fixed, see above
# zlib level 4: half the CPU of level 6 (zlib's default, before) for files ~9 % larger; level 1 would take a third
# of level 6's CPU but make them ~30 % larger (certificates' CSV + JSON Lines, bench/RESULTS.md)
GZIP_LEVEL = 4
FETCH = 2000  # driver rows per fetch
_BLOCK = 1 << 20  # uncompressed bytes handed to zlib at a time
_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_STRICT_INTEGER  # keys already in order: no sorting per row
_UPSERT = b'{"op":"upsert","row":'
OUTPUTS = ("full.jsonl", "full.csv", "delta.jsonl", "delta.csv")  # what a part writes, in this order


class Member:
    """One gzip member written to its own file, fed uncompressed bytes in blocks."""

    def __init__(self, path: Path, level: int) -> None:
        self.path, self.out = path, open(path, "wb")  # noqa: SIM115 - closed in close()
        self.zip = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 31: gzip header and trailer, mtime 0
        self.pending: list[bytes] = []
        self.size = 0

    def add(self, data: bytes) -> None:
        self.pending.append(data)
        self.size += len(data)
        if self.size >= _BLOCK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.out.write(self.zip.compress(b"".join(self.pending)))
            self.pending.clear()
            self.size = 0

    def close(self) -> None:
        self.flush()
        self.out.write(self.zip.flush())
        self.out.close()


class CsvMember:
    """CSV rows rendered by `csv.writer` into a text buffer, handed to a gzip member in blocks."""

    def __init__(self, member: Member) -> None:
        self.member, self.buf = member, io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\n")
        self.writerow, self.writerows = self.writer.writerow, self.writer.writerows

    def flush(self) -> None:
        self.member.add(self.buf.getvalue().encode("utf-8"))
        self.buf.seek(0)
        self.buf.truncate()

    def close(self) -> None:
        self.flush()
        self.member.close()


def _line(row: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(row, option=_OPTIONS)
    except TypeError:  # a value orjson refuses (a lone surrogate, an integer past 2**53): the reference encoder
        return row_bytes(row)


def _open(folder: Path, key: str, level: int) -> dict[str, Any]:
    members = {name: Member(folder / f"{key}.{name}", level) for name in OUTPUTS}
    return {"full.jsonl": members["full.jsonl"], "delta.jsonl": members["delta.jsonl"],
            "full.csv": CsvMember(members["full.csv"]), "delta.csv": CsvMember(members["delta.csv"])}


def write_range(conn, plan: dict[str, Any], part: dict[str, Any], folder: Path, *, level: int = GZIP_LEVEL,
                named_cursor: bool = False) -> dict[str, Any]:
    """Write one part of a registry table: the rows with lo < id <= hi (no upper bound when hi is None).

    `plan`: the table's SQL (columns in JSON key order), its field names in that order, the positions of its
    date columns and of its CSV columns; `part`: index, lo, hi and the changed ids in the range (sorted; None:
    every row, the first day). Returns the rows written to the full and delta files.
    """
    names, csv_cols, dated = plan["names"], plan["csv"], plan["dated"]
    in_csv = itemgetter(*csv_cols)
    id_at = names.index("id")
    changed = part["changed"]
    every = changed is None
    wanted = set(changed or ())
    pending = iter(sorted(wanted))  # changed ids in order: the ones without a row become delete lines
    next_change = next(pending, None)
    out = _open(folder, part["key"], level)
    full_j, delta_j, full_c, delta_c = out["full.jsonl"], out["delta.jsonl"], out["full.csv"], out["delta.csv"]
    if part["index"] == 0:
        full_c.writerow(plan["csv_header"])
        delta_c.writerow(["op"] + plan["csv_header"])
    blank = [None] * (len(csv_cols) - 1)
    rows = deltas = 0
    cur = conn.cursor(name=f"bulk_{part['key']}") if named_cursor else conn.cursor()
    if named_cursor:
        cur.itersize = FETCH
    cur.execute(plan["sql_open" if part["hi"] is None else "sql"],
                (part["lo"],) if part["hi"] is None else (part["lo"], part["hi"]))
    try:
        while True:
            batch = cur.fetchmany(FETCH)
            if not batch:
                break
            lines, csv_rows, delta_lines, delta_rows = [], [], [], []
            for values in batch:
                if dated:
                    values = list(values)
                    for i in dated:
                        v = values[i]
                        if v is not None and type(v) is not str:
                            values[i] = v.isoformat()
                line = _line(dict(zip(names, values)))
                lines.append(line)
                shown = in_csv(values)
                csv_rows.append(shown)
                if every or values[id_at] in wanted:
                    ident = values[id_at]
                    while next_change is not None and next_change < ident:  # changed, no row: deleted
                        delta_lines.append(row_bytes({"op": "delete", "id": next_change}))
                        delta_rows.append(["delete", next_change, *blank])
                        next_change = next(pending, None)
                    if next_change == ident:
                        next_change = next(pending, None)
                    delta_lines.append(_UPSERT + line[:-1] + b"}\n")
                    delta_rows.append(("upsert", *shown))
            rows += len(batch)
            deltas += len(delta_lines)
            full_j.add(b"".join(lines))
            full_c.writerows(csv_rows)
            if delta_lines:
                delta_j.add(b"".join(delta_lines))
                delta_c.writerows(delta_rows)
            if full_c.buf.tell() >= _BLOCK:
                full_c.flush()
            if delta_c.buf.tell() >= _BLOCK:
                delta_c.flush()
        while next_change is not None:
            delta_j.add(row_bytes({"op": "delete", "id": next_change}))
            delta_c.writerow(["delete", next_change, *blank])
            deltas += 1
            next_change = next(pending, None)
    finally:
        cur.close()
        for member in out.values():
            member.close()
    return {"key": part["key"], "rows": rows, "deltas": deltas}


def write_rows(rows, changed: set[Any] | None, columns: list[str], folder: Path, key: str, *,
               level: int = GZIP_LEVEL) -> dict[str, Any]:
    """Write a table given as ready dicts in id order (decisions, folded from the log) as one part."""
    out = _open(folder, key, level)
    full_j, delta_j, full_c, delta_c = out["full.jsonl"], out["delta.jsonl"], out["full.csv"], out["delta.csv"]
    full_c.writerow(columns)
    delta_c.writerow(["op"] + columns)
    count, upserts = 0, {}
    try:
        for row in rows:
            count += 1
            line = row_bytes(row)
            full_j.add(line)
            shown = [row[c] for c in columns]
            full_c.writerow(shown)
            if changed is None or row["id"] in changed:
                upserts[row["id"]] = (line, shown)
        order = upserts if changed is None else sorted(changed, key=lambda v: (isinstance(v, str), v))
        for ident in order:  # upserts and deletes in id order, as in every other table's delta
            if ident in upserts:
                line, shown = upserts[ident]
                delta_j.add(_UPSERT + line[:-1] + b"}\n")
                delta_c.writerow(["upsert", *shown])
            else:
                delta_j.add(row_bytes({"op": "delete", "id": ident}))
                delta_c.writerow(["delete", ident] + [None] * (len(columns) - 1))
    finally:
        for member in out.values():
            member.close()
    return {"key": key, "rows": count, "deltas": len(order)}
