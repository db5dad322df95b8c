"""Whether a figure is stated as a change ("reduced the rural poor by 600,000", "up 16.5%", "99 million
Yuan more than that of 2010") rather than as a level: read by the scorer and by the ranker's features."""

from __future__ import annotations

import re

CHANGE_BEFORE = re.compile(r"\b((?<!made )(?<!make )(?<!makes )(?<!making )up|down|by|increase[sd]?|decrease[sd]?|"
                           r"rose|grew|fell|dropped|declined|"
                           r"growth|rise|drop|decline|reduction)\b(?:\s+(?:of|by|to))?"
                           r"(?:\s+(?:at least|about|around|nearly|almost|over|more than|less than))?\s*$", re.I)
CHANGE_AFTER = re.compile(r"^\s*(?:%|percent|per cent)?\s*(?:more|less|fewer|higher|lower|increase|decrease|rise|"
                          r"growth)\b",
                          re.I)


def is_change(f) -> bool:
    """The figure is stated as a change ("reduced the rural poor by 600,000", "up 16.5%", "99 million
    Yuan more than"), not as a level."""
    a, b = f.start - f.sentence_start, f.end - f.sentence_start
    return bool(CHANGE_BEFORE.search(f.sentence[max(0, a - 40): a]) or CHANGE_AFTER.match(f.sentence[b: b + 60]))


# A word of growth or fall in a question ("by what percentage did it rise")
GROWTH_Q = re.compile(r"\b(grow|grew|grown|growth|rise|rose|risen|increas\w*|higher|fast|quickly|climb\w*|jump\w*|"
                      r"declin\w*|fall|fell|drop\w*|decreas\w*|lower|up|down)\b", re.I)
