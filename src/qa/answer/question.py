"""Question analysis: expected answer kind, operation, target unit, years, weighted terms, and the
resolution of elliptical follow-ups against the conversation history. All rules here are about English
question forms ("how many", "how much more", "which got more"), never about the content of one report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.answer.operations import aside_stems, detect_op, without_means
from qa.answer.quoted import CURRENCY_NAMES, QUOTED_FIGURE, written_out
from qa.text.lexicon import CONTRASTS, GREATER_WORDS, MONEY_WORDS, QUESTION_WORDS, UNIT_WORDS, expand_shorthand
from qa.text.numbers import DIGIT_PATTERN, SCALE_PATTERN, scale_value, to_number
from qa.text.words import STOPWORDS, is_english_word, stem, words

# stemmed word -> unit family (stems so that any inflection the stemmer folds is covered)
UNIT_NOUNS = {stem(w): unit for unit, ws in UNIT_WORDS.items() for w in ws.split()}

FOLLOWUP_RE = re.compile(
    r"^(and|what about|how about|and what about|what of|also|then|same for|and for|and in|and the)\b|"
    r"\b(them|they|those|these|that person|that money|this money|that program|this program|it|its|"
    r"this one|the same|that (?:year|figure|amount|number|sum|outlay|fund|funding|campaign|project|plan)s?)\b|"
    # "there" points back ("trained there"), unless it only says something exists ("are there", "there were")
    r"(?<!\bare )(?<!\bis )(?<!\bwere )(?<!\bwas )\bthere\b(?! (?:is|are|was|were)\b)",
    re.IGNORECASE,
)

# a comparison that asks for the larger figure ("which got more", "did X exceed Y"); else the smaller
GREATER = re.compile(r"\b(" + "|".join(GREATER_WORDS) + r")\b")
YEAR_RE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
# "And the year before?", "the following year?": a follow-up's year, one off the previous question's
YEAR_SHIFT = re.compile(r"(?i)\b(?:the|a) year (?P<back>before|earlier|prior)\b|\b(?:the )?(?P<back2>previous|prior|"
                        r"preceding) year\b|\b(?:the|a) year (?:after|later)\b|\b(?:the )?(?:following|next) year\b")
QUESTION_NUMBER = re.compile(
    rf"(?<![\w.])(?P<num>{DIGIT_PATTERN})(?:\s+(?P<scale>{SCALE_PATTERN}))?(?![\w])", re.IGNORECASE
)


@dataclass(frozen=True)
class Query:
    """What the question asks, fixed by analysis: no later stage changes it (``dataclasses.replace``
    makes a new one, as the arithmetic does for each operand)."""

    question: str
    resolved: str
    kind: str
    op: str | None
    unit: str | None
    years: set[int]
    terms: dict[str, float]  # stemmed term -> weight (history terms weigh less)
    numbers: list[float] = field(default_factory=list)
    context: str = ""  # the history question a follow-up was resolved against
    names: list[str] = field(default_factory=list)  # proper names the question mentions (lower case)
    elliptical: bool = False  # a follow-up that leans on the previous question ("And the X?")
    history_used: list[str] = field(default_factory=list)  # earlier questions that shape retrieval
    query_text: str = ""  # the text sent to retrieval (typo-corrected, with the follow-up's context)
    counted: str = ""  # stem of the noun "how many <phrase>" counts, known unit or not ("beds")
    corrected: str = ""  # the question typo-corrected against the index's words ("increse" -> "increase")

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "count", "percent", "per_capita", "area")


EXPLAIN_RE = re.compile(
    r"(^|, )(how (will|would|is|are|was|were|did|does|do|often|can|should|has|have)\b|why\b|on what basis|"
    r"in what way|what (did|does|do|happens|happened|was notable|is notable|target|were|is the purpose|"
    r"was the effect|was the status|principle|are the .* used for))"
)

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
     and not _names_an_amount(q, t)
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


IRREGULAR_PAST = frozenset(
    "sent got took went gave made held found built set paid put spent won lost saw came became began brought "
    "bought caught chose drew fell felt fought grew heard kept knew led left lent met ran rose sold stood "
    "taught told thought understood wrote".split()
)


def contrasted(q: str, context: str) -> tuple[set[str], set[str]]:
    """Stems of the earlier question's words that a word of the follow-up replaces (another word of
    the same contrast set, ``lexicon.toml``: big/small, national/provincial, cities/counties), and of
    the follow-up's words that replace them."""
    new, old = set(words(q.lower())), set(words(context.lower()))
    groups = [g for g in CONTRASTS if (old & g) - new and (new & g) - old]
    return ({stem(w) for g in groups for w in (old & g) - new}, {stem(w) for g in groups for w in (new & g) - old})


