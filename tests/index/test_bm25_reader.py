"""The query path reads bm25s's saved index itself (``qa.index.bm25``, no scipy import): its scores
must equal bm25s's own to the last bit, for any query."""

from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest

from qa.index.bm25 import LeanBM25, load_bm25
from qa.text.words import tokenize


@pytest.mark.parametrize("fixture", ["qa_index", "series_index"])
def test_lean_reader_scores_equal_bm25s(fixture, request):
    index = request.getfixturevalue(fixture)
    folder = index.path / "bm25"
    lean, real = load_bm25(folder), bm25s.BM25.load(str(folder), load_corpus=False)
    assert isinstance(lean, LeanBM25) and lean.vocab_dict == real.vocab_dict
    for name in ("data", "indices", "indptr", "num_docs"):
        assert np.array_equal(lean.scores[name], real.scores[name])
    n_cols = len(real.scores["indptr"]) - 1
    vocab = sorted(t for t, i in real.vocab_dict.items() if i < n_cols)
    for t in (t for t, i in real.vocab_dict.items() if i >= n_cols):  # bm25s's own placeholder: both refuse
        with pytest.raises(ValueError):
            real.get_scores([t])
        with pytest.raises(ValueError):
            lean.get_scores([t])
    rng = random.Random(7)
    queries = [rng.sample(vocab, rng.randint(1, 8)) for _ in range(200)]
    pov, line = tokenize("poverty line")
    queries += [[pov, line], [pov, pov, line], ["no-such-token", pov]]
    for toks in queries:
        got, want = lean.get_scores(toks), real.get_scores(toks)
        assert got.dtype == want.dtype and np.array_equal(got, want), toks
    assert (lean.get_scores([pov]) > 0).any()


def test_the_query_path_does_not_import_bm25s(qa_index):
    import subprocess
    import sys

    code = ("import sys; from qa.index.load import load_index; "
            f"i = load_index({str(qa_index.path)!r}, {qa_index.manifest['model']!r}); "
            "i.search('poverty line', 3); print(sorted(m for m in ('bm25s', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
