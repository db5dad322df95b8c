"""Word vectors made at index time (``qa.index.wordvecs``): the same bits as encoding the words on
the fly with the query encoder, written incrementally (a new report's new words only), and read
by the answerer without running the encoder.

Real model: the session's series index, copied, then one report added.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.answer.features import word_vectors
from qa.index.build import build_index
from qa.index.load import load_index
from qa.index.wordvecs import WORD_VECTORS, WORDS, document_words, load_word_vectors
from qa.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
NEW_REPORT = "hebei-2009"


@pytest.fixture(scope="module")
def grown(series_settings, tmp_path_factory):
    """The series index copied (its build as the previous one), and a build adding one report."""
    base = tmp_path_factory.mktemp("words")
    corpus = base / "corpus"
    shutil.copytree(series_settings.corpus_dir, corpus)
    first = base / "index.builds" / "20000101T000000000000"  # older than the builds to come
    shutil.copytree(series_settings.index_dir.resolve(), first)
    (base / "index").symlink_to(first)
    for ext in (".txt", ".json"):
        shutil.copy(ROOT / "eval" / "series" / "corpus" / f"{NEW_REPORT}{ext}", corpus)
    s = get_settings(corpus_dir=corpus, index_dir=base / "index", data_dir=base / "data")
    rep = build_index(s, progress=False)
    return s, first, rep


def test_every_content_word_is_stored_with_the_vector_the_query_encoder_gives(series_index):
    stored = load_word_vectors(series_index.path)
    assert stored is not None and series_index.word_vectors is not None
    for d in series_index.documents.values():
        ps = [p for p in series_index.passages if p.doc == d.id]
        assert document_words(d.text, (p.section for p in ps), ()) <= set(stored.row)
    assert document_words("", (), (t for _, t in series_index.fact_ids)) <= set(stored.row)
    enc = series_index.retriever.encoder
    sample = stored.words[:: max(1, len(stored) // 40)]
    # One word at a time and in one batch of the sample: the same bits as stored (the build batched
    # them otherwise, with more threads).
    alone = np.vstack([enc.encode([w]) for w in sample])
    together = enc.encode(sample)
    got = np.vstack([stored.get(w) for w in sample])
    assert np.array_equal(got, alone) and np.array_equal(got, together)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_adding_a_report_encodes_only_its_new_words(grown):
    s, first, rep = grown
    assert rep.incremental and rep.parsed == 1
    before = load_word_vectors(first)
    after = load_word_vectors(s.index_dir.resolve())
    m = json.loads((s.index_dir / "manifest.json").read_text())
    idx = load_index(s.index_dir, s.model)
    doc = idx.documents[NEW_REPORT]
    contexts = [idx.fact_context[f.id] for f in idx.facts_of_document(NEW_REPORT) if f.id in idx.fact_context]
    sections = [p.section for p in idx.passages if p.doc == NEW_REPORT]
    new = set(after.words) - set(before.words)
    assert new and new == document_words(doc.text, sections, contexts) - set(before.words)
    assert m["build"]["embedded_words"] == len(new) == len(after) - len(before)
    assert m["counts"]["words"] == len(after)
    assert m["files"]["word_vectors"] == WORD_VECTORS
    # The previous rows are kept as they were, in their order; the new ones appended.
    assert after.words[: len(before)] == before.words
    assert np.array_equal(np.asarray(after.vectors[: len(before)]), np.asarray(before.vectors))
    enc = idx.retriever.encoder
    added = after.words[len(before):]
    assert np.array_equal(np.vstack([after.get(w) for w in added]), enc.encode(added))


def test_a_build_with_nothing_new_shares_the_previous_word_files(grown):
    s, _first, _rep = grown
    prev = s.index_dir.resolve()
    build_index(s, progress=False)
    cur = s.index_dir.resolve()
    assert cur != prev
    for name in (WORDS, WORD_VECTORS):
        assert (cur / name).samefile(prev / name)
    assert json.loads((s.index_dir / "manifest.json").read_text())["build"]["embedded_words"] == 0


def test_the_answerer_reads_stored_words_and_encodes_only_the_others(series_index, monkeypatch):
    idx = load_index(series_index.path, series_index.manifest["model"])
    stored = idx.word_vectors
    calls: list[list[str]] = []
    real = idx.retriever.encoder.encode
    monkeypatch.setattr(idx.retriever.encoder, "encode", lambda ws: calls.append(list(ws)) or real(ws))
    known = stored.words[:50]
    got = word_vectors(idx, set(known))
    assert calls == [] and all(np.array_equal(got[w], stored.get(w)) for w in known)
    got = word_vectors(idx, {"zyxwvut", known[0]})
    assert calls == [["zyxwvut"]] and np.array_equal(got["zyxwvut"], real(["zyxwvut"])[0])
    word_vectors(idx, {"zyxwvut"})
    assert len(calls) == 1  # kept for the index's life


def test_an_index_without_word_files_still_answers_by_encoding(series_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(series_index.path, copy)
    for name in (WORDS, WORD_VECTORS):
        (copy / name).unlink()
    m = json.loads((copy / "manifest.json").read_text())
    m["files"] = {k: v for k, v in m["files"].items() if v not in (WORDS, WORD_VECTORS)}
    (copy / "manifest.json").write_text(json.dumps(m))
    idx = load_index(copy, series_index.manifest["model"])
    assert idx.word_vectors is None
    words = set(series_index.word_vectors.words[:20])
    got = word_vectors(idx, words)
    assert all(np.array_equal(got[w], series_index.word_vectors.get(w)) for w in words)
