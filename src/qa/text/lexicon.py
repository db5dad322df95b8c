"""The domain lexicon (``lexicon.toml`` beside this file), loaded once: word lists as data.

TOML because it is in the standard library (``tomllib``), allows comments beside each list, and a
non-programmer can extend a list without touching code.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).with_name("lexicon.toml")


@lru_cache(maxsize=1)
def raw() -> dict:
    """The parsed lexicon file."""
    with PATH.open("rb") as fh:
        return tomllib.load(fh)


def word_list(name: str) -> list[str]:
    """A list entry, whether written as one space-separated string or as a TOML array."""
    value = raw()[name]
    return value.split() if isinstance(value, str) else list(value)


QUESTION_WORDS = frozenset(word_list("question_words"))
MONEY_WORDS = frozenset(word_list("money_words"))
ACROSS_WORDS = frozenset(word_list("across_words"))
MEASURE_WORDS = frozenset(word_list("measure_words"))
GREATER_WORDS = tuple(word_list("greater_words"))
PEOPLE_NOUNS = frozenset(word_list("people_nouns"))
OFFICES = "|".join(raw()["offices"])
ORG_HEADS = frozenset(word_list("org_heads"))
PLACE_HEADS = tuple(word_list("place_heads"))
GEO_HEADS = tuple(word_list("geo_heads"))
EVENT_HEADS = frozenset(word_list("event_heads"))
UNIT_WORDS: dict[str, str] = dict(raw()["unit_words"])
CHANGE_WORDS = (raw()["synonyms"]["up"], raw()["synonyms"]["down"])
SYNONYM_GROUPS: list[str] = [*CHANGE_WORDS, *raw()["synonyms"]["groups"]]
TIERS = {"national": tuple(word_list("tier_national")), "provincial": tuple(word_list("tier_provincial"))}
LEAD_VERBS = frozenset(word_list("lead_verbs"))
CONTRASTS = tuple(frozenset(group.split()) for group in raw()["contrasts"])
WARM_QUESTIONS = tuple(raw()["service"]["warm_questions"])
ABBREVIATIONS: dict[str, str] = dict(raw().get("abbreviations", {}))
_SHORTHAND = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ABBREVIATIONS, key=len, reverse=True))) + r")\b",
                        re.I) if ABBREVIATIONS else None


def expand_shorthand(q: str) -> str:
    """The lexicon's shorthand written out ("ppl" -> "people", "hh" -> "households")."""
    return _SHORTHAND.sub(lambda m: ABBREVIATIONS[m.group(1).lower()], q) if _SHORTHAND else q
