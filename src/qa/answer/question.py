"""Question analysis: expected answer kind, operation, target unit, years, weighted terms, and the
resolution of elliptical follow-ups against the conversation history. All rules here are about English
question forms ("how many", "how much more", "which got more"), never about the content of one report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.answer.kinds import detect_kind
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
YEAR_SHIFT = re.compile(r"(?i)\b(?:the|a|one) year (?P<back>before|earlier|prior)\b|\b(?:the )?(?P<back2>previous|"
                        r"prior|preceding) year\b|\b(?:the|a|one) year (?:after|later)\b|\b(?:the )?(?:following|next) "
                        r"year\b")
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


# Where the noun phrase a count asks for ends: "how many tourist beds did ...", "number of plans drafted"
_PHRASE_END = re.compile(r"\s+(?:did|do|does|were|was|are|is|have|has|had|got|get|in|of|for|from|took|will|would|can|"
                         r"could|under|to|by|at|on|there|that|who|which|and|drafted|drawn|made|issued|prepared)\b")


def counted_phrase(q: str, lead: str = "how many") -> list[str]:
    """The words of the noun phrase after ``lead`` ("how many planning documents did ..." -> ["planning",
    "documents"]); [] when the question has no such phrase."""
    m = re.search(rf"\b(?:{lead})\s+([^,?;:]+)", q.lower())
    return _PHRASE_END.split(m.group(1))[0].split() if m else []


def is_plural(w: str) -> bool:
    return w.endswith("s") and not w.endswith("ss") and len(w) > 3


def counted_noun(q: str) -> str:
    """The stem of the plural noun that heads "how many <phrase>" ("how many tourist beds did ..."
    -> "bed"), whether or not the lexicon knows it as a unit; "" when there is none."""
    plural = [w for w in counted_phrase(q) if is_plural(w)]
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


# A follow-up that is a counted noun and a participle or a relative clause: "and poor households backed?", "and
# families whose housing got solved?" (not "and in the pastoral areas?", "and the part lent to households?")
COUNTED_TAIL = re.compile(r"^(?:and|what about|how about)\s+(?:the\s+)?(?:[a-z-]+\s+){0,2}?([a-z]+s)"
                          r"(?:\s+[a-z]+ed\s*\??$|\s+(?:whose|who|that)\s)")
OF_THEM = re.compile(r"\bhow many of (?:them|those|these)\b", re.I)
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
            m = COUNTED_TAIL.match(fixed.lower())
            if kind == "money" and m and stem(m.group(1)) in UNIT_NOUNS and not set(words(m.group(0))) & MONEY_WORDS:
                kind = "count"  # "and poor households backed?" after "How much did X invest?" counts households
        # "And in Hulunbeier?" after a question about Xing'an: the new name replaces the old one.
        replaced = {stem(n) for n in proper_names(context)} if proper_names(q) else set()
        # "And a small one?" after "a big village": small, not big (even where "small" is a question word)
        old, new = contrasted(q, context)
        if OF_THEM.search(q):  # "how many of them lie in national key counties?": still the villages counted
            old = old - {counted_noun(context)}
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
        # "how many of them lie in key counties?", "and labourers transferred from poor areas?": a noun after a
        # place word is where, not what, is counted ("in mu", "in square kilometres" name the unit itself)
        mine = re.split(r"\b(?:in|within|inside|at|across|among|under)\b" if OF_THEM.search(fl) else
                        r"\b(?:from|within|inside|at|across|among)\b", fl)[0]
        def units_in(text: str) -> list[str]:  # "same year" names no unit, "trained" is no noun
            return [UNIT_NOUNS[stem(w)] for w in words(text) if stem(w) in UNIT_NOUNS and stem(w) != "year"
                    and not w.endswith("ed")]

        own = units_in(mine)
        if not OF_THEM.search(fl):  # "how many of them lie in ...": them, the earlier question's noun
            own = own or units_in(fl)
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
