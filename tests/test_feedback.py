"""Feedback store (SQLite, WAL) and its export as eval questions."""

from __future__ import annotations

import json
import sqlite3
import threading

from qa.feedback import add_feedback, export_feedback, list_feedback

FIELDS = ["id", "question", "history", "kind", "tags", "answerable", "expected", "evidence", "section"]


def test_store_uses_wal_and_roundtrips(tmp_path):
    db = tmp_path / "fb" / "feedback.sqlite3"
    fid = add_feedback(db, question="Q?", history=["a", "b"], answer="A", vote="up", kind="count", answered=True)
    assert fid == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    (row,) = list_feedback(db)
    assert row["history"] == ["a", "b"] and row["vote"] == "up" and row["answered"] is True


def test_concurrent_writers(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    add_feedback(db, question="warm", history=[], answer="", vote="up")

    def write(n: int) -> None:
        for i in range(10):
            add_feedback(db, question=f"q{n}-{i}", history=[], answer="", vote="down")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(list_feedback(db)) == 61


def test_export_format(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    add_feedback(db, question="Poverty line?", history=[], answer="1,800 Yuan", vote="down",
                 correction="1,800 yuan for pastoral areas", kind="money", answered=True)
    add_feedback(db, question="And rural?", history=["Poverty line?"], answer="1560 Yuan", vote="up",
                 kind="money", answered=True)
    add_feedback(db, question="GDP of Mars?", history=[], answer="The report does not say.", vote="up")
    out = tmp_path / "eval" / "fb.jsonl"
    assert export_feedback(db, out) == 3
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        for f in FIELDS:
            assert f in r
        assert "feedback" in r["tags"]
    assert len({r["id"] for r in rows}) == 3
    corrected, followup, unanswerable = rows
    assert corrected["expected"] == {"contains": ["1,800 yuan for pastoral areas"]}
    assert corrected["answerable"] is True and corrected["kind"] == "money"
    assert followup["history"] == ["Poverty line?"] and "followup" in followup["tags"]
    assert unanswerable["answerable"] is False and unanswerable["kind"] == "unanswerable"
    assert unanswerable["expected"] == {}


def test_export_without_database(tmp_path):
    out = tmp_path / "out.jsonl"
    assert export_feedback(tmp_path / "none.sqlite3", out) == 0
    assert out.read_text() == ""


def test_cli_export(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from qa.cli import app

    add_feedback(tmp_path / "feedback.sqlite3", question="Q?", history=[], answer="A", vote="down",
                 correction="B")
    out = tmp_path / "q.jsonl"
    res = CliRunner().invoke(app, ["feedback", "export", "--data-dir", str(tmp_path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "wrote 1" in res.output
    assert json.loads(out.read_text())["expected"] == {"contains": ["B"]}
