"""Operands of a computed answer: the question split at its connective ("X and Y combined", "X than
Y"), each part's figures found like a question of its own (with the rest of the question as shared
context), and one figure per part chosen so that no two parts take the same figure.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.answer.changes import is_change
from qa.answer.question import YEAR_RE, Query, numbers_in, target_unit, weighted_terms
from qa.answer.quoted import quotes
from qa.answer.score import candidates
from qa.answer.thresholds import OPERAND_MIN
from qa.text.lexicon import CONTRASTS
from qa.text.words import stem, words

SPLITTERS = {
    "diff": [r"\bdifference between (?P<a>.+?) and (?P<b>.+)",
             # "how far behind the average were farmers in X": the gap's reference follows the preposition
             r"\b(?:ahead of|behind|short of)\s+(?P<b>.+?)\s+(?:were|was|are|is|did|do|does)\s+(?P<a>.+)",
             r"(?P<a>.+?)\b(?:trail\w*|lag\w*(?: behind)?|behind|ahead of|short of)\s+(?P<b>.+)",
             r"(?P<a>.+?)\b(?:than|compared (?:with|to)|over|versus|vs\.?)\b(?P<b>.+)"],
    "times": [r"(?P<a>.+?)\b(?:than|compared (?:with|to))\b(?P<b>.+)", r"(?P<a>.+?)\bwhat multiple of\b(?P<b>.+)",
              r"\btimes as (?:much|many|large|big|high) as\b(?P<b>.+)"],
    "compare": [r"^(?:of|between)\s+(?:the\s+)?(?P<a>.+?)\s+and\s+(?P<b>.+?),\s*which\b",
                # "Did A or B get more?", also after a dash or colon ("... allocations - did A or B get ...")
                r"(?:^|\s[-–—:]\s+)(?:did|does|was|were|is|are)\s+(?P<a>.+?)\s+or\s+(?P<b>.+?)\s+(?:receive|get|got|"
                r"have|had|spend|invest)",
                r":\s*(?P<a>.+?)\s+or\s+(?P<b>.+)",
                r",\s*(?P<a>.+?)\s+or\s+(?P<b>.+)", r"(?P<a>.+?)\b(?:than)\b(?P<b>.+)"],
}


LEADING_SUM = re.compile(r"^(?:putting|adding(?: up)?|taking|counting|combining)\s+(?P<body>.+?)"
                         r"(?:\s+(?:together|combined))?\s*,", re.I)
HEAD_STEMS = frozenset(stem(w) for w in "outlay outlays money funds fund funding spending investment total sum "
                       "amount figure number combined yuan rmb million billion".split())


def split_parts(question: str, op: str) -> list[str]:
    text = question.strip().rstrip("?.! ")
    if op == "sum":
        text = re.sub(r"\s*\([^()]*\)", " ", text)  # "(leaving out city and county budgets)": an aside
        lead = LEADING_SUM.match(text)  # "Putting the centre's and the province's money together, how much ..."
        if lead:
            text = lead.group("body")
        body = re.sub(r"\b(combined|together|altogether|in total|in all|provide|put in|invest(ed)?|spent|"
                      r"get|got|receive[d]?|add(?:s|ed)? up(?: to)?|amount(?:s|ed)? to|come to|sum(?:med)? up)\b",
                      " ", text, flags=re.I)
        body = re.sub(r"^.*?\b(on|for|were|was|are|is|of|did|do|does)\b\s+", "", body, count=1, flags=re.I)
        parts = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+plus\s+", body, flags=re.I)
        # ", combined outlay": a part of nothing but the measure's head is the shared measure, no operand
        return [p.strip() for p in parts if set(weighted_terms(p)) - HEAD_STEMS]
    if op == "times":  # "How many times larger was X than Y": the words of the ratio are no operand's
        text = re.sub(r"^how many times\s+(?:as\s+\w+\s+)?(?:larger|bigger|greater|more|higher)?\s*"
                      r"(?:was|were|is|are|did|does)?\s*", "", text, flags=re.I)
    if op == "compare":
        many = _many_parts(text)
        if many:
            return many
    for rx in SPLITTERS.get(op, []):
        m = re.search(rx, text, flags=re.I)
        if m:
            return [m.group("a").strip(" ,"), m.group("b").strip(" ,")]
    return []


# Three or more parties compared: "Of A, B and C, which ...", "A, B and C - which of the three ...",
# "Which ... the most: A, B or C?"
MANY_LISTS = (re.compile(r"^(?:of|between|among)\s+(?:the\s+)?(?P<l>.+?),\s*which\b", re.I),
              re.compile(r"(?P<l>.+?)\s+[-–—]\s+which\b", re.I),
              re.compile(r"\bwhich\b[^:–—]*?(?::|\s-|–|—)\s*(?P<l>.+)$", re.I))


def _many_parts(text: str) -> list[str]:
    for rx in MANY_LISTS:
        m = rx.search(text)
        if not m:
            continue
        items = [p.strip(" ,") for p in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", m.group("l"))
                 if p.strip(" ,")]
        if len(items) < 3:
            continue
        lead = re.match(r"(from|by|for|to|in|on)\s", items[1], re.I)
        if lead and f" {lead.group(1).lower()} " in f" {items[0].lower()}":
            # "names money from the central government, from enterprises and from banks": the first item
            # starts where the others do
            cut = items[0].lower().rfind(f" {lead.group(1).lower()} ")
            items[0] = items[0][cut + 1:] if cut >= 0 else items[0]
        return items
    return []


def operand(q: Query, part: str, index, hits, ctx, kind, parts: list[str] | None = None,
             wider: list | None = None) -> list:
    """Candidate facts (best first, as ``Scored``) for one operand phrase: scored on the phrase
    (and the shared context), first in the question's passages, then further down the question's
    ranking. Empty when nothing fits well enough."""

    wanted = numbers_in(part)
    names = [n for n in q.names if n in part.lower()]
    parties = q.op in PARTIES and bool(parts) and len(parts) == 2
    mine, theirs = contrasts(part, parts) if parties else tier_of(part)
    # "in 2011 than in 2010": each part's own year is its operand's ("in 2010" is no 2011 figure)
    years = {int(y) for y in YEAR_RE.findall(part)}
    best: list = []
    for borrow in (False, True):
        terms = part_terms(q, part, parts or [part], borrow, shared=bool(parties))
        # two parties share the question's unit: "the average farmer" names who, not a count of people
        unit = (q.unit or target_unit(part)) if parties else (target_unit(part) or q.unit)
        sub = replace(q, terms=terms, numbers=[], unit=unit, op=None, names=names, years=years or q.years)
        # First the question's own passages, then further down the same ranking: no second search.
        for pool in (hits, wider or []):
            cands = candidates(sub, index, pool, ctx, kind)
            if q.op == "sum":  # "136 million Yuan more than in 2010" is a change, no part of a sum
                cands = [c for c in cands if not is_change(c.item)]
            if mine or theirs:
                cands = sorted((replace(c, score=c.score + contrast_fit(c.item, mine, theirs)) for c in cands),
                               key=lambda c: -c.score)
            if wanted:
                cands = [c for c in cands if c.item.value is not None
                         and quotes(c.item.value, wanted)] or cands
            if cands and (not best or cands[0].score > best[0].score):
                best = cands[:3]
            if best and best[0].score >= OPERAND_MIN:
                return [c for c in best if c.score >= OPERAND_MIN]
    return []


def _within(part, whole) -> bool:
    """``part`` is stated as part of ``whole`` and is no larger (the extraction's "of which" read
    past a list's end is no part: "743 million ..., including ... 1.27 billion Yuan of bank loans")."""
    return whole is not None and part.value is not None and whole.value is not None and part.value <= whole.value


def distinct(options: list[list]):
    """One fact per operand, all different, with the highest total score ("the state and the
    regional finance department" must not both take the figure that fits each best)."""
    from itertools import product

    best, best_score = None, float("-inf")
    for combo in product(*options):
        ids = {c.item.id: c.item for c in combo}
        if len(ids) < len(combo) or any(_within(c.item, ids.get(getattr(c.item, "part_of", ""))) for c in combo):
            continue  # one figure twice, or a whole with its own part (counted twice in a sum)
        # operands of one calculation share a unit: a mixed pair must fit far better to win
        score = sum(c.score for c in combo) - (0.3 if len({c.item.unit for c in combo}) > 1 else 0.0)
        if score > best_score:
            best, best_score = [c.item for c in combo], score
    return best


# The words that ask for the computation ("add up to", "combined") are no operand's context.
CONNECTIVE_STEMS = frozenset(stem(w) for w in "add adds added up amount amounts amounted come sum summed combined "
                             "together altogether".split())


def part_terms(q: Query, part: str, parts: list[str] | None = None, borrow: bool = False,
               shared: bool = False) -> dict[str, float]:
    """The operand's own words, plus the question's words that belong to no operand (shared
    context) at low weight; a bare modifier ("project" in "project and household loans") borrows
    the head noun of the last operand. With ``shared`` (two parties compared), the other party's
    words are context too: "how far behind the regional average were farmers in the key counties in
    net income" names the measure once, for both; the words that set the parties apart are not."""
    own = weighted_terms(part)
    others = set()
    for p in parts or []:
        others |= set(weighted_terms(p))
    terms = {t: w * 0.3 for t, w in q.terms.items() if t not in others and t not in CONNECTIVE_STEMS}
    if shared:
        apart = {stem(w) for g in CONTRASTS for w in g}
        for p in parts or []:
            for t, w in weighted_terms(p).items():
                if t not in own and t not in apart and t not in CONNECTIVE_STEMS:
                    terms[t] = max(terms.get(t, 0.0), w * 0.3)
    if borrow and parts and len(own) == 1 and part != parts[-1]:
        head = list(weighted_terms(parts[-1]))[-1:]
        for t in head:
            terms[t] = 1.0
    for t, w in own.items():
        terms[t] = max(w, terms.get(t, 0))
    return terms


def same_unit(facts: list) -> bool:
    units = {(f.unit or "").lower() for f in facts}
    return len(units) == 1


# Comparisons of two parties ("X than Y", "how far behind Y were X"): each operand is one party
PARTIES = frozenset({"diff", "times", "compare"})


def contrasts(part: str, parts: list[str]) -> tuple[set[str], set[str]]:
    """The words of a contrast group ("national", "provincial"; "urban", "rural") that ``part``
    names and the other party does not, and the other party's: what tells the two figures apart."""
    mine_w = set(words(part.lower()))
    theirs_w = set().union(*(set(words(p.lower())) for p in parts if p != part))
    mine, theirs = set(), set()
    for g in CONTRASTS:
        a, b = (mine_w & g) - theirs_w, (theirs_w & g) - mine_w
        if a or b:
            mine |= a
            theirs |= b
    return mine, theirs


# The tiers a measure is of ("central", "provincial"), in their adjective forms: "the province" in "how
# much did the province get" is the report's own region, not a tier
TIERS = frozenset(w for g in CONTRASTS if "national" in g for w in g) - {"county", "local", "state"}


# "the centre's and the province's money", "the centre": a tier named by its noun (the province only as an
# owner: "the province" alone is most often the report's own region)
NOUN_TIERS = {"centre": "central", "center": "central", "province": "provincial", "region": "regional",
              "nation": "national", "state": "national"}
POSSESSIVE_TIER = re.compile(r"\b(centre|center|province|region|nation|state)['’]s\b|\b(?<=the )(centre|center)\b")


def tier_of(part: str) -> tuple[set[str], set[str]]:
    """The tier one operand names ("the provincial budget") and the tiers it does not: a figure said of
    the city and county budgets is not the provincial budget's."""
    low = POSSESSIVE_TIER.sub(lambda m: NOUN_TIERS[m.group(1) or m.group(2)], part.lower())
    mine = {w for w in words(low) if w in TIERS}
    return (mine, (set(TIERS) - mine) | {"county", "counties", "city", "cities"}) if mine else (set(), set())


def contrast_fit(f, mine: set[str], theirs: set[str]) -> float:
    """A bonus for a figure whose own part of the sentence names this party's contrast word, a
    penalty for one whose part names only the other party's ("4,216 Yuan in the provincial key
    counties" is not the national key counties' figure, though the sentence names both)."""
    phrase = {stem(w) for w in words(party_phrase(f).lower())}
    if any(same_word(stem(w), phrase) for w in mine):
        return 0.2
    if any(same_word(stem(w), phrase) for w in theirs):
        return -0.4
    return 0.0


def same_word(s: str, stems: set[str]) -> bool:
    """The stem ``s`` is among ``stems`` as itself or in another form of the same word: "provincial" is
    named by "the whole province", "region" by "regional" (stems of five letters or more, one the other's
    start)."""
    return s in stems or len(s) >= 5 and any(len(h) >= 5 and (h.startswith(s) or s.startswith(h)) for h in stems)


# Where one party's part of a sentence ends: a semicolon, a bracket, "while", "whereas", "against",
# "compared with" ("... 3,842 Yuan, up 17.4%, while that in the 18 provincial key counties reached 4,216 Yuan")
# "and" that leads to the next figure ("1.5 billion Yuan was central funds and 600 million Yuan was ...")
PARTY_BREAK = re.compile(r"[;:()]|\b(?:while|whereas|against|compared (?:with|to)|but)\b|"
                         r"\band\s+(?=(?:\S+\s+){0,2}?\d)", re.I)


def party_phrase(f) -> str:
    """The part of ``f``'s sentence that is about ``f``: from the previous figure in the same unit or
    break to the next ("... reached 3,947 Yuan in the 17 national key counties, an increase of 561
    Yuan ..., and 4,312 Yuan in the 9 regional key counties": for 3,947, "... national key counties,
    an increase of")."""
    s, a, b = f.sentence, f.start - f.sentence_start, f.end - f.sentence_start
    unit = re.search(r"[A-Za-z%]+$", f.raw or "")
    same = re.compile(r"\d[\d,.]*\s*(?:(?:million|billion|thousand|hundred)\s+)?" + re.escape(unit.group(0))
                      if unit else r"(?!)", re.I)
    ends = [m.end() for m in same.finditer(s, 0, a)] + [m.end() for m in PARTY_BREAK.finditer(s) if m.end() <= a]
    starts = [m.start() for m in same.finditer(s, b)] + [m.start() for m in PARTY_BREAK.finditer(s, b)]
    return s[max(ends, default=0): min(starts, default=len(s))]
