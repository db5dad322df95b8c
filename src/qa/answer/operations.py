"""Which arithmetic a question asks: a comparison, a difference, a sum, a share, a ratio ("how many
times"), an average per something, a complement ("how many did not"), a level after additions. English
question forms only; the operands are found by ``qa.answer.operands`` and combined by
``qa.answer.arithmetic``.
"""

from __future__ import annotations

import re

from qa.text.words import stem, words

ARITH_PATTERNS = [
    (
        "compare",
        re.compile(
            r"\b(which|who|what)\b.*\b(more|most|larger|largest|bigger|biggest|higher|further|farther|"
            r"highest|less|least|fewer|fewest|smaller|smallest|lower|lowest)\b.*\bor\b"
        ),
    ),
    (
        "compare",
        re.compile(
            # "... allocations - did A or B get the bigger amount?": the question after a dash or colon too
            r"(?:^|\s[-–—:]\s+)(did|does|was|were|is|are)\b.*\b(more|larger|bigger|higher|less|smaller|"
            r"lower|fewer)\b"
        ),
    ),
    # "..., from enterprises and from banks - which of the three is the biggest sum?", "Which got the most:
    # A, B or C?": the largest (or smallest) of three or more figures the question lists
    (
        "compare",
        re.compile(
            r"\bwhich of (?:the|these|those) (?:three|four|five|3|4|5)\b.*\b(most|largest|biggest|highest|greatest|"
            r"least|smallest|lowest|fewest)\b|\bwhich\b.*\b(most|largest|biggest|highest|greatest|least|smallest|"
            r"lowest|fewest)\b.*[:–—-].*,.*\bor\b|^(?:of|among)\b.*,.*\band\b.*,\s*which\b.*\b(most|largest|biggest|"
            r"highest|greatest|least|smallest|lowest|fewest)\b"
        ),
    ),
    # "Of the central and provincial grants, which was the bigger?", "Which exceeded the other, X or Y?"
    (
        "compare",
        re.compile(
            r"^(?:of|between)\b.*\band\b.*,\s*which(?: one)?\s+(?:was|is|were|are)\s+(?:the\s+)?"
            r"(bigger|larger|greater|higher|smaller|lower)\b|\bwhich\b.*\bexceed\w*\b.*\b(?:the other|or)\b"
        ),
    ),
    # "How many times larger was X than Y?", "X is what multiple of Y?": the ratio of two figures
    ("times", re.compile(r"\bhow many times (?:as |larger|bigger|greater|more|higher)|\bwhat multiple of\b")),
    (
        "diff",
        re.compile(
            r"\bhow (much|many)(?: [a-z]+)? (more|less|fewer|higher|lower|bigger|larger|smaller)\b|"
            r"\bdifference between\b|\bgap between\b|\bexceed|"
            # "how far behind the average were X", "how many yuan ahead of Y", "how far did X trail Y"
            r"\bhow (?:far|much|many(?: \w+)?)\b.*\b(?:ahead of|behind|short of|trail\w*|lag\w*)\b|"
            r"\bhow far (?:above|below)\b"
        ),
    ),
    (
        "share",
        re.compile(
            r"\b(what|which) (share|fraction|proportion|percentage|percent)\b|"
            r"\bwhat % of\b"
        ),
    ),
    # "each year", "each time" say how often, not per what; "in yuan per person" names the unit an amount is
    # asked in, and "per head" is "per capita": the report states such figures, no average is computed
    ("per", re.compile(r"(?<!yuan )(?<!dollars )(?<!usd )(?<!rmb )\bper (?!capita\b|head\b)(\w+)|\bon average\b|"
                       r"\baverage\b.*\b(per (?!capita\b|head\b)|each\b)|"
                       r"\beach\b(?! (?:year|month|time|quarter|season)\b)"
                       # "each province", "each of these reports", "each 2011 report" ask across reports
                       r"(?! (?:of (?:the|these|those) )?(?:(?:19|20)\d\d )?(?:provinces?|regions?|reports?|"
                       r"municipalit\w*|autonomous)\b)")),
    (
        "grow",
        re.compile(r"\b(now|after|following)\b.*\b(additions?|added|adding|new ones)\b|\bin total after\b"),
    ),
    (
        "sum",
        re.compile(
            r"\b(combined|together|altogether|in total|in all|sum of|plus)\b|"
            r"\btotal of\b.*\band\b|\b(add|added) up\b|\b(did|do|does)\b.+\band\b.+\b(total|come to)\b"
        ),
    ),
    (
        "complement",
        re.compile(
            r"\b(not|didn't|did not|weren't|were not|aren't|are not|isn't|left "
            r"unchanged|remaining|rest of|other than|besides|(?:was|were|is|are) left|left over|remained|remains|"
            r"remainder)\b"
        ),
    ),
]