def target_unit(q: str) -> str | None:
    """The unit a "how many <noun phrase>" question counts: the last unit noun of the phrase,
    which ends at the first verb ("how many people died in ...", "how many science and
    technology commissioners were sent")."""
    m = re.search(r"\bhow many\s+([^,?;]+)", q.lower())
    if not m:
        return None
    phrase = re.split(
        r"\s+(?:did|do|does|were|was|are|is|have|has|had|got|get|in|of|for|from|took|will|would|can|could|"
        r"under|to|by|at|on|there|that|who|which)\b",
        m.group(1),
    )[0]
    unit = None
    for w in re.sub(r"^(of|among)\s+(the|these|those|them)?\s*", "", phrase).split():
        if unit and (re.fullmatch(r"[a-z]+ed", w) or w in IRREGULAR_PAST):
            break  # "people died", "bureaus sent staff": the verb ends the noun phrase
        if not w.endswith("ed") and stem(w) in UNIT_NOUNS:
            unit = UNIT_NOUNS[stem(w)]
            if w.endswith("s") or w in ("people", "staff", "personnel", "children"):
                # a plural noun heads the phrase: what follows is its verb ("counties lie within ...
                # areas") or a second head ("counties and districts"), not the noun counted
                break
    return unit


def change_in(question: str) -> str | None:
    """What a question about a change asks it in: "percent" ("by what percentage", "how fast"),
    "amount" ("by how many yuan", "how much money"), or None when it does not say."""
    q = question.lower()
    if re.search(r"\b(percent|percentage|per cent|rate|fast|quickly)\b|%", q):
        return "percent"
    # "by how many yuan", "by how many households" (any unit the lexicon knows): an amount
    # "the drop in the poor headcount", "how did the number of poor people change": a count's change
    if re.search(r"\bhow many (yuan|dollars|usd|rmb)\b|\bhow much money\b|\bin yuan\b|\b(headcount|number of)\b",
                 q) or target_unit(q):
        return "amount"
    return None


def counted_noun(q: str) -> str:
    """The stem of the plural noun that heads "how many <phrase>" ("how many tourist beds did ..."
    -> "bed"), whether or not the lexicon knows it as a unit; "" when there is none."""
    m = re.search(r"\bhow many\s+([^,?;]+)", q.lower())
    if not m:
        return ""
    phrase = re.split(r"\s+(?:did|do|does|were|was|are|is|have|has|had|got|get|in|of|for|from|took|will|would|can|"
                      r"could|under|to|by|at|on|there|that|who|which|and)\b", m.group(1))[0].split()
    plural = [w for w in phrase if w.endswith("s") and not w.endswith("ss") and len(w) > 3]
    return stem(plural[-1]) if plural else ""


# Phrases that only place a question in time ("over the course of 2010", "back in 2005"): no word of
# them is asked for ("course" is, in "training courses")
TIME_FILLER = re.compile(r"\b(?:over|in|during|throughout) the course of\b|\bback (?=in (?:19|20)\d\d\b)", re.I)


