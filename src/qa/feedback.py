"""Feedback votes in SQLite, and their export as eval questions.

One small table in ``settings.feedback_db``. Every connection turns on WAL (readers never block
the writer, several uvicorn workers can vote at once) and a busy timeout (a writer waits for a
lock instead of failing). ``export_feedback`` turns the votes into lines of the
``eval/questions.jsonl`` format so that a reviewer can promote them to the eval set.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL DEFAULT '',
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    correction TEXT,
    kind TEXT NOT NULL DEFAULT '',
    answered INTEGER
)
"""
EVAL_KINDS = {"money", "count", "percent", "date", "who", "which", "list", "explanation",
              "arithmetic", "comparison", "unanswerable"}
NOT_SAY = "the report does not say"


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection in WAL mode with a busy timeout; commits on success, always closes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=5.0)
    try:
        con.execute("PRAGMA busy_timeout = 5000")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute(SCHEMA)
        with con:
            yield con
    finally:
        con.close()


def add_feedback(path: Path, *, question: str, history: list[str], answer: str, vote: str,
                 correction: str | None = None, kind: str = "", answered: bool | None = None) -> int:
    """Store one vote and return its id."""
    if vote not in ("up", "down"):
        raise ValueError("vote must be 'up' or 'down'")
    correction = (correction or "").strip() or None
    with connect(path) as con:
        cur = con.execute(
            "INSERT INTO feedback (created_at, question, history, answer, vote, correction, kind, answered)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (datetime.now(UTC).isoformat(timespec="seconds"), question,
             json.dumps(history, ensure_ascii=False), answer, vote, correction, kind,
             None if answered is None else int(answered)),
        )
        return int(cur.lastrowid or 0)


def list_feedback(path: Path) -> list[dict]:
    """All votes, oldest first (an absent database has none)."""
    if not Path(path).exists():
        return []
    with connect(path) as con:
        con.row_factory = sqlite3.Row
        rows = con.execute("SELECT * FROM feedback ORDER BY id").fetchall()
    out = []
    for r in rows:
        d = dict(r)
        d["history"] = json.loads(d["history"] or "[]")
        d["answered"] = None if d["answered"] is None else bool(d["answered"])
        out.append(d)
    return out


def to_eval_question(row: dict) -> dict:
    """One vote as an eval question (the ``eval/questions.jsonl`` fields, tagged ``feedback``)."""
    answered = row.get("answered")
    if answered is None:
        answered = not (row.get("answer") or "").strip().lower().startswith(NOT_SAY)
    correction = row.get("correction")
    history = list(row.get("history") or [])
    kind = row.get("kind") if row.get("kind") in EVAL_KINDS else "explanation"
    if correction:
        answerable, expected = True, {"contains": [correction]}
        kind = "explanation" if kind == "unanswerable" else kind
    else:
        # An up-vote confirms the answer; a down-vote without a correction disputes it.
        answerable = answered if row["vote"] == "up" else not answered
        expected = {}
    if not answerable:
        kind = "unanswerable"
    tags = (["followup"] if history else []) + ["feedback"]
    return {"id": f"fb{row['id']:05d}", "question": row["question"], "history": history, "kind": kind,
            "tags": tags, "answerable": answerable, "expected": expected, "evidence": "", "section": "",
            "vote": row["vote"], "answer": row.get("answer", ""), "created_at": row.get("created_at", "")}


def export_feedback(db_path: Path, out_path: Path) -> int:
    """Write every vote as one JSONL eval question to ``out_path``; return how many were written."""
    rows = [to_eval_question(r) for r in list_feedback(db_path)]
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for q in rows:
            fh.write(json.dumps(q, ensure_ascii=False) + "\n")
    tmp.replace(out_path)
    return len(rows)
