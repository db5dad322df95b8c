"""Common English words embedded beside the exported encoder (``qa.index.common_words``): the same
bits as encoding each word alone, looked up by the answerer before it runs the encoder for a
question word no report uses, and never used with the int8 encoder (whose vectors differ).

Real model: the session's seed index, exported with ``QA_COMMON_WORDS`` words (tests/conftest.py)."""

from __future__ import annotations

import numpy as np

from qa.answer.features import word_vectors
from qa.index.common_words import VECTORS, WORDS, common_english_words, load_common_words
from qa.index.load import load_index
from qa.text.words import STOPWORDS


def test_the_list_is_the_most_frequent_plain_words():
    words = common_english_words(500)
    assert len(words) == 500 == len(set(words)) and words == common_english_words(500)
    assert all(w.isalpha() and w == w.lower() and w not in STOPWORDS for w in words)
    assert common_english_words(50) == words[:50] and common_english_words(0) == []
    assert {"money", "world", "question"} <= set(words)


def test_stored_common_words_are_the_bits_of_encoding_each_alone(qa_index):
    common = qa_index.common_words
    assert common is not None and len(common) > 100
    enc = qa_index.retriever.encoder
    picked = common.words[::17]
    for w in picked:
        assert np.array_equal(common.get(w), enc.encode([w])[0]), w
    assert np.array_equal(np.stack([common.get(w) for w in picked]), enc.encode(picked))


def test_a_question_word_no_report_uses_is_looked_up_not_encoded(qa_index):
    common, stored = qa_index.common_words, qa_index.word_vectors
    word = next(w for w in common.words if w not in stored)
    qa_index.derived.pop("answer.word_vectors", None)
    enc = qa_index.retriever.encoder
    runs = []
    encode = enc.encode
    enc.encode = lambda texts: runs.append(list(texts)) or encode(texts)
    try:
        got = word_vectors(qa_index, {word, "zqxjv"})
    finally:
        del enc.encode
    assert runs == [["zqxjv"]]  # only the word no list holds
    assert np.array_equal(got[word], encode([word])[0])
    qa_index.derived.pop("answer.word_vectors", None)


def test_no_common_words_without_the_files_or_with_the_int8_encoder(qa_index, tmp_path):
    import os
    import shutil

    from qa.index.quantize import FLOAT_DIR, INT8_DIR, write_int8

    assert load_common_words(tmp_path) is None
    (tmp_path / WORDS).write_text('["money"]')
    assert load_common_words(tmp_path) is None  # both files, or none
    (tmp_path / VECTORS).write_bytes(b"not a numpy file")
    damaged = load_common_words(tmp_path)  # only spares encoder runs: damaged, it holds no word
    assert damaged is not None and damaged.get("money") is None and len(damaged) == 0
    lazy = load_common_words(qa_index.path / "encoder")
    assert lazy._got is None and lazy.get("money") is not None and lazy._got is not None  # read when first asked
    assert (qa_index.path / FLOAT_DIR / VECTORS).exists()
    copy = tmp_path / "index"
    shutil.copytree(qa_index.path, copy, copy_function=os.link)
    write_int8(copy / FLOAT_DIR, copy / INT8_DIR)
    assert load_index(copy, qa_index.manifest["model"], encoder_int8=True).common_words is None
    assert load_index(copy, qa_index.manifest["model"]).common_words is not None
