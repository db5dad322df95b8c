"""What a question quotes besides its words: figures with an analyst's scale suffix ("85.5m", "1.2bn"),
written out so that they read whole; the scale and currency words of a quoted figure, which say nothing of
what is asked; currency names, which are units, not names of places or bodies."""

from __future__ import annotations

import re

# A figure the question quotes, with its scale and currency ("of the 987.17 million yuan"): an operand or
# an anchor, whose words ("million", "yuan") say nothing of what is asked
QUOTED_FIGURE = re.compile(r"\b\d[\d,]*(?:\.\d+)?\s*(?:(?:million|billion|thousand|hundred)\b\s*)?"
                           r"(?:(?:yuan|rmb|dollars?|usd)\b)?", re.I)


# "85.5m", "1.2bn", "30 mln": an analyst's scale suffixes, written out so that the number reads whole
NUMBER_SUFFIX = re.compile(r"\b(\d+(?:[.,]\d+)*)(?:(m|bn|k)|\s?(mn|mln|bln))\b", re.I)
_SCALES = {"m": "million", "mn": "million", "mln": "million", "bn": "billion", "bln": "billion", "k": "thousand"}


def written_out(question: str) -> str:
    """The question with scale suffixes written out ("85.5m" -> "85.5 million")."""
    return NUMBER_SUFFIX.sub(lambda m: f"{m.group(1)} {_SCALES[(m.group(2) or m.group(3)).lower()]}", question)


CURRENCY_NAMES = frozenset({"us", "usd", "rmb", "cny", "yuan", "dollar", "dollars"})  # a unit, not a name


def quotes(value: float, numbers) -> bool:
    """``value`` is one of ``numbers`` (figures a question quotes), to the float noise of scaling."""
    return any(abs(value - n) <= 1e-6 * max(1.0, abs(value), abs(n)) for n in numbers)
