"""Fact table storage in SQLite (stdlib ``sqlite3``: no server, one file, safe for many readers).

``write_facts`` replaces the file atomically (write to a temp file, then rename), so readers never
see a half-written table. ``query_facts`` opens the file read-only (``mode=ro`` URI) with one
connection per call, so it is safe from any thread. All SQL is parameterized; the sort column
comes from a whitelist of the table's columns.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import fields
from pathlib import Path

from qa.facts.model import Fact

COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Fact))
_TYPES = {"value": "REAL", "start": "INTEGER", "end": "INTEGER", "sentence_start": "INTEGER",
          "sentence_end": "INTEGER", "period_start": "INTEGER", "period_end": "INTEGER"}  # fmt: skip
INT_COLUMNS = {"start", "end", "sentence_start", "sentence_end", "period_start", "period_end"}


def _q(col: str) -> str:
    return f'"{col}"'


def write_facts(path: Path, facts: list[Fact]) -> None:
    """Create (or replace) the SQLite file at ``path`` with one ``facts`` table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".facts-", suffix=".sqlite", dir=path.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        try:
            cols = ", ".join(
                f"{_q(c)} {_TYPES.get(c, 'TEXT')}" + (" PRIMARY KEY" if c == "id" else "") for c in COLUMNS
            )
            con.execute(f"CREATE TABLE facts ({cols})")
            for col in ("kind", "section", "doc"):
                con.execute(f"CREATE INDEX idx_facts_{col} ON facts ({_q(col)})")
            marks = ", ".join("?" for _ in COLUMNS)
            con.executemany(
                f"INSERT OR REPLACE INTO facts ({', '.join(_q(c) for c in COLUMNS)}) VALUES ({marks})",
                [tuple(getattr(f, c) for c in COLUMNS) for f in facts],
            )
            con.commit()
        finally:
            con.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def update_facts(previous: Path, path: Path, keep_docs: set[str], facts: list[Fact]) -> int:
    """Write at ``path`` the ``previous`` fact table with only ``keep_docs``' rows left, plus
    ``facts`` (an incremental build: the reused reports' rows are copied as they are, never read
    back into objects). Returns the number of facts in the new table."""
    path = Path(path)
    shutil.copyfile(previous, path)
    con = sqlite3.connect(path)
    try:
        gone = [d for (d,) in con.execute("SELECT DISTINCT doc FROM facts") if d not in keep_docs]
        con.executemany(f"DELETE FROM facts WHERE {_q('doc')} = ?", [(d,) for d in gone])
        marks = ", ".join("?" for _ in COLUMNS)
        con.executemany(
            f"INSERT OR REPLACE INTO facts ({', '.join(_q(c) for c in COLUMNS)}) VALUES ({marks})",
            [tuple(getattr(f, c) for c in COLUMNS) for f in facts],
        )
        con.commit()
        return int(con.execute("SELECT COUNT(*) FROM facts").fetchone()[0])
    finally:
        con.close()


def fact_count(path: Path) -> int:
    """The number of facts in the file (and proof that it opens as a fact table)."""
    con = connect_ro(path)
    try:
        return int(con.execute("SELECT COUNT(*) FROM facts").fetchone()[0])
    finally:
        con.close()


def fact_documents(path: Path) -> dict[str, str]:
    """Fact id -> document id, for every fact of the file (cheap: two short columns)."""
    con = connect_ro(path)
    try:
        return dict(con.execute(f"SELECT id, {_q('doc')} FROM facts"))
    finally:
        con.close()


def connect_ro(path: Path) -> sqlite3.Connection:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"fact table not found: {path}")
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    con.row_factory = sqlite3.Row
    return con


def _row_dict(row: sqlite3.Row) -> dict:
    d = dict(row)
    v = d.get("value")
    if isinstance(v, float) and v.is_integer():
        d["value"] = int(v)
    return d


def query_facts(
    path: Path,
    *,
    kind: str | None = None,
    section: str | None = None,
    q: str | None = None,
    doc: str | list[str] | tuple[str, ...] | None = None,
    ids: list[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    sort: str = "start",
) -> tuple[list[dict], int]:
    """Filtered page of facts and the total number matching. ``q`` is a case-insensitive substring
    of raw, measure, subject, sentence or name; ``doc`` one document id or several; ``ids`` only
    these facts (an empty list: none); ``sort`` is a column, '-col' for descending."""
    where, args = [], []
    for col, val in (("kind", kind), ("section", section), ("doc", doc)):
        if val and not isinstance(val, str):  # several documents (a report scope)
            where.append(f"{_q(col)} IN ({', '.join('?' * len(val))})")
            args.extend(val)
        elif val:
            where.append(f"{_q(col)} = ?")
            args.append(val)
    if ids is not None:
        # One JSON parameter rather than one "?" per id: no limit on how many ids a filter keeps.
        where.append(f"{_q('id')} IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(list(ids)))
    if q:
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "(" + " OR ".join(f"lower({_q(c)}) LIKE ? ESCAPE '\\'" for c in ("raw", "measure", "subject",
                                                                              "sentence", "name")) + ")"
        )  # fmt: skip
        args += [like] * 5
    desc = sort.startswith("-")
    col = sort.lstrip("-")
    if col not in COLUMNS:
        raise ValueError(f"cannot sort by {sort!r}; columns: {', '.join(COLUMNS)}")
    limit = max(1, min(int(limit), 1000))
    offset = max(0, int(offset))
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    order = f" ORDER BY {_q(col)} {'DESC' if desc else 'ASC'}, {_q('doc')}, {_q('start')}, {_q('id')}"
    con = connect_ro(path)
    try:
        total = con.execute(f"SELECT COUNT(*) FROM facts{clause}", args).fetchone()[0]
        rows = con.execute(f"SELECT * FROM facts{clause}{order} LIMIT ? OFFSET ?", [*args, limit, offset])
        return [_row_dict(r) for r in rows], int(total)
    finally:
        con.close()


def load_facts(path: Path, *, doc: str | None = None, kind: str | None = None) -> list[Fact]:
    """Every fact of the file (or of one ``doc``, or of one ``kind``: both columns are indexed),
    ordered by document and start offset."""
    where, args = [], []
    for col, val in (("doc", doc), ("kind", kind)):
        if val is not None:
            where.append(f"{_q(col)} = ?")
            args.append(val)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    con = connect_ro(path)
    try:
        rows = con.execute(f'SELECT * FROM facts{clause} ORDER BY doc, start, "end", kind', args).fetchall()
    finally:
        con.close()
    out = []
    for r in rows:
        d = _row_dict(r)
        for c in INT_COLUMNS:
            if d.get(c) is not None:
                d[c] = int(d[c])
        out.append(Fact(**{c: d[c] for c in COLUMNS}))
    return out
