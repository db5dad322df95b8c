"""The kind of answer a question asks for (money, count, percent, change, who, which, list, date,
explanation, summary, or "auto" for a figure of a unit the question does not fix), read from its English
form, not its topic: ordered rules, the first that matches wins. Used by ``qa.answer.question``.
"""

from __future__ import annotations

import re

from qa.answer.quoted import QUOTED_FIGURE
from qa.text.lexicon import MONEY_WORDS
from qa.text.words import words

EXPLAIN_RE = re.compile(
    r"(^|, )(how (will|would|is|are|was|were|did|does|do|often|can|should|has|have)\b|why\b|on what basis|"
    r"in what way|what (did|does|do|happens|happened|was notable|is notable|target|were|is the purpose|"
    r"was the effect|was the status|principle|are the .* used for))"
)

_EARN = re.compile(r"\bearn(?:s|ed|ing|ings)?\b")
_HOW_MUCH_MANY = re.compile(r"\bhow (much|many)\b")
_AMOUNT_TO = re.compile(r"\b(amount|come|came|total)\w* to\b")
_WHAT_DID_GIVE = re.compile(r"^(and )?what did\b.*\b(give|get|receive|spend|invest|allocate|provide|raise|lend|issue|"
                            r"contribute|reach|put)\b")


def _names_an_amount(q: str, t: set[str]) -> bool:
    """"What did X and Y amount to?", "What did X give Y in funds?": an amount is asked, whatever else
    the question names (a money word besides the verb itself)."""
    m = _AMOUNT_TO.search(q) or _WHAT_DID_GIVE.match(q)
    return bool(m) and bool((t - {m.group(m.lastindex or 0)}) & MONEY_WORDS)
_QUESTION_WORD = re.compile(r"\b(what|how|which|who|when|where|why|whose|is|are|was|were|did|does|do)\b")


def _rx(pattern: str):
    search = re.compile(pattern).search
    return lambda q, t: search(q)


