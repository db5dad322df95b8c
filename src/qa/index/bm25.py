"""Query-time reader of the BM25 index ``bm25s`` saves, without importing ``bm25s``.

``import bm25s`` imports ``scipy.sparse`` (~0.2 s, a tenth of a server's cold start at 1,000
reports) although scoring a query needs only the saved CSC arrays: for each query token, its
column's precomputed scores are added to its passages' totals. ``get_scores`` is bm25s's own
computation for the methods that need no non-occurrence array (the project builds "lucene"), in the
same order and dtype, so the scores are equal to the last bit (tests/index/test_bm25_reader.py);
for any other method ``load`` returns bm25s's own object.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

NEEDS_NONOCCURRENCE = {"bm25l", "bm25+"}  # bm25s: these add a score for tokens a passage lacks


class LeanBM25:
    """The parts of ``bm25s.BM25`` the query path uses: ``scores``, ``vocab_dict``, ``get_scores``."""

    def __init__(self, scores: dict, vocab_dict: dict[str, int], dtype: str, int_dtype: str) -> None:
        self.scores = scores
        self.vocab_dict = vocab_dict
        self.dtype = dtype
        self.int_dtype = int_dtype

    def get_scores(self, query_tokens: list[str]) -> np.ndarray:
        """The BM25 score of every passage for ``query_tokens`` (tokens outside the vocabulary count 0)."""
        ids = np.asarray([self.vocab_dict[t] for t in query_tokens if t in self.vocab_dict],
                         dtype=np.dtype(self.int_dtype))
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        if int(ids.max(initial=0)) >= len(indptr) - 1:
            raise ValueError("a query token id is beyond the BM25 index's vocabulary")
        starts, ends = indptr[ids], indptr[ids + 1]
        out = np.zeros(self.scores["num_docs"], dtype=np.dtype(self.dtype))
        for i in range(len(ids)):
            np.add.at(out, indices[starts[i]:ends[i]], data[starts[i]:ends[i]])
        return out


def load_bm25(folder: Path):
    """The BM25 index saved in ``folder`` by ``bm25s.BM25.save``."""
    folder = Path(folder)
    params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
    if params.get("method", "lucene") in NEEDS_NONOCCURRENCE:
        import bm25s

        return bm25s.BM25.load(str(folder), load_corpus=False)
    vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
    scores = {name: np.load(folder / f"{name}.csc.index.npy") for name in ("data", "indices", "indptr")}
    scores["num_docs"] = params["num_docs"]
    return LeanBM25(scores, vocab, params.get("dtype", "float32"), params.get("int_dtype", "int32"))
