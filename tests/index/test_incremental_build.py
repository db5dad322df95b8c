"""Incremental ``qa index``: only new or changed files are parsed and embedded; the result answers
exactly like a full build of the same corpus; bad files are skipped and reported; ``qa add``.

Real model, real FAISS, real SQLite: one full build of four real series reports per module, then
incremental builds on top of it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.errors import CorpusError
from qa.index.build import build_index
from qa.index.load import load_index
from qa.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
SERIES = ROOT / "eval" / "series" / "corpus"
PAGES = ROOT / "tests" / "data" / "html"
REPORTS = ["hebei-2009", "qinghai-2010", "sichuan-2010", "yunnan-2009"]


def _questions(ids: list[str]) -> list[tuple[str, list[str]]]:
    out = []
    for rid in ids:
        lines = (ROOT / "eval" / "series" / "questions" / f"{rid}.jsonl").read_text(encoding="utf-8").splitlines()
        out += [(q["question"], q.get("history", [])) for q in map(json.loads, lines[:6])]
    return out


def _answers(index_dir: Path, model: str, questions) -> list[tuple]:
    from qa import ask

    idx = load_index(index_dir, model)
    out = []
    for q, history in questions:
        a = ask(idx, q, history)
        out.append((a.answered, a.answer, [(c.doc, c.start, c.end) for c in a.citations]))
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A corpus of four reports and its first (full) build."""
    base = tmp_path_factory.mktemp("incr")
    corpus = base / "corpus"
    corpus.mkdir()
    for rid in REPORTS:
        for ext in (".txt", ".json"):
            shutil.copy(SERIES / f"{rid}{ext}", corpus)
    s = get_settings(corpus_dir=corpus, index_dir=base / "index", data_dir=base / "data")
    rep = build_index(s, progress=False)
    return s, rep


def test_first_build_is_full_and_records_source_hashes(built):
    s, rep = built
    assert not rep.incremental and rep.parsed == 4 and rep.reused == 0
    assert rep.embedded == rep.passages > 0
    m = json.loads((s.index_dir / "manifest.json").read_text())
    assert m["pipeline"] and all(len(d["source_sha256"]) == 64 for d in m["documents"])
    assert {k: v for k, v in m["build"].items() if k != "seconds"} == {
        "incremental": False, "reused_documents": 0, "parsed_documents": 4, "embedded_passages": rep.passages,
        "embedded_words": m["counts"]["words"]}
    assert m["counts"]["words"] > 100
    assert set(m["build"]["seconds"]) >= {"scan", "encoder", "embed_and_facts", "bm25", "facts", "words"}


def test_unchanged_corpus_embeds_nothing(built):
    s, first = built
    before = load_index(s.index_dir, s.model)
    rep = build_index(s, progress=False)
    assert rep.incremental and rep.reused == 4 and rep.parsed == 0 and rep.embedded == 0
    after = load_index(s.index_dir, s.model)
    assert [p.id for p in after.passages] == [p.id for p in before.passages]
    assert sorted(f.id for f in after.facts) == sorted(f.id for f in before.facts)
    assert np.array_equal(after.retriever.vindex.reconstruct_n(0, len(after.passages)),
                          before.retriever.vindex.reconstruct_n(0, len(before.passages)))


def test_one_changed_file_embeds_only_its_passages_and_answers_like_a_full_build(built, tmp_path):
    s, _ = built
    path = s.corpus_dir / "qinghai-2010.txt"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace("793 million Yuan", "801 million Yuan"), encoding="utf-8")
        rep = build_index(s, progress=False)
        idx = load_index(s.index_dir, s.model)
        changed = [p for p in idx.passages if p.doc == "qinghai-2010"]
        assert rep.incremental and rep.parsed == 1 and rep.reused == 3
        assert rep.embedded == len(changed) < rep.passages
        assert any("801 million Yuan" in f.sentence for f in idx.facts if f.doc == "qinghai-2010")
        assert not any("793 million Yuan" in f.sentence for f in idx.facts)

        full = get_settings(corpus_dir=s.corpus_dir, index_dir=tmp_path / "full", data_dir=tmp_path / "data")
        full_rep = build_index(full, progress=False)
        assert full_rep.embedded == full_rep.passages == rep.passages
        ref = load_index(full.index_dir, full.model)
        assert [p.to_dict() for p in idx.passages] == [p.to_dict() for p in ref.passages]
        assert sorted(f.to_dict().items() for f in idx.facts) == sorted(f.to_dict().items() for f in ref.facts)
        # The changed report's passages were embedded by the ONNX export (the full build uses
        # sentence-transformers): the same vectors within float noise; the others are the same bytes.
        mine = idx.retriever.vindex.reconstruct_n(0, rep.passages)
        full_vecs = ref.retriever.vindex.reconstruct_n(0, rep.passages)
        assert (mine * full_vecs).sum(axis=1).min() > 0.99999
        same = [k for k, p in enumerate(idx.passages) if p.doc != "qinghai-2010"]
        assert np.array_equal(mine[same], full_vecs[same])
        assert np.allclose(idx.sentence_vectors, ref.sentence_vectors, atol=1e-5)
        assert [r[0] for r in idx.fact_ids] == [r[0] for r in ref.fact_ids]  # figure vectors, same rows
        assert np.allclose(idx.fact_vectors, ref.fact_vectors, atol=1e-5)
        qs = _questions(REPORTS) + [("How much did the state issue in financial anti-poverty funds to Qinghai?", [])]
        got = _answers(s.index_dir, s.model, qs)
        assert got == _answers(full.index_dir, full.model, qs)
        assert sum(answered for answered, *_ in got) >= len(qs) // 2  # real answers compared, not refusals
        assert any("801 million" in text for _, text, _ in got)
    finally:
        path.write_text(original, encoding="utf-8")


