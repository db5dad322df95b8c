"""Embeddings of single words, made at index time: the answerer's ``near_cover`` compares a question
word with the words of each candidate figure's clause, as the model sees single words.

Encoding those words when a question first meets them put encoder work on the question's path (on
the seed, p50 23.2 ms against 13.3 ms with the words already encoded), so the build embeds every
content word (``qa.text.words.content_words``) of each new document's text, section titles and
figure contexts, with the same ONNX encoder that encodes questions: the same graph, text and
normalisation, and ONNX Runtime gives the same bits for a word whatever its batch
(tests/index/test_word_vectors.py). An incremental build encodes only the words the previous
build lacks and appends them; words of removed reports stay (harmless: a word's vector does not
depend on the corpus).

Two files beside the sentence vectors: ``words.json`` (the words, in row order) and ``words.npy``
(float32, one row per word), memory-mapped at load. Both are optional for loading: an index without
them (built before them, or queried with the int8 encoder, whose vectors differ) lets the answerer
encode the words it meets, as before.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from qa.text.words import content_words

WORDS = "words.json"
WORD_VECTORS = "words.npy"
FILES = {"words": WORDS, "word_vectors": WORD_VECTORS}


class WordVectors:
    """Word -> its vector (a row of the stored matrix)."""

    def __init__(self, words: list[str], vectors: np.ndarray) -> None:
        if len(words) != len(vectors):
            raise ValueError(f"{len(words)} words for {len(vectors)} vectors")
        self.words = words
        self.vectors = vectors
        self.row = {w: i for i, w in enumerate(words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.row

    def get(self, word: str) -> np.ndarray | None:
        i = self.row.get(word)
        return None if i is None else self.vectors[i]


def document_words(text: str, sections: Iterable[str], contexts: Iterable[str]) -> set[str]:
    """The content words the answerer may look up for one document: those of its text, its passages'
    section titles and its figures' contexts (the texts ``near_cover`` reads)."""
    out = content_words(text)
    for t in (*sections, *contexts):
        out |= content_words(t)
    return out


def load_word_vectors(folder: Path) -> WordVectors | None:
    """The build's stored word vectors, memory-mapped; None when the build has none."""
    words, vecs = folder / WORDS, folder / WORD_VECTORS
    if not (words.exists() and vecs.exists()):
        return None
    import orjson

    # A plain ndarray over the mapping: rows are read on use, and indexing one costs no memmap wrapper.
    return WordVectors(orjson.loads(words.read_bytes()), np.load(vecs, mmap_mode="r").view(np.ndarray))


def write_word_vectors(out: Path, previous: Path | None, wanted: set[str],
                       encode: Callable[[list[str]], np.ndarray] | None) -> int:
    """Write ``out``'s word files: the previous build's words and vectors (``previous``, a build
    folder, may have none) and the ``wanted`` words it lacks, encoded by ``encode`` (a list of
    texts -> their vectors). Returns how many words were encoded."""
    old = load_word_vectors(previous) if previous is not None else None
    have = old.row if old is not None else {}
    new = sorted(w for w in wanted if w not in have)
    if not new and old is not None:
        for name in FILES.values():  # builds are never written in place: share the previous files
            _link(previous / name, out / name)
        return 0
    if new and encode is None:
        raise ValueError("words to encode and no encoder")
    vecs = encode(new) if new else np.zeros((0, 0), np.float32)
    if old is not None and len(old):
        vecs = np.vstack([np.asarray(old.vectors), vecs]) if len(vecs) else np.asarray(old.vectors)
    words = (old.words if old is not None else []) + new
    (out / WORDS).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    np.save(out / WORD_VECTORS, np.ascontiguousarray(vecs, dtype=np.float32))
    return len(new)


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
