"""Measure phrases: which noun a figure counts and what it measures.

``noun_after`` reads the counted noun right after a number ("350 key poor villages" -> "key poor
villages"), ``noun_before`` and ``subject_np`` the noun phrase before it ("a poor population of",
"The repayment rate of the loans reached"), and ``measure_figure`` fills ``Figure.measure`` and,
for counts, ``Figure.unit`` from them (inheriting from an earlier count after "of which", taking
the noun a total refers to after "in total", pairing "A and B respectively"). Only English
function words and head-noun shapes are used, never names from a particular report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.text.clauses import clause_bounds
from qa.text.lexicon import EVENT_HEADS
from qa.text.numbers import DIGIT_PATTERN, unit_of_noun
from qa.text.words import word_set

STOP = word_set(
    """
    of for in to from with at by on under into and or but were was are is be been being have has
    had will would shall should can could may must which who whom whose that this these those their
    its the a an as than respectively each per while after before through within during including
    involving accounting up all both more less over about between among via against where when
    whereas if so such other another same every
    """
)
PLURAL_WORDS = {"people", "staff", "personnel", "children", "men", "women", "cattle", "sheep", "livestock"}
NOT_PLURAL = {"this", "its", "his", "was", "is", "has", "as", "us", "thus", "plus", "various", "previous",
              "less", "process", "progress", "access", "success", "business", "always",
              "whereas", "onwards", "afterwards", "towards", "backwards", "sometimes", "besides"}  # fmt: skip

def words(text: str) -> list[re.Match]:
    return list(re.finditer(r"[A-Za-z][\w’'-]*", text))


def is_plural(w: str) -> bool:
    lw = w.lower()
    if lw in PLURAL_WORDS:
        return True
    return (lw.endswith("s") and not lw.endswith(("ss", "ous", "ics")) and lw not in NOT_PLURAL
            and len(lw) > 2)  # fmt: skip


# An "-ed" word right after a number is an adjective when a plural noun follows ("387 impoverished
# villages", "12 designated key counties"), a verb otherwise ("350 were selected").
_ADJECTIVE_ED = re.compile(r"\s+(?:[a-z][\w’'-]*\s+){0,2}?[a-z][\w’'-]*s\b(?!\s+(?:were|was|by)\b)")


def noun_after(text: str, pos: int, singular_ok: bool = False, allow_ed: bool = False) -> tuple[str, int]:
    """Noun phrase right after a number: '350 key poor Gacha villages located in' -> 'key poor Gacha
    villages'. Returns (phrase, end offset) or ('', pos) when no counted noun follows."""
    m = re.match(r"\s+(?:of (?:these|those|the|all)\s+(?=[A-Za-z“\"]))?", text[pos:])  # "1,104 of these villages"
    if not m:
        return "", pos
    i = pos + m.end()
    got: list[tuple[int, int, str]] = []
    for w in re.finditer(r"[“\"]?([A-Za-z][\w’'-]*)[”\"]?(\s+|$)?", text[i:]):
        word = w.group(1)
        lw = word.lower()
        a, b = i + w.start(1), i + w.end(1)
        if got and text[got[-1][1] : a].strip(' “”"'):
            break  # punctuation between words
        if lw in STOP:
            if lw == "and" and got and not is_plural(got[-1][2]):
                got.append((a, b, word))
                continue
            break
        if lw.endswith("ed") and len(lw) > 4 and "-" not in lw and (got or not allow_ed) and not (
                not got and _ADJECTIVE_ED.match(text, b)):
            break
        got.append((a, b, word))
        # eight words: "516 infrastructure construction and industrial poverty alleviation projects"
        if is_plural(word) or len(got) >= 8:
            break
    while got and (got[-1][2].lower() in STOP):
        got.pop()
    if not got or not (is_plural(got[-1][2]) or singular_ok):
        return "", pos
    end = got[-1][1]
    if got[-1][2].lower() in EVENT_HEADS:
        pp = re.match(r"\s+for\s+((?:(?!and\b|of\b|in\b|to\b)[A-Za-z][\w’'-]*\s?){1,4})", text[end:])
        if pp:
            end = end + pp.start(1) + len(pp.group(1).rstrip())
    first = got[0][0] - 1 if text[got[0][0] - 1] in '“"' else got[0][0]
    return text[first:end], end


