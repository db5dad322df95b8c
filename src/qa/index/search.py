"""Hybrid passage retrieval: dense (FAISS over MiniLM embeddings) + sparse (BM25), fused by RRF.

BM25 comes from ``bm25s`` (maintained, sparse-matrix scoring, saves/loads its own files) with
the Snowball stemmer from ``PyStemmer``. Dense search catches paraphrases, BM25 catches exact
figures and names. Fusion is a convex combination of the BM25 score divided by the best BM25
score and the min-max-normalised cosine, ``bm25/max + 0.4 * dense``. Measured on the 143
answerable eval questions (hit@1 / hit@3): BM25 alone 89.5% / 97.9%, dense alone 66.4% / 87.4%,
reciprocal rank fusion (k=60) 83.2% / 96.5%, convex 90.9% / 98.6%: RRF lets the weaker dense
ranking drag good BM25 hits down, the score combination keeps BM25's confidence. ``fuse_rrf``
stays available (``fusion="rrf"``). Query words missing from the corpus vocabulary are corrected to the
closest vocabulary word with ``rapidfuzz`` so that typos ("relocaton") still reach BM25; words
that ``pyspellchecker``'s English list knows are left alone, so that a real word the report does
not use ("lifted", "unchanged") is not turned into one it does ("listed", "changed").
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

import numpy as np

from qa.text.words import STOPWORDS, WORD_RE, english_correction, is_english_word, stem, tokenize, words

RRF_K = 60


CONVEX_DENSE_WEIGHT = 0.4


# Build-time cache beside the index (not read by the query path): each passage's BM25 tokens and
# words, so that an incremental build tokenizes only the new passages.
TERMS_FILE = "bm25_terms.json"
EMPTY_TOKEN = "<empty>"  # stands for a passage with no token (bm25s wants at least one); no word is it


def passage_terms(text: str) -> list[str]:
    """``[tokens, words]`` of a passage's text, each space-joined: its BM25 tokens in order
    (``tokenize``) and its distinct words (for the typo-correction vocabulary)."""
    ws = words(text)
    return [" ".join(stem(w) for w in ws if w not in STOPWORDS), " ".join(sorted(set(ws)))]


def build_bm25(texts: list[str], out_dir: Path, terms: list[list[str] | None] | None = None) -> None:
    """BM25 and the vocabulary over ``texts``; ``terms`` holds each text's ``passage_terms`` when
    already known (from the previous build), None where it is to be computed."""
    import bm25s

    terms = [t if t is not None else passage_terms(x) for x, t in zip(texts, terms or [None] * len(texts),
                                                                         strict=True)]
    retriever = bm25s.BM25()
    retriever.index([t[0].split() or [EMPTY_TOKEN] for t in terms], show_progress=False)
    retriever.save(str(out_dir / "bm25"), show_progress=False)
    vocab = sorted({w for t in terms for w in t[1].split()})
    (out_dir / "vocab.json").write_text(json.dumps(vocab))
    import orjson

    (out_dir / TERMS_FILE).write_bytes(orjson.dumps(terms))  # 3.6 MB at 1,000 reports: json took 0.1 s


@dataclass
class Hit:
    passage_index: int
    score: float
    dense: float | None
    bm25: float | None
    dense_rank: int | None
    bm25_rank: int | None


class Retriever:
    """Dense, BM25 and hybrid search over one index's passages."""

    def __init__(self, vector_index, bm25, vocab: list[str], encoder, n: int) -> None:
        self.vindex = vector_index
        self.bm25 = bm25
        self.vocab = vocab
        self.vocab_set = frozenset(vocab)
        self.by_len: dict[int, list[str]] = {}
        for w in vocab:
            self.by_len.setdefault(len(w), []).append(w)
        self.encoder = encoder
        self.n = n
        self._bm25_vocab = set(getattr(bm25, "vocab_dict", {}) or {})
        self._flat = type(vector_index).__name__ in ("IndexFlat", "IndexFlatIP")  # exact: restrictable
        # A question searches once per report it asks (up to ~10 times): its typo correction and
        # BM25 scores over every passage are worked out once. Both depend only on the text.
        self._memo = Memo(256)

    @classmethod
    def load(cls, index_dir: Path, encoder, n: int) -> Retriever:
        import faiss

        from qa.index.bm25 import load_bm25
        from qa.index.vectors import prepare_for_search

        vindex = prepare_for_search(faiss.read_index(str(index_dir / "vectors.faiss")))
        bm25 = load_bm25(index_dir / "bm25")  # bm25s's files, read without importing bm25s (scipy)
        vocab = json.loads((index_dir / "vocab.json").read_text())
        return cls(vindex, bm25, vocab, encoder, n)

    def document_frequencies(self, rows: tuple[int, ...] | None = None) -> dict[str, int] | None:
        """BM25 token -> the number of passages holding it, read off the BM25 matrix (one column of
        nonzero scores per token: a BM25 score is > 0 wherever the token occurs), so that the
        answerer's IDF needs no second tokenization of every passage; with ``rows`` (passage
        indexes, e.g. one report's), counted over those passages only. None where this bm25s keeps
        its scores otherwise. tests/test_index.py checks both against counting the tokens."""
        try:
            indptr = np.asarray(self.bm25.scores["indptr"])
            vocab = self.bm25.vocab_dict
        except (AttributeError, KeyError, TypeError):
            return None
        if rows is None:
            counts = np.diff(indptr)
            return {t: int(counts[i]) for t, i in vocab.items()
                    if i < len(counts) and counts[i] > 0 and t != EMPTY_TOKEN}
        by_row = self._tokens_by_passage()
        if by_row is None:
            return None
        ptr, toks, names = by_row
        got = np.concatenate([toks[ptr[r]:ptr[r + 1]] for r in rows]) if rows else toks[:0]
        ids, counts = np.unique(got, return_counts=True)
        return {names[i]: int(c) for i, c in zip(ids.tolist(), counts.tolist(), strict=True)
                if names[i] != EMPTY_TOKEN}

    def _tokens_by_passage(self) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
        """The BM25 matrix by passage (row pointers, token ids, token names), built on first use
        (~10 ms at 1,000 reports): a report's own IDF is counted off its rows."""
        got = getattr(self, "_by_row", None)
        if got is None:
            try:
                indptr = np.asarray(self.bm25.scores["indptr"])
                indices = np.asarray(self.bm25.scores["indices"])
                vocab = self.bm25.vocab_dict
            except (AttributeError, KeyError, TypeError):
                return None
            tok = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
            order = np.argsort(indices, kind="stable")
            ptr = np.searchsorted(indices[order], np.arange(self.n + 1))
            names = [""] * (len(indptr) - 1)
            for t, i in vocab.items():
                if i < len(names):
                    names[i] = t
            got = self._by_row = (ptr, tok[order], names)
        return got

    def correct(self, query: str, keep: frozenset[str] = frozenset(), english: bool = True) -> str:
        """Replace out-of-vocabulary words with their closest corpus word (typo tolerance);
        words in ``keep`` (the question's own function words) are left alone. With ``english``, a
        lower-case word no corpus word is close to takes the closest English word ("lenght")."""
        got = self._memo.get(("correct", query, keep, english))
        if got is None:
            got = self._memo.put(("correct", query, keep, english), self._correct(query, keep, english))
        return got

    def _correct(self, query: str, keep: frozenset[str], english: bool) -> str:
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        out = []
        for i, token in enumerate(WORD_RE.findall(query)):
            w = token.lower()
            if len(w) < 4 or w in self.vocab_set or w.isdigit() or w in keep or w in STOPWORDS:
                out.append(w)
                continue
            if is_english_word(w):
                out.append(w)  # a real word the report lacks ("unchanged", "lifted"), not a typo
                continue
            # Damerau-Levenshtein counts a swap ("povrety") as one edit; allow one edit in short
            # words, two in long ones, so that real words stay themselves.
            max_edits = 1 if len(w) < 8 else 2
            pool = [c for k in range(len(w) - max_edits, len(w) + max_edits + 1) for c in self.by_len.get(k, ())]
            best = process.extractOne(w, pool, scorer=DamerauLevenshtein.distance, score_cutoff=max_edits)
            # a capitalised word the report lacks is a name ("Ningxia" in a report on Hexi), not a typo
            fallback = english_correction(w) if english and (i == 0 or token[:1].islower()) else None
            out.append(best[0] if best else (fallback or w))
        return " ".join(out)

    def dense(self, query: str, k: int, within: np.ndarray | None = None,
              n: int | None = None) -> list[tuple[int, float]]:
        """The top ``k`` passages by cosine; with ``within`` (a mask over passages), only those of
        them, the first ``n``: filtered in numpy, so that a deep search for one report of a
        1,000-report index does not build thousands of pairs to keep a few."""
        vec = self.encoder.encode_query(query)[None, :]
        k = min(k, self.n)
        if within is not None and k >= self.n and self._flat:
            # Every passage would be ranked: an exact index ranks only the kept ones instead (the same
            # scores and order, ties by id, at a fraction of the cost; checked on a 1,000-report series
            # with repeated passages).
            import faiss

            kept = np.flatnonzero(within).astype(np.int64)
            top = min(len(kept), n if n is not None else len(kept))
            if top == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(len(kept), faiss.swig_ptr(kept)))
            scores, ids = self.vindex.search(vec, top, params=params)
            return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
        scores, ids = self.vindex.search(vec, k)
        ids, scores = ids[0], scores[0]
        ok = ids >= 0
        if within is not None:
            ok &= within[np.where(ok, ids, 0)]
        return [(int(ids[j]), float(scores[j])) for j in np.flatnonzero(ok)[:n]]

    def sparse(self, query: str, k: int, within: np.ndarray | None = None,
               n: int | None = None) -> list[tuple[int, float]]:
        """The top ``k`` passages by BM25 (score > 0); with ``within``, only those, the first ``n``."""
        scores = self._memo.get(("bm25", query))
        if scores is None:
            toks = [t for t in tokenize(query) if t in self._bm25_vocab] if self._bm25_vocab else tokenize(query)
            # Kept for the question's next searches (one per report it asks): never written to.
            scores = self._memo.put(("bm25", query), self.bm25.get_scores(toks) if toks else False)
        if scores is False:
            return []
        k = min(k, self.n)
        if k >= len(scores):  # every passage ranked: rank only the ones that can be kept, in index order
            top = np.flatnonzero(within) if within is not None else np.arange(len(scores))
        else:
            top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        ok = scores[top] > 0
        if within is not None:
            ok &= within[top]
        return [(int(i), float(scores[i])) for i in top[ok][:n]]

    def search(self, query: str, k: int = 8, mode: str = "hybrid", pool: int = 50, fusion: str = "convex",
               within: frozenset[int] | None = None) -> list[Hit]:
        """Top ``k`` passages; with ``within`` (passage indexes, e.g. one report's), only those, ranked
        as if they were the whole index: each ranking is cut to them before fusion, so the scores
        are normalized over the same report's passages."""
        fixed = self.correct(query)
        mask = None
        depth = 0
        if within is not None:
            # Look deep enough that the report's own top ``pool`` (or ``k``) are in both rankings.
            share = max(1, len(within))
            depth = min(self.n, max(pool, k) * -(-self.n // share) * 2)
            mask = np.zeros(self.n, dtype=bool)
            mask[np.fromiter(within, dtype=np.int64, count=len(within))] = True
        if mode == "dense":
            got = self.dense(query, k) if within is None else self.dense(query, depth, mask, k)
            return [Hit(i, s, s, None, r, None) for r, (i, s) in enumerate(got)]
        if mode == "bm25":
            got = self.sparse(fixed, k) if within is None else self.sparse(fixed, depth, mask, k)
            return [Hit(i, s, None, s, None, r) for r, (i, s) in enumerate(got)]
        dense_q = query if fixed == query.lower() else fixed
        if within is None:
            dense, sparse = self.dense(dense_q, pool), self.sparse(fixed, pool)
        else:
            dense, sparse = self.dense(dense_q, depth, mask, pool), self.sparse(fixed, depth, mask, pool)
        return (fuse_rrf if fusion == "rrf" else fuse_convex)(dense, sparse)[:k]


class Memo:
    """A small thread-safe LRU map (``get`` -> None when absent; ``put`` returns the value)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            got = self._data.get(key)
            if got is not None:
                self._data.move_to_end(key)
            return got

    def put(self, key, value):
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value


def _merge(dense: list[tuple[int, float]], sparse: list[tuple[int, float]]) -> dict[int, Hit]:
    hits: dict[int, Hit] = {}
    for r, (i, s) in enumerate(dense):
        hits[i] = Hit(i, 0.0, s, None, r, None)
    for r, (i, s) in enumerate(sparse):
        h = hits.setdefault(i, Hit(i, 0.0, None, None, None, None))
        h.bm25, h.bm25_rank = s, r
    return hits


def fuse_convex(dense: list[tuple[int, float]], sparse: list[tuple[int, float]]) -> list[Hit]:
    """score = bm25 / max(bm25) + CONVEX_DENSE_WEIGHT * (cos - min cos) / (max cos - min cos)."""
    hits = _merge(dense, sparse)
    top_b = max((s for _, s in sparse), default=0.0) or 1.0
    cos = [s for _, s in dense]
    lo, hi = (min(cos), max(cos)) if cos else (0.0, 1.0)
    for h in hits.values():
        d = ((h.dense if h.dense is not None else lo) - lo) / (hi - lo) if hi > lo else 0.0
        h.score = (h.bm25 or 0.0) / top_b + CONVEX_DENSE_WEIGHT * d
    return sorted(hits.values(), key=lambda h: (-h.score, h.passage_index))


def fuse_rrf(dense: list[tuple[int, float]], sparse: list[tuple[int, float]]) -> list[Hit]:
    """Reciprocal rank fusion: score = sum of 1 / (RRF_K + rank) over the rankings."""
    hits = _merge(dense, sparse)
    for h in hits.values():
        for r in (h.dense_rank, h.bm25_rank):
            if r is not None:
                h.score += 1.0 / (RRF_K + r + 1)
    return sorted(hits.values(), key=lambda h: (-h.score, h.passage_index))

