"""Questions that ask for the items of a counted list ("Which four priorities did the leading group
set?", "the five big projects"), answered from the sentence that introduces a list of as many items
("laid down four key tasks for the year: entire village advancement, relocation, ...").

The number asked is the surest signal: a report's list of four tasks is rarely called what the analyst
calls it ("priorities" for "key tasks"), but it is nearly always introduced by its count. Among the
retrieved sentences that introduce a list of that count, the one that covers the question's words best
answers; the items are split at commas and at the last "and", and the whole sentence is cited.
"""

from __future__ import annotations

import re

from qa.answer.context import Context
from qa.answer.draft import Draft
from qa.answer.question import Query, counted_phrase, is_plural
from qa.answer.score import score_sentence
from qa.answer.thresholds import TEXT_MIN, UNCALIBRATED_MAX
from qa.index.load import QAIndex
from qa.text.numbers import to_number
from qa.text.words import stem, words

_N = r"(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[2-9]|1[0-2])"
_NOUN = r"((?:[\w'’-]+\s+){0,3}?[a-z][\w-]*s)\b"
# "Which four priorities ...", "What were the four key tasks ...", "Name the five priorities ...":
# the list is the thing asked; "What did the five projects cost?" asks a figure of it and is not matched
ASKED = re.compile(rf"^(?:and\s+)?(?:which|what|name|list|give)\s+(?:(?:were|are|was|is|the|its|their)\s+){{0,2}}"
                   rf"{_N}\s+{_NOUN}", re.I)
# terse: "cangping 12th five-year poverty plan: the five big projects"
TERSE = re.compile(rf"\bthe\s+{_N}\s+((?:[\w'’-]+\s+){{0,2}}[a-z][\w-]*s)\s*\??\s*$", re.I)
FIGURE_ASKED = re.compile(r"\bhow (many|much|far|long)\b|\b(cost|spend|spent|invest|amount|sum|total|share)\b", re.I)
# the sentence's own introduction of a list: "four key tasks:", "five major projects, namely", ...
INTRO_TAIL = r"[\"”’]?\s*(?::|,?\s*(?:namely|i\.e\.|that is|as follows|which (?:are|were)|including)\b[:,]?|—|–)\s*"
# "four key tasks for the year:": a short phrase may stand between the items' noun and the colon
INTRO = re.compile(rf"\b{_N}\s+((?:[\w\"“”'‘’-]+\s+){{0,4}}?[\w-]+s)(?:\s+(?:for|of|in|on|to)\s+[\w\s'’-]{{1,30}}?)?"
                   rf"{INTRO_TAIL}", re.I)


def _count(token: str) -> int:
    return int(to_number(token) or 0)


def asked(question: str) -> tuple[int, str] | None:
    """How many items the question asks for and the noun it calls them by, if it asks for a list's items."""
    if FIGURE_ASKED.search(question):
        return None
    m = ASKED.search(question.strip()) or TERSE.search(question.strip())
    if not m:
        return None
    return _count(m.group(1)), m.group(2).split()[-1].lower()


def split_items(tail: str, n: int) -> list[str]:
    """The items of a list written "a, b, c and d" (or with semicolons); an "and" inside an item ("high
    and cold areas") is kept when the commas already give the count."""
    tail = tail.strip().rstrip(".;").strip()
    parts = [p.strip() for p in re.split(r";\s*", tail) if p.strip()]
    if len(parts) != n:
        parts = [p.strip() for p in re.split(r",\s*", tail) if p.strip()]
    parts = [re.sub(r"^(?:and|as well as)\s+", "", p) for p in parts]
    if len(parts) == n - 1 and " and " in parts[-1]:
        head, _, last = parts[-1].rpartition(" and ")
        parts[-1:] = [head.strip(), last.strip()]
    return [p for p in parts if p]