def noun_before(text: str, pos: int) -> str:
    """Noun phrase before 'of'/'valued'/'was'/'reached' ending at pos: 'a poor population of' ->
    'poor population'; 'The discount loans for poverty alleviation reached' -> 'discount loans'."""
    before = text[:pos]
    m = re.search(r"(?:\bof|\bvalued|\bworth)\s+(?:a total of\s+)?$", before)
    if not m:
        return ""
    head = before[: m.start()]
    ws = words(head)
    got: list[re.Match] = []
    for w in reversed(ws):
        lw = w.group().lower()
        if got and head[w.end() : got[0].start()].strip():
            break
        if lw in STOP and not (lw == "per" and got and got[0].group().lower() == "capita"):
            if lw == "and" and len(got) == 1:
                got.insert(0, w)
                continue
            break
        if (lw.endswith("ed") and len(lw) > 4) or (w.group()[0].isupper() and w.start() > 0):
            break
        got.insert(0, w)
        if len(got) >= 8:
            break
    while got and got[0].group().lower() in STOP - {"per"}:
        got.pop(0)
    if not got:
        return ""
    phrase = head[got[0].start() : got[-1].end()]
    if phrase.lower() in ("total", "sum", "amount"):
        return ""
    return phrase.strip()


_VERB_BEFORE = re.compile(
    r"\b(?:was|were|is|are|numbered|reached|totaled|totalled|amounted to|stood at|fell to|rose to|dropped to|"
    r"increased to|decreased to|expanded to|grew to|reduced to|declined to|cut to|lowered to|brought down to|hit)"
    r"\s+(?:set at\s+)?(?:a total of\s+)?$"
)


def subject_np(text: str, pos: int) -> str:
    """Subject of '<NP> reached/was/fell to <number>': 'The repayment rate of the loans reached' ->
    'repayment rate'; the prepositional tail is cut ('funds for poverty alleviation' -> 'funds')."""
    m = _VERB_BEFORE.search(text[:pos])
    if not m:
        return ""
    seg = text[: m.start()]
    # a new clause starts after a comma or an "and" that opens a noun phrase ("... 192,200 poor people and
    # the rural per capita net income of ... reached"); "poverty alleviation and development" is one phrase
    ands = [m.end() for m in re.finditer(r"\band\s+(?=(?:the|its|their|a|an)\s)", seg)]
    b = max(max(seg.rfind(c) for c in ",;:(") + 1, ands[-1] if ands else 0)
    seg = re.sub(r"^\s*(?:the|a|an|its|their)\s+", "", seg[b:], flags=re.I).strip()
    # "the number of poor people had been reduced to 3.7 million": the people, not "number"
    seg = re.sub(r"\s+(?:had|has|have)\s+been$", "", seg)
    seg = re.sub(r"^(?:total\s+)?number\s+of\s+(?:the\s+)?", "", seg, flags=re.I)
    seg = re.split(r"\s(?:for|from|in|of|under|by|to|on|at|with)\s", seg)[0].strip()
    ws = seg.split()
    if not ws or len(ws) > 6 or any(w[0].isupper() or (w.endswith("ed") and len(w) > 4) for w in ws):
        return ""
    return seg


@dataclass
class Figure:
    """A number found in a sentence (offsets relative to the sentence)."""

    kind: str
    start: int
    end: int
    value: int | float | None
    unit: str
    qualifier: str = ""
    measure: str = ""
    inherit: bool = False


_HEAD = re.compile(r"\s+(?:for|of|in)\s.*$")
_INHERIT_KEY = re.compile(r"(?:of which|of whom|among them|among which|among whom)\s+(?:about |over |"
                          r"more than |nearly )?$")  # fmt: skip
_RESPECTIVELY = re.compile(r"(?:the\s+)?((?:[\w’'-]+\s+){0,3}?[\w’'-]+)\s+and\s+"
                           r"((?:[\w’'-]+\s+){0,3}?[\w’'-]+)"
                           r"\s+respectively\b")  # fmt: skip


