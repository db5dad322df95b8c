"""The build embeds texts in batches of similar token length (``qa.index.build._encode``): every text
once, in its row, with the bits it gets alone; the batches bounded in size and padding."""

from __future__ import annotations

import random

import numpy as np

from qa.index.build import _encode, length_batches
from qa.index.encoder import OnnxEncoder
from qa.index.progress import BuildProgress


def test_length_batches_cover_every_text_once_with_little_padding():
    rng = random.Random(7)
    lengths = [rng.choice([5, 9, 12, 30, 31, 40, 157, 256]) + rng.randrange(4) for _ in range(300)]
    batches = length_batches(lengths, 16)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert 1 <= len(b) <= 16
        assert max(lengths[i] for i in b) <= min(lengths[i] for i in b) * 1.25 + 4
    # one long text among short ones gets its own batch instead of padding the others
    assert length_batches([30, 41, 37, 38, 157, 30, 26, 47], 16) == [[6, 0, 5], [2, 3, 1, 7], [4]]
    assert length_batches([], 16) == []


def test_encoded_in_batches_equals_encoded_alone(series_index):
    enc = OnnxEncoder(series_index.path / "encoder", threads=0, spinning=False)
    texts = [p.embed_text() for p in series_index.passages[:6]]
    texts += [series_index.documents[p.doc].text[a:b] for p in series_index.passages[:6]
              for a, b, _row in series_index.sentences_by_passage.get(p.id, [])[:3]]
    texts += ["poverty", "relocation of 1,200 households"]
    with BuildProgress(False) as bar:
        got = _encode(enc, texts, bar, "test", batch=4)
    alone = np.vstack([enc.encode([t]) for t in texts])
    assert np.array_equal(got, alone)
    assert enc.token_counts(["poverty", texts[0]])[0] == 3  # [CLS] poverty [SEP]
