"""Number, unit and qualifier normalization for the fact extractor.

``normalize_number("350 million Yuan") == (350000000, "yuan")``. Values are computed with
``Decimal`` so that "24.0506 million" gives exactly 24050600 (a float product gives
24050600.000000004).

Number words. The yearbook writes only small counts as words ("eight old revolutionary base
counties", "four categories", "ten banners"), never compound figures like "three hundred and
forty". A 28-word table covers every word-number in the seed and fictional reports (19 gold
count/duration facts are written in words; all are read correctly). The extractor reads them
lowercase anywhere and capitalized only first in a sentence ("Seven ethnic groups ..."), so
ordinals ("First, ...", "the sixth") and names ("Three Gorges") are left alone.
``number-parser`` / ``word2number`` would add a dependency for a handful of words;
they were not installed, so no comparison against them was measured.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from qa.text.lexicon import PEOPLE_NOUNS

WORD_NUMBERS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100,
}  # fmt: skip
SCALES: dict[str, int] = {
    "thousand": 1_000,
    "ten thousand": 10_000,
    "million": 1_000_000,
    "hundred million": 100_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
QUALIFIERS = (
    "more than", "less than", "no less than", "not less than", "at least", "up to", "about",
    "around", "approximately", "nearly", "almost", "over", "above", "some",
)  # fmt: skip

_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
WORD_NUM_PATTERN = (
    rf"(?:(?:{_TENS})-(?:{_UNITS})|{_TENS}|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
    rf"|seventeen|eighteen|nineteen|ten|{_UNITS})"
)
DIGIT_PATTERN = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
SCALE_PATTERN = r"(?:ten thousand|hundred million|thousand|million|billion|trillion)"

# Units: surface form -> normalized unit. Longest forms first when building the regex.
AREA_UNITS: dict[str, str] = {
    "square kilometers": "km²", "square kilometres": "km²", "square km": "km²", "sq km": "km²",
    "km²": "km²", "km2": "km²", "hectares": "hectares", "hectare": "hectares", "mu": "mu",
    "acres": "acres", "square meters": "m²", "square metres": "m²", "ha": "hectares",
}  # fmt: skip
CURRENCY_WORDS = ("yuan", "rmb", "¥")
PERCENT_WORDS = ("%", "percent", "per cent", "percentage points")
_IRREGULAR = {"people": "people", "staff": "staff", "personnel": "personnel", "children": "children"}

_NUM_RE = re.compile(
    rf"(?P<num>{DIGIT_PATTERN}|{WORD_NUM_PATTERN})(?:\s*(?:-|–|to)\s*(?P<num2>{DIGIT_PATTERN}))?"
    rf"(?:\s+(?P<scale>{SCALE_PATTERN}))?",
    re.IGNORECASE,
)


def to_number(token: str) -> Decimal | None:
    """'1,183,000' -> 1183000, '24.0506' -> 24.0506, 'eight' -> 8, 'twenty-five' -> 25."""
    t = token.strip().lower()
    if t in WORD_NUMBERS:
        return Decimal(WORD_NUMBERS[t])
    if "-" in t:
        a, _, b = t.partition("-")
        if a in WORD_NUMBERS and b in WORD_NUMBERS:
            return Decimal(WORD_NUMBERS[a] + WORD_NUMBERS[b])
    try:
        return Decimal(t.replace(",", ""))
    except InvalidOperation:
        return None


def as_plain(d: Decimal) -> int | float:
    """Integral decimals become ints, others floats (JSON and SQLite friendly)."""
    return int(d) if d == d.to_integral_value() else float(d)


def scale_value(d: Decimal, scale: str | None) -> Decimal:
    if not scale:
        return d
    return d * SCALES[" ".join(scale.lower().split())]


def unit_of_noun(noun: str) -> str:
    """Head noun of a measure -> unit: 'cadres' -> 'people', 'Gacha villages' -> 'villages'."""
    w = noun.lower().strip(" ,.;:’'")
    w = w.split()[-1] if w.split() else w
    if w in PEOPLE_NOUNS:
        return "people"
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w.endswith("ies") and len(w) > 4:
        return w
    if not w.endswith("s") and w not in ("mu",):
        # singular head ("1 project", "each county"): pluralize for a stable unit name
        if w.endswith("y") and w[-2:-1] not in "aeiou":
            return w[:-1] + "ies"
        return w + "s" if w else w
    return w


def split_qualifier(text: str) -> tuple[str, str]:
    """('more than 300 million Yuan') -> ('more than', '300 million Yuan')."""
    low = text.lower().lstrip()
    for q in sorted(QUALIFIERS, key=len, reverse=True):
        if low.startswith(q + " "):
            return q, text.lstrip()[len(q) + 1 :]
    return "", text


def normalize_number(text: str) -> tuple[int | float | None, str]:
    """Value and unit of a figure as written.

    '350 million Yuan' -> (350000000, 'yuan'); 'RMB 45.6 million' -> (45600000, 'yuan');
    '54.9%' -> (54.9, '%'); '1,183,000 square kilometers' -> (1183000, 'km²');
    '31,000 people' -> (31000, 'people'); 'eight' -> (8, ''); 'more than 300' -> (300, '');
    a range '20-30 million' gives its lower bound (20000000). No number -> (None, '').
    """
    _, rest = split_qualifier(text)
    s = rest.strip()
    unit = ""
    low = s.lower()
    for cur in ("rmb", "yuan", "¥"):
        if low.startswith(cur):
            unit = "yuan"
            s = s[len(cur) :].strip()
            break
    m = _NUM_RE.search(s)
    if not m:
        return None, unit
    d = to_number(m.group("num"))
    if d is None:
        return None, unit
    d = scale_value(d, m.group("scale"))
    tail = s[m.end() :].strip()
    tl = tail.lower()
    if not unit:
        if tl.startswith(PERCENT_WORDS):
            unit = "%"
        elif tl.startswith(CURRENCY_WORDS):
            unit = "yuan"
        else:
            for form in sorted(AREA_UNITS, key=len, reverse=True):
                if re.match(rf"{re.escape(form)}\b", tl) or tl.startswith(form + " ") or tl == form:
                    unit = AREA_UNITS[form]
                    break
            else:
                if tail:
                    unit = unit_of_noun(tail)
    return as_plain(d), unit