def clause(s: str, a: int) -> tuple[int, int]:
    """The clause of sentence ``s`` around offset ``a`` (``qa.text.clauses`` defines where one ends)."""
    return clause_bounds(s, a)


# Between a level and its change: "1.74 billion Yuan, up 16.1%", "2,684 Yuan, an increase of 11.6 percent",
# "1.102 billion Yuan, which rose by 19.8%", "2,912 Yuan, with an increase of 13%".
_CHANGE_OF_LAST = re.compile(r"\s*,\s*(?:which\s+|with\s+)?(?:an?\s+)?(?:year[- ]on[- ]year\s+)?"
                             r"(?:up|down|increas\w*|decreas\w*|ris\w*|rose|grow\w*|grew|growth|fell|dropp\w*|drop)"
                             r"(?:\s+(?:of|by))?\s*$", re.I)
_SUBJECT_CHANGED_BY = re.compile(r"(?:the\s+)?(?:number\s+of\s+)?(?P<np>(?:[\w’'-]+\s+){0,2}?[\w’'-]+)\s+"
                                 r"(?:fell|dropped|decreased|declined|rose|increased|grew)\s+by\s+(?:about\s+)?$")
_CHANGED_BY = re.compile(r"\b(?:reduc|decreas|cut|lower|increas|rais|grew|grow|rose|fell|dropp)\w*\s+"
                         r"(?:the\s+)?(?:number\s+of\s+)?(?P<np>(?:[\w’'-]+\s+){0,3}?[\w’'-]+)\s+by\s+(?:about\s+)?$")


# "village highroads of 5100 km", "300 km of roads", "389 kilograms": units of length and weight
_MEASURE_UNIT = re.compile(r"\s+(?P<u>km|kms|kilomet(?:er|re)s?|kg|kilograms?|tons?|tonnes?)\b", re.I)
_UNIT_NAMES = {"km": "kilometers", "kms": "kilometers", "kilometer": "kilometers", "kilometre": "kilometers",
               "kilometres": "kilometers", "kg": "kilograms", "kilogram": "kilograms", "ton": "tons", "tonne": "tons",
               "tonnes": "tons"}


