"""Words, stems and stop words: the one tokenizer every stage shares (BM25, question analysis,
scoring). Snowball stems come from ``PyStemmer``; ``pyspellchecker``'s English word list tells a
real English word from a typo.
"""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    "a an and are as at be been but by did do does for from had has have how in into is it its of on or "
    "that the their them there these they this those to was were what when where which who whom why will "
    "with about much many report say says said tell me please give during after before since until within "
    "under through via now then also so all any some can could would should may might our your we you i "
    "he she his her one ones "
    "go goes went gone get gets got make makes made take takes took give gives gave come came has have had".split()
)


WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(text)]


def content_words(text: str) -> set[str]:
    """The words of ``text`` that carry meaning on their own: no stop words, none under three letters
    (the words whose embeddings the answerer compares, and the index stores)."""
    return {w for w in words(text) if w not in STOPWORDS and len(w) > 2}


def tokenize(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


@lru_cache(maxsize=1)
def _english():
    # pyspellchecker ships an English word-frequency list (no download); loaded on first need.
    from spellchecker import SpellChecker

    return SpellChecker(distance=1)


def is_english_word(word: str) -> bool:
    return word in _english()


def english_correction(word: str) -> str | None:
    """The English word one edit away from ``word`` ("lenght" -> "length"), or None: a typo of a word
    the report does not use is still a typo."""
    fixed = _english().correction(word)
    return fixed if fixed and fixed != word else None


def word_set(text: str) -> set[str]:
    """A word list written as one space-separated string, as a set."""
    return set(text.split())
