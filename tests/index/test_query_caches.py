"""The query path's per-index caches give what the uncached code gives (issue 13, item 6: the
answer at 1,000 reports): one read of a report's facts, a report's IDF off the BM25 matrix, and
one typo correction and BM25 scoring per question text."""

from __future__ import annotations

import numpy as np

from qa.answer.score import Vocabulary
from qa.facts.store import load_facts
from qa.index.load import load_index
from qa.index.search import Memo
from qa.text.words import tokenize


def test_facts_of_a_report_are_read_once_and_equal_the_table(series_index):
    fresh = load_index(series_index.path, series_index.manifest["model"])
    for doc in fresh.documents:
        got = fresh.facts_of_document(doc)
        table = load_facts(fresh.facts_db, doc=doc)
        assert got == table and got
        # built without Fact's __init__ (qa.index.load.FactsByPassage._read): the same objects in every way
        assert [(hash(f), repr(f), f.to_dict()) for f in got] == [(hash(f), repr(f), f.to_dict()) for f in table]
        again = fresh.facts_of_document(doc)
        assert again == got and all(a is b for a, b in zip(again, got, strict=True))  # the same objects
        again.clear()  # a caller's list is its own: the cache keeps the facts
        assert fresh.facts_of_document(doc) == got
    # The passages' facts are the same objects as the report's: one read served both.
    doc = next(iter(fresh.documents))
    pid = fresh.facts_of_document(doc)[0].passage_id
    assert fresh.facts_by_passage[pid][0] is fresh.facts_of_document(doc)[0]


def test_a_reports_document_frequencies_equal_counting_its_passages(series_index):
    r = series_index.retriever
    assert len(series_index.documents) > 2
    for doc in series_index.documents:
        rows = series_index.passages_of(doc)
        df = r.document_frequencies(rows)
        assert df == Vocabulary([series_index.passages[i] for i in rows]).df and df
    assert r.document_frequencies(()) == {}
    whole = tuple(range(len(series_index.passages)))
    assert r.document_frequencies(whole) == r.document_frequencies()


def test_memo_is_a_bounded_lru():
    m = Memo(2)
    assert m.get("a") is None and m.put("a", 1) == 1
    m.put("b", 2)
    assert m.get("a") == 1  # "a" is now the most recent
    m.put("c", 3)
    assert m.get("b") is None and m.get("a") == 1 and m.get("c") == 3


def test_cached_correction_and_bm25_scores_equal_fresh_ones(series_index):
    r = series_index.retriever
    q = "How many poor peple were relocaton in 2012"
    first = (r.correct(q), r.sparse(r.correct(q), 50))
    assert r._memo.get(("correct", q, frozenset(), True)) == first[0]
    assert r.correct(q) == first[0] == r._correct(q, frozenset(), True)
    assert first[0] != q.lower()  # the typos were corrected
    scores = r._memo.get(("bm25", first[0]))
    assert isinstance(scores, np.ndarray)
    toks = [t for t in tokenize(first[0]) if t in r._bm25_vocab]
    assert np.array_equal(scores, r.bm25.get_scores(toks))
    assert r.sparse(first[0], 50) == first[1]
    assert r.sparse("zzqx", 5) == [] and r.sparse("zzqx", 5) == []  # no known token: nothing, also cached
