"""Vectors of common English words, made once when the encoder is exported (``qa.index.export``).

The answerer compares a question's words with the words of each candidate figure, as the model
embeds single words (``qa.answer.features.near_cover``). The index stores the vectors of its
reports' own words (``qa.index.wordvecs``); a question word no report uses ("earmarked",
"headcount", "treasury": one question in five of the series benchmark) was encoded while the
question was answered, in an ONNX run of its own (~5-8 ms at 1,000 reports, where the model's
weights have left the CPU caches between runs). The encoder folder therefore also holds the
vectors of the ``COUNT`` most frequent words of pyspellchecker's English list (the list the
typo correction already reads): ~18 s once per full build on two shared cores, 46 MB, memory-mapped
at load. ONNX Runtime gives a text the same bits whatever its batch, padding and thread count, so a
stored vector is exactly the one the answerer would have computed: answers do not change, only when
the encoding happens. ``QA_COMMON_WORDS=N`` sets how many (0: none; the test suite's many small
builds use a few hundred). An index exported without them answers as before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from threading import Lock

import numpy as np

from qa.index.wordvecs import WordVectors
from qa.text.words import STOPWORDS, WORD_RE

COUNT = 30_000
WORDS = "common_words.json"
VECTORS = "common_words.npy"


def common_count() -> int:
    """How many words to store (``QA_COMMON_WORDS``, else ``COUNT``)."""
    raw = os.environ.get("QA_COMMON_WORDS", "").strip()
    return max(0, int(raw)) if raw else COUNT


def common_english_words(n: int) -> list[str]:
    """The ``n`` most frequent words of the English list that a question's words can be: runs of
    letters (``words`` yields nothing else), no stop words (never a question term)."""
    if n <= 0:
        return []
    from spellchecker import SpellChecker

    freq = SpellChecker(distance=1).word_frequency.dictionary
    ranked = sorted(((w, c) for w, c in freq.items() if w not in STOPWORDS and w.isalpha()
                     and WORD_RE.fullmatch(w)), key=lambda wc: (-wc[1], wc[0]))
    return [w for w, _c in ranked[:n]]


def write_common_words(encoder_dir: Path, n: int | None = None, batch: int = 64) -> int:
    """Encode the common words with the exported encoder in ``encoder_dir`` and store them there
    (words of similar length batched together: padding costs time, not bits). Returns how many."""
    from qa.index.encoder import OnnxEncoder

    words = common_english_words(common_count() if n is None else n)
    if not words:
        return 0
    enc = OnnxEncoder(encoder_dir, threads=0, spinning=False)
    lengths = enc.token_counts(words)
    order = sorted(range(len(words)), key=lambda i: (lengths[i], i))
    vecs = np.zeros((len(words), enc.dimension), np.float32)
    for k in range(0, len(order), batch):
        rows = order[k : k + batch]
        vecs[rows] = enc.encode([words[i] for i in rows])
    (encoder_dir / WORDS).write_text(json.dumps(words), encoding="utf-8")
    np.save(encoder_dir / VECTORS, vecs)
    return len(words)


def load_common_words(encoder_dir: Path) -> CommonWords | None:
    """The stored common words, read on first use (~25 ms: a start that never looks a word up does
    not pay it); None when the encoder folder has none."""
    words, vecs = encoder_dir / WORDS, encoder_dir / VECTORS
    if not (words.exists() and vecs.exists()):
        return None
    return CommonWords(words, vecs)


class CommonWords:
    """Word -> its vector, as ``WordVectors``, the files read when first asked (thread-safe)."""

    def __init__(self, words: Path, vectors: Path) -> None:
        self._files = (words, vectors)
        self._got: WordVectors | None = None
        self._lock = Lock()

    def _read(self) -> WordVectors:
        got = self._got
        if got is None:
            with self._lock:
                if self._got is None:
                    self._got = _read(*self._files)
                got = self._got
        return got

    @property
    def words(self) -> list[str]:
        return self._read().words

    def __len__(self) -> int:
        return len(self._read())

    def __contains__(self, word: object) -> bool:
        return word in self._read()

    def get(self, word: str) -> np.ndarray | None:
        return self._read().get(word)


def _read(words: Path, vectors: Path) -> WordVectors:
    """The two files as ``WordVectors``; none when they cannot be read: the common words only spare
    encoder runs, so a damaged copy means the words are encoded as asked, as without the files."""
    import orjson

    try:
        # A plain ndarray over the mapping: rows are read on use.
        return WordVectors(orjson.loads(words.read_bytes()), np.load(vectors, mmap_mode="r").view(np.ndarray))
    except Exception as exc:  # noqa: BLE001 - any damage: fall back to encoding
        import logging

        logging.getLogger(__name__).warning("%s: cannot be read (%s: %s); question words are encoded as asked",
                                            vectors, type(exc).__name__, str(exc)[:120])
        return WordVectors([], np.zeros((0, 0), np.float32))