def weighted_terms(text: str, weight: float = 1.0) -> dict[str, float]:
    out: dict[str, float] = {}
    for w in words(QUOTED_FIGURE.sub(" ", TIME_FILLER.sub(" ", text))):
        if w in STOPWORDS or w in QUESTION_WORDS or len(w) < 2:
            continue
        if w.isdigit() or YEAR_RE.fullmatch(w):
            continue  # numbers are operands and years periods, matched as such, not as words
        out[stem(w)] = max(out.get(stem(w), 0.0), weight)
    return out


def numbers_in(text: str) -> list[float]:
    """Values of the figures a question mentions ("the 60 key counties", "800 million"), read with
    the extractor's own number grammar (qa.text.numbers); bare years are periods, not figures."""
    vals = []
    for m in QUESTION_NUMBER.finditer(text):
        num, scale = m.group("num"), m.group("scale")
        if YEAR_RE.fullmatch(num) and not scale:
            continue
        d = to_number(num)
        if d is not None:
            vals.append(float(scale_value(d, scale)))
    return vals


def is_elliptical(question: str) -> bool:
    q = question.strip()
    content = weighted_terms(q)
    if FOLLOWUP_RE.search(q):
        return True
    return len(content) <= 1


PERCENT_WORD = re.compile(r"\b(?:percent|percentage)\b", re.I)
LAND_AREA_Q = re.compile(r"\b(land area|total area|square (?:kilomet(?:er|re)s?|km)|sq\.? ?km|km2|km²)\b|"
                         r"\b(how (?:big|large) is \w+|size of) (?:the )?territory\b")


def analyze(question: str, history: list[str] | None = None, correct=None,
            ignore_names: frozenset[str] = frozenset(), ignore_stems: frozenset[str] = frozenset()) -> Query:
    """Analyse ``question``; ``correct`` maps a text to its typo-corrected form. ``ignore_names`` and
    ``ignore_stems`` are words every indexed report implies (its region): not a constraint."""
    asked = expand_shorthand(written_out(" ".join(question.split())))
    q = without_means(asked)  # "Going by the growth rate, how much ...?" asks the amount, not the rate
    fixed = correct(q) if correct else q
    history = [h for h in (history or []) if h and h.strip()]
    elliptical = bool(history) and is_elliptical(q)
    followup = bool(history)
    # Typo correction can turn a real word the report lacks into one it has ("unchanged" ->
    # "changed"), so the question's form is read from the original text first.
    kind = detect_kind(q)
    if kind == "auto" or (PERCENT_WORD.search(fixed) and not PERCENT_WORD.search(q)):
        kind = detect_kind(fixed)  # terse keywords; or "by what percnt": a misspelt percentage
    op = detect_op(q, fixed)
    aside = aside_stems(q)  # "(not national)": words of what the answer is not
    terms = {t: w for t, w in corrected_terms(q, fixed).items() if t not in aside}
    context = ""
    if followup:
        context = history[-1]
        prev_fixed = correct(context) if correct else context
        prev_kind = detect_kind(prev_fixed)
        if kind in ("explanation", "auto") and prev_kind not in ("explanation", "auto"):
            kind = prev_kind
        # "And in Hulunbeier?" after a question about Xing'an: the new name replaces the old one.
        replaced = {stem(n) for n in proper_names(context)} if proper_names(q) else set()
        # "And a small one?" after "a big village": small, not big (even where "small" is a question word)
        old, new = contrasted(q, context)
        replaced |= old
        for t in new:
            terms[t] = 1.0
        carry = (0.35 if replaced else 0.6) if elliptical else 0.1
        for t, w in weighted_terms(prev_fixed, carry).items():
            if t not in replaced:
                terms.setdefault(t, w)
        if len(history) > 1:
            for t, w in weighted_terms(correct(history[-2]) if correct else history[-2], 0.25).items():
                terms.setdefault(t, w)
    years = {int(y) for y in YEAR_RE.findall(q)}
    if elliptical and not years and not re.search(r"\b(between|from)\b", context.lower()):
        years = {int(y) for y in YEAR_RE.findall(context)}
        shift = YEAR_SHIFT.search(q)
        if shift:
            years = {y + (-1 if shift.group("back") or shift.group("back2") else 1) for y in years}
    unit = target_unit(q) or target_unit(fixed)
    fl = fixed.lower()
    if unit is None and followup and kind == "count" and (
        not re.search(r"\bhow many\b", fl) or re.search(r"\bhow many (of )?(them|those|these)\b", fl)
    ):
        # "And how many of them found jobs?": them = the earlier question's noun; "and counties?" names its own
        own = [UNIT_NOUNS[stem(w)] for w in words(fl) if stem(w) in UNIT_NOUNS and stem(w) != "year"]  # "same year"
        unit = own[-1] if own else target_unit(context)
    of_them = re.search(r"\bhow many of (?:them|these|those) (?:were|are|was|is) (\w+)", fl)
    if unit is None and of_them and stem(of_them.group(1)) in UNIT_NOUNS:
        unit = UNIT_NOUNS[stem(of_them.group(1))]  # "how many of them were villages?": villages, not towns
    if unit is None and kind in ("count", "change") and re.search(r"\b(population|headcount|populous)\b", fl):
        unit = "people"  # "What is the population of the key counties?" counts people, not the 8 counties
    if unit is None and LAND_AREA_Q.search(fl):
        unit = "km²"  # "What land area does Ningxia have?", "territory (km2)": the region's area, a figure
        kind = "count" if kind in ("explanation", "auto", "list", "which") else kind
    resolved = q if not elliptical else f"{q.rstrip('?.! ')} (following: {context.rstrip('?.! ')})?"
    asks_number = op in ("sum", "diff", "compare", "share", "times") or (
        op == "per" and re.search(r"\b(average|per)\b", q.lower()))
    if asks_number and kind in ("explanation", "which"):
        kind = "auto"  # "What were X and Y combined?" asks for a number without saying "how much"
    history_used = (history[-2:][::-1] if elliptical else history[-1:]) if followup else []
    fix = correct or (lambda text: text)
    return Query(
        question=asked,
        resolved=resolved,
        kind=kind,
        op=op,
        unit=unit,
        years=years,
        terms={t: w for t, w in terms.items() if t not in ignore_stems} or terms,
        numbers=numbers_in(q),
        context=context,
        names=[n for n in proper_names(q) if n not in ignore_names],
        elliptical=elliptical,
        history_used=history_used,
        query_text=" ".join([fix(q)] + [fix(h) for h in history_used]),
        counted=counted_noun(q),
        corrected=fixed,
    )


