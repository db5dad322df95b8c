"""The sentences of a passage, as spans, and the sentences before a given one: what scoring reads
around a figure. The spans come from the index when it holds them (``remember_spans``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache


# The sentence spans the index already holds: the build split every passage with the same
# ``split_sentences``, and running pysbd again on each passage a question reaches took a third of a
# cold answer at 1,000 reports. ``remember_spans`` installs a lookup for the index being answered
# from, (passage text, passage start) -> its spans or None; any other passage is split here.
def _no_spans(_text: str, _start: int) -> tuple[tuple[int, int], ...] | None:
    return None


_known_spans: Callable[[str, int], tuple[tuple[int, int], ...] | None] = _no_spans


def remember_spans(lookup: Callable[[str, int], tuple[tuple[int, int], ...] | None]) -> None:
    """Look passages' sentence spans up with ``lookup`` instead of splitting them again."""
    global _known_spans
    _known_spans = lookup
    sentence_spans.cache_clear()


@lru_cache(maxsize=4096)
def sentence_spans(passage_text: str, passage_start: int) -> tuple[tuple[int, int], ...]:
    known = _known_spans(passage_text, passage_start)
    if known is not None:
        return known
    from qa.corpus.passages import split_sentences

    return tuple(split_sentences(passage_text, passage_start))


def previous_sentences(passage_text: str, passage_start: int, sentence_start: int, n: int = 2) -> str:
    prev = [(a, b) for a, b in sentence_spans(passage_text, passage_start) if b <= sentence_start][-n:]
    return " ".join(passage_text[a - passage_start : b - passage_start] for a, b in prev)


def previous_sentence(passage_text: str, passage_start: int, sentence_start: int) -> str:
    prev = [(a, b) for a, b in sentence_spans(passage_text, passage_start) if b <= sentence_start]
    if not prev:
        return ""
    a, b = prev[-1]
    return passage_text[a - passage_start : b - passage_start]
