"""The `qa` command line as a user runs it: real subprocesses on the session's index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

QA = [sys.executable, "-m", "qa.cli"]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run([*QA, *args], capture_output=True, text=True, timeout=120, env=e)


def test_search_prints_fused_dense_and_bm25_scores(index_settings):
    r = run("search", "poverty line in pastoral areas", "-k", "2", "--index", str(index_settings.index_dir))
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert "score=" in first and "dense=" in first and "bm25=" in first
    assert "1,800 Yuan" in r.stdout.split("\n2.")[0]


def test_ask_json_prints_the_answer_contract(index_settings):
    r = run("ask", "How much was issued for entire village advancement in 2009?", "--json",
            "--index", str(index_settings.index_dir))
    assert r.returncode == 0, r.stderr
    a = json.loads(r.stdout)
    for key in ("question", "resolved_question", "answered", "answer", "confidence", "facts", "citations",
                "related", "timings_ms"):
        assert key in a
    assert a["answered"] and "350 million Yuan" in a["answer"]
    assert "350 million Yuan" in a["citations"][0]["text"]


def test_facts_formats(index_settings):
    r = run("facts", "--kind", "money", "--format", "json", "--index", str(index_settings.index_dir))
    rows = json.loads(r.stdout)
    assert rows and all(x["kind"] == "money" for x in rows)
    r = run("facts", "--kind", "money", "--format", "csv", "--index", str(index_settings.index_dir))
    assert r.stdout.splitlines()[0].startswith("id,") or "kind" in r.stdout.splitlines()[0]


def test_missing_index_is_one_line_not_a_traceback(tmp_path):
    r = run("search", "anything", "--index", str(tmp_path / "none"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "qa index" in r.stderr


def test_env_var_sets_the_index_and_flag_wins(index_settings, tmp_path):
    env = {"QA_INDEX_DIR": str(index_settings.index_dir)}
    assert run("search", "Rain Plan", "-k", "1", env=env).returncode == 0
    r = run("search", "Rain Plan", "-k", "1", "--index", str(tmp_path / "none"), env=env)
    assert r.returncode == 1  # the flag beats QA_INDEX_DIR


def test_settings_precedence(monkeypatch, tmp_path):
    from qa.settings import get_settings

    monkeypatch.setenv("QA_TOP_K", "3")
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "env"))
    s = get_settings()
    assert s.top_k == 3 and s.index_dir == (tmp_path / "env")
    s = get_settings(index_dir=tmp_path / "flag", top_k=None)
    assert s.index_dir == tmp_path / "flag" and s.top_k == 3
    monkeypatch.delenv("QA_TOP_K")
    assert get_settings().top_k == 8
    assert Path(get_settings(index_dir="rel").index_dir).is_absolute()


@pytest.mark.parametrize("args", [["search", "x", "--mode", "nope"], ["facts", "--format", "xml"]])
def test_bad_flags_are_one_line_errors(index_settings, args):
    r = run(*args, "--index", str(index_settings.index_dir))
    assert r.returncode != 0 and "Traceback" not in r.stderr