def proper_names(q: str) -> list[str]:
    """Capitalised words inside a mixed-case question (not its first): places, people, bodies asked about."""
    if q.upper() == q or q.lower() == q:
        return []
    out = []
    for m in re.finditer(r"\b[A-Z][a-zA-Z'’-]+\b", q):
        if m.start() == 0 or (q[: m.start()].strip().lower() in ("and", "what about", "how about")
                              and is_english_word(m.group(0).lower())):  # "And Guizhou?" names; "And Total?" not
            continue
        # "the Zhangjiakou-Chengde-Baoding area" names three places, each written alone in a report;
        # "Bank-financed" names the bank.
        for part in re.split(r"[-–]", re.split(r"['’]", m.group(0))[0]):
            w = part.lower()
            if part.isupper() and len(part) > 3 and (len(part) > 5 or is_english_word(w)):
                continue  # "How many LABOURERS ...": a word in capitals for emphasis, not a name
            if part[:1].isupper() and w not in STOPWORDS and w not in QUESTION_WORDS and w not in CURRENCY_NAMES:
                out.append(w)
    return out


def corrected_terms(original: str, fixed: str) -> dict[str, float]:
    """Terms of the question; a word that typo correction changed weighs 0.7, since the
    correction may have turned a real word the report lacks into one it has."""
    mine = weighted_terms(original)
    out: dict[str, float] = {}
    for t, w in weighted_terms(fixed).items():
        out[t] = w if t in mine else 0.7 * w
    return out