# Ordered rules (first match wins): kind, test on the lower-cased question, and on its words.
KIND_RULES = [
    # "tell me about training", "summarize relocation": no single fact is asked, a short summary is
    ("summary", _rx(r"^(please |can you |could you )?(tell me (more )?about|summari[sz]e|give (me )?an overview of|"
                    r"an overview of|overview of|describe|what is there on|anything on)\b")),
    # "What were the fiscal funds in 2010?" asks for an amount, not an explanation.
    ("explanation", lambda q, t: EXPLAIN_RE.search(q) and not _HOW_MUCH_MANY.search(q)
     and not _names_an_amount(q, t) and not _EARN.search(q)
     and not (re.match(r"^(and )?what (was|were|is|are)\b", q)
              and t & MONEY_WORDS
              and not re.search(r"\b(purpose|used for|effect|status|target|principle|notable|do|done|asked|"
                                r"and|or|combined|together)\b", q))),
    # "Who heads ...", "Under whose leadership ...": a person or body is asked; "the headcount whose
    # needs were met", "people who left poverty" use "who" for the thing counted.
    ("who", _rx(r"(?:^|[:;,]\s*|\b(?:and|but|so|tell me|know)\s+)(?:who|whose|whom)\b|"
                r"\b(?:under|by|with|from|to|for|of|in|on|at) (?:whose|whom)\b|\bwhich (person|official|leader)\b")),
    # "Where does Yunnan stand nationally by ...?", "What rank ...": a position, which the report words
    ("which", _rx(r"\b(where|how high|how low) (does|did|do) .{0,60}\b(rank|stand|place)\b|"
                  r"\bwhat (rank|ranking|position|place) (does|did|do|is|was)\b")),
    ("date", _rx(r"^(and )?when\b|\b(what|which) (dates?|days?|months?|years?)\b|\bas of what\b|\bin what year\b|"
                 r"\bfrom which year\b|\bwhat time\b")),
    # "Working back from the growth rate, how large was X in 2009?" asks for X, not the rate (its means)
    # "share" as a verb ("which provinces share the rocky areas?") asks no percentage
    ("percent", lambda q, t: re.search(r"\b(?:percentage|percent|proportion|fraction|rate|incidence)\b|%|"
                                       r"\bshare\b(?!\s+(?:the|a|an|their|its|this|these|those|with|in)\b)", q)
     and not _HOW_MUCH_MANY.search(q)
     and not (re.search(r"\bhow (large|big)\b", q) or _AMOUNT_TO.search(q))),
    # "how big was the rise on the year before?": the size of a change, not a level
    ("change", _rx(r"\bhow (big|large|much|great) (was|were|is|are) the (rise|increase|growth|drop|fall|decline|"
                   r"decrease|reduction|jump|gain)\b")),
    ("change", lambda q, t: re.search(r"\bby how (much|many)\b|"
                                      r"\bhow (?:much|many (?!places|positions|ranks|spots)\w+) "
                                      r"(did|has|have|was|were) .* "
                                      r"(rise|grow|increase|fall|drop|decline|go up|go down|climb|gain)|"
                                      r"\bhow (fast|quickly)\b|\bgrowth rate\b|"
                                      r"\brate of (growth|increase)\b|\bwhat (?:was|is|were|are) (?:the |its )?"
                                      r"(?:[\w-]+ ){0,2}(?:growth|increase|rise|decline|drop|fall|decrease)\b", q)
     and not (re.search(r"\bhow (large|big)\b", q) or _AMOUNT_TO.search(q))),
    # "grew faster", "the fastest growth": a speed of growth is a rate, whatever else the question names
    ("percent", _rx(r"\b(grew|grow|grown|growing|rose|risen|rise|rising|increased?|increasing|growth)\b.{0,40}"
                    r"\b(faster|fastest|quicker|quickest|slower|slowest|more quickly|more slowly)\b|"
                    r"\b(faster|fastest|quicker|quickest|slower|slowest)\s+(growth|rise|increase)\b")),
    # "Guizhou 2011 central grant growth", "key-county farmer income rise": a keyword question that
    # names a growth asks for the change, not the level
    ("change", lambda q, t: not _QUESTION_WORD.search(q) and re.search(
        r"\b(growth|grew|grow|rise|rose|increase|increased|decline|declined|drop|dropped|fall|fell)\b", q)),
    ("money", _rx(r"\bpoverty line\b|\bper capita\b|\bnet income\b")),
    # "What did farmers earn per head?": earnings are money ("how many farmers earned ..." counts people)
    ("money", lambda q, t: _EARN.search(q) and not re.search(r"\bhow many\b", q)),
    ("money", lambda q, t: re.search(r"\bhow (large|big)\b|\bsize of\b", q) and t & MONEY_WORDS),
    ("money", _rx(r"\bhow many (yuan|dollars|usd|rmb)\b")),
    ("count", _rx(r"\bhow many\b|\bnumber of\b|\bcount of\b|\bpopulation\b|\bheadcount\b|\bhow (big|large)\b")),
    ("count", lambda q, t: re.search(r"\bwhat (length|acreage|area|size|volume|quantity)\b", q)
     and not t & MONEY_WORDS),
    # "How much did X give?" asks for money; "How much new farmland ...?", "how much irrigated area"
    # ask for the amount of a thing, whatever its unit.
    ("auto", lambda q, t: re.search(r"\bhow much (?!(?:did|does|do|has|have|had|was|were|is|are|will|would|can|"
                                    r"could|more|less|of|in|for|to|from|by|on|went|came|got)\b)[a-z]", q)
     and not t & MONEY_WORDS),
    ("money", _rx(r"\bhow much\b")),
    ("which", _rx(r"\bwhich (department|office|organi[sz]ation|institution|bureau|agency)\b")),
    ("list", _rx(r"\b(where|which (three|two|four|five|places|areas|cities|counties|units|regions|"
                 r"organi[sz]ations))\b|\bwhat (kinds|types|components|categories|areas|are the)\b|\blist\b|"
                 r"\bname the\b")),
    # "Which industries ...", "What measures ...": a plural noun asks for the items of a list.
    ("list", _rx(r"^(and )?(which|what) (?!was\b|is\b|has\b|does\b|this\b|its\b)(?:[a-z-]+ed )?[a-z]+(ies|s)\b")),
    ("which", lambda q, t: re.search(r"\b(which|what)\b", q) and re.search(
        r"\b(name|called|renamed|institution|department|office|organi[sz]ation|procedures?|unit)\b", q)),
    # "Which city chipped in money?", "Which level of government supplied ...?": an entity, even with money
    ("which", _rx(r"^(and )?which\b")),
    ("money", lambda q, t: t & MONEY_WORDS),
    ("auto", lambda q, t: not _QUESTION_WORD.search(q)),  # terse keywords ("RAIN PLAN BASES")
]


def detect_kind(q: str) -> str:
    """The kind of answer a question expects, from its English form (not its topic)."""
    ql = q.lower().strip()
    # the unit of a figure the question quotes is not the unit asked: "How large is the poor
    # headcount under the 2,300 yuan line?" asks for people
    toks = set(words(QUOTED_FIGURE.sub(" ", ql)))
    for kind, test in KIND_RULES:
        if test(ql, toks):
            return kind
    return "explanation"
