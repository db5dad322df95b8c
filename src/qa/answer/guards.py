"""What a figure or a sentence must name to answer a question that restricts what it asks: the scope
("in its 25 key counties alone") and the kind of body ("which university"). Read after the ranker has
chosen, so that a sure pick of another scope's figure, or a sentence about another body, is declined.
"""

from __future__ import annotations

import re

from qa.answer.context import Context
from qa.answer.features import tiers
from qa.answer.question import Query
from qa.text.lexicon import ORG_HEADS, TIERS
from qa.text.words import STOPWORDS, stem, words

# "In Qinghai's 25 key counties alone, how many ...": a part of the whole the report covers is asked
ALONE = re.compile(r"\b(?:in|for|of|by|among|from)\s+((?:[\w'’-]+\s+){1,5}?)alone\b", re.I)


def scope_stated(q: Query, sentence: str, ctx: Context) -> bool:
    """False when the question restricts itself to a scope ("in Chongqing's Two Wing areas alone") whose
    words the figure's sentence lacks (the report's own region and years need not be repeated). The
    sentence, not the figure's own phrase: "covered by poverty reduction alone" is said in the sentence."""
    m = ALONE.search(q.question)
    if not m:
        return True
    region = {w for phrase in ctx.region_phrases.values() for w in words(phrase)}
    scope = {stem(w) for w in words(m.group(1).lower()) if w not in STOPWORDS and w not in region
             and not w.isdigit() and w not in ("s", "its", "their")}
    have = {stem(w) for w in words(sentence.lower())}
    return scope <= have


# "the per capita net income of all farmers in the province", "the region as a whole": the whole is asked
WHOLE_ASKED = re.compile(r"\b(?:all|whole|entire)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:farmers|people|residents|"
                         r"population|province|region|countryside)\b|\bas a whole\b|\b(?:province|region)-wide\b|"
                         r"\bacross the (?:whole |entire )?(?:province|region)\b", re.I)
# what only a part of a region is: its key counties or villages, its pilots, its contiguous poor areas
PART_SCOPE = re.compile(r"\bkey (?:counties|county|villages|village)\b|\bpilots?\b|\bcontiguous\b", re.I)


def whole_stated(q: Query, phrase: str) -> bool:
    """False when the question asks about the whole region ("all farmers in the province") and the figure's
    own phrase is of a part of it ("3,742 yuan in the national key counties")."""
    return not (WHOLE_ASKED.search(q.question) and PART_SCOPE.search(phrase) and not PART_SCOPE.search(q.question))


# "the central and provincial government allocated a total of 987.17 million Yuan": two tiers' joint figure.
# The tiers are the lexicon's, and the levels below the province it does not list.
_TIER = "|".join([re.escape(w) for ws in TIERS.values() for w in ws] + ["municipal", "county"])
JOINT_TIERS = re.compile(rf"\b({_TIER})\s+and\s+({_TIER})\b", re.I)


def joint_figure(q: Query, f) -> bool:
    """True when the question asks one tier's money ("the province's own allocation") and the figure is
    what two tiers gave together ("the central and provincial government allocated 987.17 million")."""
    if len(tiers(q.question)) != 1:
        return False
    before = f.sentence[: f.start - f.sentence_start]
    joined = [m for m in JOINT_TIERS.finditer(before) if tiers(m.group(1)) != tiers(m.group(2))]
    return bool(joined) and not re.search(r"\d", before[joined[-1].end():])


# "Which (central state-owned) enterprise ...": the kind of body asked, the noun before the verb
WHICH_HEAD = re.compile(r"^(?:and )?which (?:[\w-]+ ){0,3}?([a-z]+) (?:was|were|is|are|did|does|has|had|will|"
                        r"helped|helps|provided|gave)\b", re.I)
ORG_NOUNS = frozenset(w.lower().rstrip("s") for w in ORG_HEADS) - {"group", "government", "fund", "centre", "center"}


def body_named(question: str, sentence: str) -> bool:
    """False when a "which <kind of body>" question ("Which university ...?") meets a sentence that
    names no such body."""
    head = WHICH_HEAD.search(question)
    noun = head.group(1).lower().rstrip("s") if head else ""
    return not (noun in ORG_NOUNS and not re.search(rf"\b{noun}", sentence.lower()))
