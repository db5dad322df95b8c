"""Index directory: build/load round trip, manifest checks, atomic builds, locking, retrieval."""

from __future__ import annotations

import json
import shutil
import threading

import pytest

from qa.index.build import BuildLockedError, build_index, build_lock
from qa.index.load import FORMAT_VERSION, IndexLoadError, load_index


def test_manifest_describes_the_build(qa_index, index_settings):
    m = qa_index.manifest
    assert m["format_version"] == FORMAT_VERSION
    assert m["model"] == "all-MiniLM-L6-v2" and m["dimension"] == 384
    assert m["counts"]["passages"] == len(qa_index.passages) > 10
    assert m["counts"]["facts"] == len(qa_index.facts) > 50
    assert m["documents"][0]["sha256"] and m["documents"][0]["region"] == "Inner Mongolia"
    assert m["chunking"]["max_tokens"] == 256 and m["built_at"]


def test_round_trip_keeps_passages_and_offsets(qa_index):
    for p in qa_index.passages:
        assert qa_index.documents[p.doc].text[p.start : p.end] == p.text
    assert qa_index.retriever.vindex.ntotal == len(qa_index.passages)


def test_bm25_document_frequencies_are_the_passages_holding_each_token(qa_index):
    # The answerer's IDF is read off the BM25 matrix: it must equal counting every passage's tokens.
    from qa.answer.score import Vocabulary

    df = qa_index.retriever.document_frequencies()
    counted = Vocabulary(qa_index.passages)
    assert df == counted.df and len(df) > 300
    assert Vocabulary(qa_index.passages, df).idf("herder") == counted.idf("herder")


def test_lazy_facts_by_passage_match_the_whole_table(qa_index):
    # Facts are read one report at a time on first need; in the same order as the whole table.
    by_passage: dict[str, list] = {}
    for f in qa_index.facts:
        by_passage.setdefault(f.passage_id, []).append(f)
    fresh = load_index(qa_index.path, "all-MiniLM-L6-v2")  # nothing read yet
    for p in qa_index.passages:
        assert fresh.facts_by_passage.get(p.id, []) == by_passage.get(p.id, [])
    assert fresh.facts_of_kind("person") == [f for f in qa_index.facts if f.kind == "person"]
    assert fresh.facts_by_passage.get("no-such-passage") == ()


def test_poverty_line_query_ranks_the_1800_yuan_passage_first(qa_index):
    p, h = qa_index.search("poverty line in pastoral areas", 3)[0]
    assert "1,800 Yuan" in p.text
    assert h.dense is not None and h.bm25 is not None


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("relocaton budget 2009?", "58 million Yuan"),
        ("Who chaired the plenary session of the leading group?", "Ren Yaping"),
        ("How many Rain Plan training bases were identified?", "Rain Plan"),
        ("cooperation with Beijing twinning counties", "18 twinning counties"),
        ("What share of the population lives in rural areas?", "54.9%"),
    ],
)
def test_hybrid_retrieval_finds_the_passage(qa_index, query, needle):
    top = [p.text for p, _ in qa_index.search(query, 3)]
    assert any(needle in t for t in top)


def test_modes_return_their_own_scores(qa_index):
    dense = qa_index.search("anti-poverty funds for training", 5, "dense")
    bm25 = qa_index.search("anti-poverty funds for training", 5, "bm25")
    assert all(h.bm25 is None and h.dense is not None for _, h in dense)
    assert all(h.dense is None and h.bm25 is not None for _, h in bm25)


def _copy(index_settings, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(index_settings.index_dir.resolve(), dst)
    return dst


def test_load_refuses_another_model(index_settings, tmp_path):
    with pytest.raises(IndexLoadError, match="run: qa index"):
        load_index(index_settings.index_dir, "sentence-transformers/all-mpnet-base-v2")


def test_load_refuses_another_format_version(index_settings, tmp_path):
    d = _copy(index_settings, tmp_path)
    m = json.loads((d / "manifest.json").read_text())
    m["format_version"] = 999
    (d / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexLoadError, match="format version"):
        load_index(d, index_settings.model)


@pytest.mark.parametrize("name", ["passages.jsonl", "vectors.faiss", "facts.sqlite3", "manifest.json"])
def test_missing_file_is_named(index_settings, tmp_path, name):
    d = _copy(index_settings, tmp_path)
    (d / name).unlink()
    with pytest.raises(IndexLoadError) as err:
        load_index(d, index_settings.model)
    assert name in str(err.value) and "qa index" in str(err.value)
    assert "\n" not in str(err.value)


def test_truncated_faiss_file_is_a_clear_error(index_settings, tmp_path):
    d = _copy(index_settings, tmp_path)
    data = (d / "vectors.faiss").read_bytes()
    (d / "vectors.faiss").write_bytes(data[: len(data) // 3])
    with pytest.raises(IndexLoadError, match="vectors.faiss"):
        load_index(d, index_settings.model)


def test_no_index_is_a_clear_error(tmp_path, index_settings):
    with pytest.raises(IndexLoadError, match="no index"):
        load_index(tmp_path / "nothing", index_settings.model)


def test_failed_build_leaves_the_old_index_intact(index_settings, tmp_path):
    from qa.settings import get_settings

    s = get_settings(corpus_dir=index_settings.corpus_dir, index_dir=tmp_path / "idx")
    build_index(s, progress=False)
    before = (s.index_dir / "manifest.json").read_text()
    for step in ("passages", "vectors", "facts"):
        with pytest.raises(RuntimeError, match="simulated"):
            build_index(s, progress=False, fail_after=step)
        assert (s.index_dir / "manifest.json").read_text() == before
        assert load_index(s.index_dir, s.model).passages
    leftovers = [p for p in (tmp_path / "idx.builds").iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def test_second_build_waits_for_or_fails_on_the_lock(tmp_path):
    target = tmp_path / "idx"
    release = threading.Event()
    held = threading.Event()

    def holder():
        with build_lock(target):
            held.set()
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    with pytest.raises(BuildLockedError, match="another `qa index`"), build_lock(target, wait=0.3):
        pass
    release.set()
    t.join()
    with build_lock(target, wait=0.3):
        pass


@pytest.mark.parametrize("name", ["passages.jsonl", "documents.json", "sentences.json", "vocab.json"])
def test_garbled_file_is_named(index_settings, tmp_path, name):
    d = _copy(index_settings, tmp_path)
    (d / name).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexLoadError) as err:
        load_index(d, index_settings.model)
    assert name in str(err.value) and "qa index" in str(err.value)