def test_removed_file_leaves_the_index_and_a_new_one_is_added(built):
    s, _ = built
    build_index(s, progress=False)  # the previous build matches the corpus as it is now
    moved = {ext: (s.corpus_dir / f"yunnan-2009{ext}").read_bytes() for ext in (".txt", ".json")}
    try:
        for ext in moved:
            (s.corpus_dir / f"yunnan-2009{ext}").unlink()
        shutil.copy(PAGES / "yunnan-2011-br.html", s.corpus_dir / "yunnan-2011.html")
        rep = build_index(s, progress=False)
        idx = load_index(s.index_dir, s.model)
        assert set(idx.documents) == {"hebei-2009", "qinghai-2010", "sichuan-2010", "yunnan-2011"}
        assert rep.parsed == 1 and rep.embedded == sum(p.doc == "yunnan-2011" for p in idx.passages)
        assert not any(f.doc == "yunnan-2009" for f in idx.facts)
        assert idx.documents["yunnan-2011"].meta["year"] == 2011
        hits = [p.doc for p, _ in idx.search("Yunnan poverty-stricken population 10.14 million incidence", 3)]
        assert hits[0] == "yunnan-2011"
    finally:
        (s.corpus_dir / "yunnan-2011.html").unlink()
        for ext, data in moved.items():
            (s.corpus_dir / f"yunnan-2009{ext}").write_bytes(data)


def test_bad_files_are_skipped_and_reported_and_the_rest_is_indexed(built):
    s, _ = built
    build_index(s, progress=False)
    bad = [s.corpus_dir / name for name in ("no-text.html", "not-html.html")]
    for f in bad:
        shutil.copy(PAGES / "bad" / f.name, f)
    try:
        rep = build_index(s, progress=False)
        assert rep.documents == 4 and rep.embedded == 0
        assert sorted(Path(p).name for p, _ in rep.skipped) == ["no-text.html", "not-html.html"]
        m = json.loads((s.index_dir / "manifest.json").read_text())
        assert {Path(x["path"]).name for x in m["skipped"]} == {"no-text.html", "not-html.html"}
        assert all(Path(x["path"]).name in x["reason"] for x in m["skipped"])
    finally:
        for f in bad:
            f.unlink()


def test_a_corpus_of_only_bad_files_is_a_clear_error(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(PAGES / "bad" / "not-html.html", corpus)
    s = get_settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    with pytest.raises(CorpusError, match="no document to index.*not-html.html"):
        build_index(s, progress=False)


def test_another_pipeline_means_a_full_build(built, tmp_path):
    s, _ = built
    # A build made by other code (its fingerprint differs) is not reused.
    copy = tmp_path / "index"
    shutil.copytree(s.index_dir.resolve(), copy)
    m = json.loads((copy / "manifest.json").read_text())
    m["pipeline"] = "another"
    (copy / "manifest.json").write_text(json.dumps(m))
    other = get_settings(corpus_dir=s.corpus_dir, index_dir=copy)
    from qa.index.incremental import load_previous, pipeline_fingerprint

    assert load_previous(copy, pipeline_fingerprint("all-MiniLM-L6-v2", other.max_passage_tokens)) is None
    current = json.loads((s.index_dir / "manifest.json").read_text())["pipeline"]
    assert current == pipeline_fingerprint("all-MiniLM-L6-v2", other.max_passage_tokens)
    assert load_previous(s.index_dir, current) is not None


def test_qa_add_adds_pages_refuses_bad_ones_and_updates_the_index(built):
    from typer.testing import CliRunner

    from qa.cli import app

    s, _ = built
    build_index(s, progress=False)
    args = ["--corpus", str(s.corpus_dir), "--index", str(s.index_dir), "--quiet"]
    try:
        res = CliRunner().invoke(app, ["add", str(PAGES / "bad" / "no-title.html"), str(PAGES / "hebei-2009-p.html"),
                                       *args])
        # hebei-2009 is already a .txt report of the corpus: refused with the reason, not a crash
        assert res.exit_code == 1
        assert "no-title.html" in res.output and "already has a report 'hebei-2009'" in res.output
        res = CliRunner().invoke(app, ["add", str(PAGES / "yunnan-2011-br.html"), *args])
        assert res.exit_code == 0, res.output
        assert "added yunnan-2011 (Yunnan, 2011)" in res.output
        assert "4 reused, 1 parsed" in res.output
        idx = load_index(s.index_dir, s.model)
        assert "yunnan-2011" in idx.documents
        assert (s.corpus_dir / "yunnan-2011.html").exists()
    finally:
        (s.corpus_dir / "yunnan-2011.html").unlink(missing_ok=True)