# "By what percentage did X rise?", "what percentage increase": a rate of change the report states,
# not a share to compute.
RATE_OF_CHANGE = re.compile(r"\bby what (percentage|percent)\b|\b(what|which) (percentage|percent)\b.*\b(rise|rose|"
                            r"risen|grow|grew|grown|growth|increase|increased|fall|fell|drop|dropped|decline|"
                            r"declined|go up|went up|higher|lower|climb|climbed|jump|jumped)\b")


# An income, a line, a subsidy "per farmer" is a rate per person the report states, not an amount to
# spread over a count, unless an average is asked in so many words
PER_PERSON_MEASURE = re.compile(r"\b(?:income|incomes|earnings|wages?|salar(?:y|ies)|threshold|line|standard|"
                                r"subsid(?:y|ies)|allowance)\b")


# An aside that says which figure is meant by what it is not ("key counties designated by the province
# (not national)", "the funds themselves, not the reward money", "not counting the repaired ones")
ASIDE = re.compile(r"\(not [^)]*\)|\bnot (?:just|only|merely|counting|including)\b[^,;?]*|"
                   r"(?:[,;:]|\s[-–—])\s*not (?:the|a|an|its|their|those|these)\b[^,;?]*")


def aside_stems(q: str) -> set[str]:
    """Stems of the words of ``q``'s asides ("(not national)"): what the answer is not, so not asked."""
    return {stem(w) for m in ASIDE.finditer(q.lower()) for w in words(m.group(0)) if w not in ("not", "just", "only")}


def detect_op(q: str, corrected: str | None = None) -> str | None:
    """The arithmetic ``q`` asks, if any; else the one its typo-corrected form ``corrected`` asks
    ("combind"), unless ``q`` holds an aside the correction's lost punctuation would turn into one."""
    op = _detect_op(q)
    if op is None and corrected and not ASIDE.search(q.lower()):
        op = _detect_op(corrected)
    return op


def _detect_op(q: str) -> str | None:
    ql = q.lower()
    for op, rx in ARITH_PATTERNS:
        if rx.search(ql):
            if op == "per" and PER_PERSON_MEASURE.search(ql) and not re.search(r"\baverage|\bspread\b", ql):
                return None
            if op == "complement" and not rx.search(ASIDE.sub(" ", ql)):
                continue  # "(not national)", "not just the key counties": which figure, not a subtraction
            return None if op == "share" and RATE_OF_CHANGE.search(ql) else op
    return None


# "Going by the growth rate, how much did X get in 2009?", "..., given the 2011 growth rate?": the rate is
# the means of working a level out (``qa.answer.derived.previous_year``), not what is asked; its words
# ("growth", "rate") would make the question ask for the rate itself
GROWTH_MEANS = re.compile(
    r"(?:^|,\s*|\s+)(?:(?:going|judging|working back|work back|back-calculating|calculating|reckoning)\s+)?"
    r"(?:by|from|on|using|given|based on|with)\s+(?:the\s+|its\s+|that\s+|both\s+)?(?:(?:19|20)\d\d\s+)?"
    r"(?:stated\s+|reported\s+)?(?:growth|increase)\s+rates?(?:\s+of\s+[\d.]+\s*%)?\s*(?:,\s*|(?=[?.!]*\s*$))",
    re.IGNORECASE)


def without_means(question: str) -> str:
    """The question without a clause that names a growth rate as the means of the answer."""
    out = re.sub(r"\s+([?.!])", r"\1", GROWTH_MEANS.sub(" ", question)).strip()
    return out[:1].upper() + out[1:] if out and out != question.strip() else question