def measure_figure(s: str, n: Figure, prev: list[Figure]) -> None:
    c0, _ = clause(s, n.start)
    before = s[c0 : n.start]
    u = _MEASURE_UNIT.match(s[n.end :]) if n.kind == "count" else None
    if u:
        unit = _UNIT_NAMES.get(u.group("u").lower(), u.group("u").lower())
        of = re.match(r"\s+of\b", s[n.end + u.end() :])
        phrase = noun_after(s, n.end + u.end() + of.end())[0] if of else ""
        # "the per capita grain possession reached 389 kilograms": the subject names what is measured
        n.measure = phrase or re.sub(r"\s+of$", "", noun_before(s, n.start) or "") or subject_np(s, n.start) or unit
        n.unit = unit
        return
    if n.kind == "count":
        phrase, _ = noun_after(s, n.end)
        if phrase:
            n.measure, n.unit = phrase, unit_of_noun(_HEAD.sub("", phrase))
            return
        m = re.match(rf"\s+of\s+(?:the\s+)?{DIGIT_PATTERN}", s[n.end :])
        if m:
            phrase, _ = noun_after(s, n.end + m.end())
            if phrase:
                n.measure, n.unit = phrase, unit_of_noun(phrase)
                return
        counts = [p for p in prev if p.kind == "count" and p.measure]
        if _INHERIT_KEY.search(before) and counts:
            vp = re.match(r"\s+(?:(?:are|were|is|was)\s+)?((?:[\w’'-]+\s?){1,6})", s[n.end :])
            n.measure = vp.group(1).strip() if vp else counts[-1].measure
            n.unit, n.inherit = counts[-1].unit, True
            if is_plural(n.measure.split()[-1]) and unit_of_noun(n.measure) == "people":
                n.unit = "people"
            return
        verb = re.match(r"\s+(?:are|were)(?=\s)", s[n.end :])
        if verb:  # ", six were key counties for provincial poverty alleviation": its own noun, not the last one's
            phrase, _ = noun_after(s, n.end + verb.end())
            if phrase:
                n.measure, n.unit = phrase, unit_of_noun(_HEAD.sub("", phrase))
                return
        if re.match(r"\s+in total\b", s[n.end :]):
            near = [p for p in counts if p.start >= c0]
            if near:
                n.measure, n.unit = near[-1].measure, near[-1].unit
                return
            ws = words(s[c0 : n.start])
            phrase = " ".join(w.group() for w in ws[-3:])
            if phrase:
                n.measure, n.unit = phrase, unit_of_noun(phrase)
            return
        by = _CHANGED_BY.search(before) or _SUBJECT_CHANGED_BY.search(before)
        if by:  # "reduced the poverty-stricken people by 185,000", "the number of poor people fell by 406,000"
            n.measure, n.unit = by.group("np"), unit_of_noun(by.group("np"))
            return
        phrase = subject_np(s, n.start) or noun_before(s, n.start)
        if phrase:
            n.measure, n.unit = phrase, unit_of_noun(phrase)
            return
        if counts:
            n.measure, n.unit = counts[-1].measure, counts[-1].unit
        return
    if n.kind in ("money", "per_capita"):
        after = s[n.end :]
        # "of which 640 million yuan was fiscal funds", "2 billion Yuan was credit poverty alleviation fund",
        # "80 million Yuan was for the Tibetan areas": the predicate names what the figure is
        pred = re.match(r"(?:\s*\([^()]*\))?\s+(?:was|were)\s+(?:(?:used\s+|earmarked\s+|allocated\s+|set aside\s+)?"
                        r"for\s+)?", after)  # past the figure's own bracket of parts
        if pred and n.kind == "money":
            # the predicate runs to the clause's end or the next figure ("… for social poverty alleviation
            # and 2 billion Yuan was …"); its place stays ("for development in Tibetan areas")
            rest = re.match(r"(?:the\s+)?([A-Za-z][^,;:()\d]*?)\s*(?:[,;:()]|\band\s+(?=\d)|\.|$)",
                            after[pred.end():])
            phrase = rest.group(1).strip() if rest else ""
            verb = re.match(r"\w+ed\b|(?:spent|put|given|paid|built|made|won|sent|lent|raised|granted)\b", phrase)
            if phrase and not verb and len(phrase.split()) <= 8:  # "was invested" is no predicate noun
                n.measure = phrase
                return
        m = re.match(r"\s+(?:of\s+)?((?:[\w’'-]+\s+){0,3}?"
                     r"(?:funds?|loans?|capital|investments?|subsid(?:y|ies)|"
                     r"budgets?|grants?|donations?|credits?|allowances?))\b", after)  # fmt: skip
        if m and not re.search(r"\b(?:to|for|by|the|a|and)\b", m.group(1)):
            n.measure = m.group(1)
            return
        r = _RESPECTIVELY.search(before)
        if r:
            sib = [p for p in prev if p.kind in ("money", "per_capita") and p.start > c0 + r.end()]
            n.measure = r.group(1 + min(len(sib), 1))
            return
        lead = [p for p in prev if p.kind == n.kind and p.measure and p.end <= n.start]
        if lead and re.fullmatch(r"\s*(?:,\s*and|,|and)\s*", s[lead[-1].end : n.start]):
            # "loans of 900 million Yuan and 650 million Yuan respectively": a list of amounts of one measure
            n.measure = lead[-1].measure
            return
        n.measure = subject_np(s, n.start) or noun_before(s, n.start) or _measure_of_verb(before) or "funds"
        return
    if n.kind == "percent":
        shares = _respective_share(s, n, prev)
        if shares:
            n.measure = shares
            return
        m = re.match(r"\s+of\s+(?:the\s+)?", s[n.end :])
        if m:
            phrase, _ = noun_after(s, n.end + m.end() - 1, singular_ok=True, allow_ed=True)
            if phrase:
                n.measure = phrase
                return
        lead = [p for p in prev if p.kind != "percent" and p.measure and p.end <= n.start]
        if lead and _CHANGE_OF_LAST.match(s[lead[-1].end : n.start]):
            # "funds of 1.74 billion Yuan, up 16.1%": the growth of the figure just before it
            n.measure = "growth of " + lead[-1].measure
            return
        if re.search(r"accounting for\s+$", before):
            ref = [p for p in prev if p.kind != "percent" and p.measure]
            n.measure = "share of " + ref[-1].measure if ref else "share"
            return
        if re.search(r"\(\s*$", before):
            seg = re.split(r"[,;()]", before.rstrip(" ("))[-1]
            seg = re.sub(r"^\s*(?:and\s+)?(?:\w+\s+){0,2}?(?:in|along|at|on)\s+|^\s*and\s+", "", seg)
            n.measure = re.sub(r"^(?:the|a)\s+", "", seg.strip())
            return
        n.measure = subject_np(s, n.start) or noun_before(s, n.start) or _measure_of_verb(before)
        return
    n.measure = subject_np(s, n.start) or noun_before(s, n.start) or ("area" if n.kind == "area" else "")