def enumeration_answer(q: Query, index: QAIndex, hits, ctx: Context) -> Draft | None:
    """The items of the list the question asks for, from the best retrieved sentence introducing a list
    of as many items; None when no retrieved sentence does."""
    got = asked(q.question)
    if got is None:
        return None
    n, noun = got
    best = None
    for rank, (p, _h) in enumerate(hits):
        doc_text = index.documents[p.doc].text
        for a, b, _row in index.sentences_by_passage.get(p.id, ()):
            sent = doc_text[a:b]
            for m in INTRO.finditer(sent):
                if _count(m.group(1)) != n:
                    continue
                items = split_items(sent[m.end():], n)
                if len(items) < 2:
                    continue
                score = score_sentence(q, sent, p, rank, ctx.vocab)
                if stem(noun) in {stem(w) for w in words(m.group(2))}:
                    score += 0.3  # the report calls the items what the question calls them
                if len(items) == n:
                    score += 0.2
                if best is None or score > best[0]:
                    best = (score, p, a, b, m.end(), items)
    if best is None or best[0] < TEXT_MIN:
        return None
    score, p, a, b, tail_at, items = best
    sentence = index.documents[p.doc].text[a:b]
    listed = ", ".join(items[:-1]) + " and " + items[-1]
    conf = round(max(0.05, min(UNCALIBRATED_MAX, 0.35 + (score - TEXT_MIN))), 2)
    end = len(sentence.rstrip().rstrip("."))
    cites = [(p.id, a, b, [(tail_at, end)])]
    return Draft(f"{listed}. Source: “{sentence}”", [], conf, "list", extra_citations=cites)


# "How many plans did the province draw up?" when the report names them without counting them: the
# titles it lists in one sentence are counted. Any title is a document; else a title must name the noun.
TITLE = re.compile(r"[“\"]([A-Z0-9][^”\"\s]*(?:\s+[^”\"\s]+){3,40})[”\"]")  # capitalised, four words or more
TIME_NOUNS = {"year", "month", "day", "week", "time"}
HOW_MANY_OF = re.compile(r"\bhow many of\b", re.I)
ANY_TITLE = {"document", "paper", "file", "titl", "polici"}


def counted_phrase_plural(question: str) -> list[str]:
    """The noun phrase "how many <phrase>" / "number of <phrase>" counts, ending with its plural noun."""
    phrase = counted_phrase(question, "how many|number of")
    while phrase and not is_plural(phrase[-1]):
        phrase.pop()
    return phrase


def counted_titles(q: Query, index: QAIndex, hits, ctx: Context) -> Draft | None:
    """The number of titles a retrieved sentence lists, for a "how many <documents>" question that no
    stated figure answers; the count is shown with its operands, the titles, and the sentence cited."""
    phrase = counted_phrase_plural(q.question)
    if q.kind not in ("count", "auto") or q.op or q.numbers or not phrase or HOW_MANY_OF.search(q.question):
        return None  # "how many of the six plans are ...": a part of a list, not its length
    noun = stem(phrase[-1])
    if noun in TIME_NOUNS:
        return None
    # "planning documents": a document title counts when it names what the phrase's other words do
    named = {stem(w) for w in phrase[:-1]} - {"poverti", "allevi", "develop", "the", "its", "their"}

    def counts(title: str) -> bool:
        own = {stem(w) for w in words(title)}
        return noun in own or (noun in ANY_TITLE and (not named or bool(named & own)))

    best = None
    for rank, (p, _h) in enumerate(hits):
        doc_text = index.documents[p.doc].text
        for a, b, _row in index.sentences_by_passage.get(p.id, ()):
            sent = doc_text[a:b]
            titles = [m for m in TITLE.finditer(sent) if counts(m.group(1))]
            if len(titles) < 2:
                continue
            score = score_sentence(q, sent, p, rank, ctx.vocab)
            if best is None or score > best[0]:
                best = (score, p, a, b, titles)
    if best is None or best[0] < TEXT_MIN:
        return None
    score, p, a, b, titles = best
    unit = phrase[-1]
    n = len(titles)
    comp = f"titles listed: {n} = {n} {unit}"
    listed = "; ".join(f"“{m.group(1)}”" for m in titles)
    conf = round(max(0.05, min(UNCALIBRATED_MAX, 0.3 + (score - TEXT_MIN))), 2)
    cites = [(p.id, a, b, [(m.start(), m.end()) for m in titles])]
    # the sentence itself is the citation; the answer shows the operands of the count, the titles
    return Draft(f"{n} {unit}, counted from the titles the report lists: {listed}.", [],
                 conf, "arithmetic", computation=comp, computed_value=float(n), computed_unit=unit,
                 extra_citations=cites)
