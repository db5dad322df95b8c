"""The ONNX query encoder gives the same embeddings as sentence-transformers (cosine within 1e-4)."""

from __future__ import annotations

import numpy as np
import pytest

TEXTS = [
    "What was the total population?",
    "population",
    "",
    "GDP growth in 2009 compared with 2008, in percent",
    "How many square kilometres does Inner Mongolia cover?",
    "Which city had the highest per-capita income?",
    "relocaton of herders (typo on purpose)",
    "1,183,000 km² — 24.0506 million people; 9.6% growth",
    "内蒙古自治区 2009 年国内生产总值",
    "L'économie de la région a progressé de 17 % en 2009.",
    "UPPER CASE QUESTION ABOUT COAL OUTPUT?",
    "   leading and trailing spaces   ",
    "emoji 📈 and symbols #@$%^&*()",
    "a",
    "And how did that change from the previous year?",
    "The autonomous region's grain output reached 19.81 million tons, up 10.5 percent.",
    "tab\tseparated\ttext\nwith newline",
    "What share of the electricity came from wind power, and how much capacity was installed?",
    # longer than max_seq_length word pieces: both paths must truncate the same way
    " ".join(f"sentence {i} about livestock, grain, coal and rare earth output." for i in range(60)),
    "Covering a total land area of 1,183,000 square kilometers, the region borders Mongolia and Russia.",
]


@pytest.fixture(scope="module")
def encoders(index_settings):
    from qa.index.encoder import OnnxEncoder
    from qa.index.export import load_sentence_transformer

    return OnnxEncoder(index_settings.index_dir / "encoder"), load_sentence_transformer(index_settings.model)


def test_onnx_matches_sentence_transformers(encoders):
    onnx, st = encoders
    want = st.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True, batch_size=8)
    got_one = np.stack([onnx.encode([t])[0] for t in TEXTS])  # the query path: one text at a time
    got_batch = onnx.encode(TEXTS)  # padded batch
    for got in (got_one, got_batch):
        assert got.shape == want.shape
        np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
        cos = np.sum(got * want, axis=1) / np.linalg.norm(want, axis=1)
        assert np.all(1 - cos <= 1e-4), {TEXTS[i][:40]: float(1 - cos[i]) for i in np.argsort(cos)[:3]}


def test_query_cache_returns_same_vector(encoders):
    onnx, _ = encoders
    a = onnx.encode_query("What was the total population?")
    b = onnx.encode_query("What was the total population?")
    assert a is b
    np.testing.assert_allclose(a, onnx.encode(["What was the total population?"])[0], atol=1e-6)
