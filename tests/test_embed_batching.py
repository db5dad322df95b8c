"""Micro-batched query encoding (used by the server) gives the same vectors as one-by-one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from qa.index.encoder import OnnxEncoder

QUESTIONS = [
    "How much was issued for entire village advancement in 2009?",
    "poverty line pastoral",
    "Who chaired the plenary session of the Leading Group for Poverty Alleviation and Development?",
    "How many Rain Plan training bases were identified?",
    "What share of the population is rural?",
    "relocaton budget",
    "Which three units did LGOP designate to help the poor counties of the region by building partnership?",
    "x",
]


def test_batched_equals_single(index_settings):
    folder = index_settings.index_dir / "encoder"
    single = OnnxEncoder(folder)
    expected = {q: single.encode([q])[0] for q in QUESTIONS}
    batched = OnnxEncoder(folder)
    batched.enable_batching(window_s=0.005)
    with ThreadPoolExecutor(8) as pool:
        got = dict(zip(QUESTIONS * 3, pool.map(batched.encode_query, QUESTIONS * 3), strict=True))
    for q in QUESTIONS:
        assert float(np.dot(got[q], expected[q])) > 1 - 1e-4, q