_RESPECTIVE_SHARES = re.compile(r"\brespectively\s+(?:accounting for|accounted for|accounts? for|making up|made up|"
                                r"representing|represented)\s+")
_PERCENT_RUN = re.compile(r"[\d.]+\s*%(?:\s*,\s*(?:and\s+)?|\s+and\s+)?")


def _respective_share(s: str, n: Figure, prev: list[Figure]) -> str:
    """"25 key counties, 2804 villages and 1.54 million poor people, respectively accounting for 48.1%,
    39.5% and 41.6% of the total": the i-th share is of the i-th figure before "respectively"."""
    runs = list(_RESPECTIVE_SHARES.finditer(s, 0, n.start))
    if not runs:
        return ""
    r = runs[-1]
    run = _PERCENT_RUN.match(s, r.end())
    shares = []
    while run and run.group(0):
        shares.append(run.start())
        run = _PERCENT_RUN.match(s, run.end())
    items = [p for p in prev if p.kind != "percent" and p.end <= r.start() and p.measure]
    if n.start not in shares or len(shares) < 2 or len(items) < len(shares):
        return ""
    return "share of " + items[len(items) - len(shares) + shares.index(n.start)].measure


def _measure_of_verb(before: str) -> str:
    m = re.search(r"(?:increase|decrease|rise|drop|growth|reduction|decline)\w*\s+(?:of|by)\s+$", before)
    return m.group(0).split()[0] if m else ""


def duration_measure(s: str, a: int, b: int) -> str:
    """What lasts: 'a term of up to three years' -> 'term'; 'a three-year plan' -> 'plan'; otherwise
    the action of the clause ('Cadres stayed in villages for 3 months' -> 'Cadres stayed in
    villages')."""
    if s[a:b].endswith(("-year", "-month", "-week", "-day")):
        m = re.match(r"\s+((?:[a-z][\w’'-]*\s+){0,2}?[a-z][\w’'-]*s?)\b", s[b:])
        return m.group(1) if m else ""
    c0, _ = clause(s, a)
    before = s[c0:a]
    if re.search(r"\bof\s+(?:up to\s+|at least\s+|about\s+|nearly\s+)?(?:the\s+)?$", before):
        cut = re.search(r"\bof\s+(?:up to\s+|at least\s+|about\s+|nearly\s+)?(?:the\s+)?$", before)
        phrase = noun_before(before[: cut.start()] + "of ", len(before[: cut.start()]) + 3)
        if phrase:
            return phrase
    before = re.sub(r"(?:\b(?:for|within|in|over|during|after|about|up to|at least|more than|nearly|the|a|an|"
                    r"next|past|last|first)\s+)+$", "", before)  # fmt: skip
    seg = re.split(r",\s|[;:(]\s*", before.strip())[-1].strip()
    if seg:
        return " ".join(seg.split()[-6:])
    seg = re.split(r",\s|[;:(]|\.(?:\s|$)", s[b:].lstrip(" ,"))[0]
    return " ".join(seg.split()[:6])
