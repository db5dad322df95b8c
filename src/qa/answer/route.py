"""Which reports a question is answered from, when the index holds several.

The order of the rules (issue 13):

1. ``reports`` given by the caller (the API's ``reports``, the page's picker, ``--report``) bound
   everything: nothing outside them is ever searched or cited;
2. a region (and year) named in the question, or in the earlier question a follow-up resolves
   against, selects its reports: the answer needs no label, the user said which. A year none of the
   region's reports is about selects the report of the year after (which gives it as its
   comparison); a region with several reports left, asked no change, comparison or table, is
   routed among them by rule 4, and the answer says which year;
3. a follow-up that names none stays with the report(s) the previous question was answered from
   (the routing is run again on the previous question: the history is questions only);
4. otherwise the evidence decides: one search over the candidate reports; a report whose passages
   clearly win (all of the best ``TOP_PASSAGES``, or a best score ``WIN_MARGIN`` above any other
   report's) answers alone, labelled "Region, year: …"; else every report whose best passage is
   close to the top one is asked, and those that answer are each given one labelled, cited line
   (up to ``MAX_REPORTS``; beyond that the user is asked to choose).

With one report in the index (or in scope, or named) nothing here changes the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.answer.context import context_for
from qa.answer.draft import Draft
from qa.answer.question import Query
from qa.index.load import QAIndex
from qa.text.lexicon import ACROSS_WORDS, MEASURE_WORDS, MONEY_WORDS
from qa.text.words import stem, words

# A report's best passage must beat every other report's best by this share to answer alone (fused
# scores: BM25 / top BM25 + 0.4 x scaled cosine, so 0.3 is about two more matching rare words; 0.15, 0.3
# and 0.5 were tried on the development sets in one index, 0.3 was best: qa eval series --combined).
WIN_MARGIN = 0.3
# Reports whose best passage is within this share of the top one are asked to answer.
CONTENDER_MARGIN = 0.3
# The most hits routing reads to find each contending report's best passage.
CONTENDER_HITS = 60
# At most this many reports are answered side by side; beyond, the user is asked to choose.
MAX_REPORTS = 5
# A table across reports ("... of each province") asks at most this many reports, the ones whose
# passages fit the question best; the answer says how many were asked.
MAX_TABLE = 40

# English question forms that ask across reports (never the content of one report):
# "each province", "every 2009 report", "each of these reports", "by year", "across the yearbook".
_REPORT_NOUN = r"(?:provinces?|regions?|reports?|places?|autonomous regions?|municipalit(?:y|ies))"
EACH_REPORT = re.compile(
    rf"\b(?:each|every|all|all the|various|different|the individual)\s+(?:of (?:the|these|those)\s+)?"
    rf"(?:(?:selected|chosen|listed)\s+)?(?:(?:19|20)\d\d\s+)?{_REPORT_NOUN}\b|"
    rf"\b(?:by|per|across(?: the)?|among(?: the)?|for all(?: the)?|in all(?: the)?|throughout(?: the)?)\s+"
    rf"(?:{_REPORT_NOUN}|years?(?!-)|yearbook|series)\b|\bprovince by province\b|\byear by year\b|\bover the years\b|"
    rf"\b(?:list|rank)\b.*\b(?:provinces|regions|reports)\b")
CHANGE_WORDS = re.compile(
    r"\b(?:change[sd]?|changing|r[io]se|risen|rising|gr[eo]w[ns]?|grown|growing|increase[sd]?|increasing|"
    r"f[ae]ll|fallen|falling|drop(?:ped)?|declined?|declining|decrease[sd]?|decreasing|evolved?|trend|moved?|"
    r"shr[iau]nk|up or down|differ(?:ence)?|went|gone|go)\b|\bfrom (?:19|20)\d\d to (?:19|20)\d\d\b")
# a comparison between the reports named ("X or Y", "X vs Y", "which had more"), and one by how much
COMPARE_WORDS = re.compile(
    r"\b(?:vs\.?|versus|compared?|comparison|more|most|larger|largest|bigger|biggest|higher|highest|greater|"
    r"greatest|less|least|fewer|fewest|smaller|smallest|lower|lowest|top|ahead|outspent|exceed\w*|"
    r"faster|fastest|quicker|quickest|slower|slowest)\b")
BY_HOW_MUCH = re.compile(r"\bhow (?:much|many) (?:more|less|fewer|higher|lower|bigger|larger|smaller)\b|"
                         r"\bdifference\b|\bgap\b|\bby how (?:much|many)\b|\bhow far\b")
# "going by the 2011 report", "in its 2011 report": the year of the report, whatever the figure's year
REPORT_YEAR = re.compile(r"\b((?:19|20)\d\d)(?:'s|’s)?\s+(?:report|yearbook|edition)\b(?!s)", re.I)
# "from the 2010 report to the 2011 one": the second report too
REPORT_ONE = re.compile(r"\bthe ((?:19|20)\d\d) one\b", re.I)
# "which of the 2010 reports", "the 2011 reports": the reports of a year are the parties
YEAR_REPORTS = re.compile(rf"\b(?:19|20)\d\d\s+{_REPORT_NOUN}\b")
# "which of the two reports", "which province": the parties compared are the reports in scope
WHICH_REPORT = re.compile(rf"\b(?:which|what|whose)\s+(?:one|(?:of (?:the|these|those)\s+)?(?:two |three |four |"
                          rf"five |selected |chosen |picked )*{_REPORT_NOUN})\b")
# (word lists as data: qa/text/lexicon.toml, across_words and measure_words)
MEASURE_STEMS = frozenset(stem(w) for w in MEASURE_WORDS)
ACROSS_STEMS = frozenset(stem(w) for w in ACROSS_WORDS)
MONEY_STEMS = frozenset(stem(w) for w in MONEY_WORDS)


@dataclass
class Plan:
    """A question across reports: the reports to ask, in the order the answer gives them, and how
    their answers are put together (``qa.answer.across``: "table", "compare", "diff", "change")."""

    docs: tuple[str, ...]
    mode: str
    # the parties are a pool ("which of the 2010 reports"), not reports the question names: the reports
    # that state the figure are compared, those that do not are said to, rather than no comparison
    among: bool = False


@dataclass
class Scope:
    """The reports a question may be answered from: ``docs`` (all of them in ``index.documents``
    order), and whether the user decided it (``chosen``: named, picked, or carried by a follow-up
    from a named question), so the answer needs no label."""

    docs: tuple[str, ...]
    chosen: bool


def label(index: QAIndex, doc: str) -> str:
    """"Inner Mongolia, 2009": what an answer says it comes from (the title without metadata)."""
    d = index.documents.get(doc)
    if d is None:
        return doc
    parts = [str(v) for v in (d.meta.get("region"), d.meta.get("year")) if v]
    return ", ".join(parts) or d.title


def named_documents(index: QAIndex, q: Query, pool: tuple[str, ...]) -> tuple[str, ...]:
    """The reports of ``pool`` the question (or the question a follow-up resolves against) names by
    region, each region narrowed to a named year when it has a report of it. When several regions
    are named and one has no report of the year, its report nearest that year stands in ("in 2009,
    Inner Mongolia or Qinghai?" with Qinghai reports of 2010 and 2011: Qinghai, 2010; the answer
    says which report it used)."""
    ctx = context_for(index)  # the region phrases, worked out once per index
    docs = [index.documents[d] for d in pool]
    for said in (q.question, q.context):  # "And in Lanshan?" after an Inner Mongolia question: Lanshan
        text = " " + " ".join(words(said)) + " "
        said_regions = {r for r in ctx.distinct_regions if r in text}
        if not said_regions:
            continue
        regions: dict[str, list] = {}
        for d in docs:
            phrase = ctx.region_phrases.get(d.id)
            if phrase in said_regions:
                regions.setdefault(phrase, []).append(d)
        if not regions:
            continue
        named = []
        # "... in 2010, going by the 2011 report": the report's year, not the year of the figure asked
        of_report = {int(y) for y in REPORT_YEAR.findall(said)}
        of_report |= {int(y) for y in REPORT_ONE.findall(said)} if of_report else set()
        for phrase, ds in regions.items():
            # "Sichuan (2009), Guizhou (2010) ...": a year written right after a region is that region's
            paired = _paired_years(text, phrase.strip()) if len(regions) > 1 else set()
            asked = paired or of_report or q.years
            by_year = [d for d in ds if d.meta.get("year") in asked] or _year_after(ds, asked)
            if by_year or not q.years:
                named += by_year or ds
            elif len(regions) > 1 and all(d.meta.get("year") for d in ds):
                named.append(min(ds, key=lambda d: min(abs(int(d.meta["year"]) - y) for y in q.years)))
            else:
                named += ds
        keep = {d.id for d in named}
        return tuple(d for d in pool if d in keep)
    return ()


def _year_after(ds: list, years: set[int]) -> list:
    """The region's reports of the year after a year asked that none of them is about: a report
    gives its previous year's figures as what it compares with ("up 12% on 2008"), which is also
    why a report's year before its own counts as in reach (``pipeline._out_of_scope``)."""
    return [d for d in ds if d.meta.get("year") and int(d.meta["year"]) - 1 in years]


def _paired_years(text: str, region: str) -> set[int]:
    out = set()
    for m in re.finditer(re.escape(region), text):
        y = re.match(r"(?:'s|’s| s\b)?\s*(?:\(|,|in|of)?\s*((?:19|20)\d\d)\b", text[m.end(): m.end() + 16])
        if y:
            out.add(int(y.group(1)))
    return out


def scope_for(index: QAIndex, q: Query, reports: list[str] | None) -> Scope:
    """Rules 1 and 2: the caller's reports (all when none), narrowed to the ones the question names."""
    pool = tuple(d for d in index.documents if not reports or d in reports)
    if len(pool) < 2:
        return Scope(pool, True)
    named = named_documents(index, q, pool)
    if named:
        return Scope(named, True)
    return Scope(pool, False)


def _year(index: QAIndex, doc: str) -> int:
    y = index.documents[doc].meta.get("year")
    return int(y) if y else 0


def region_of(index: QAIndex, doc: str) -> str:
    return str(index.documents[doc].meta.get("region") or doc)


def named_regions(index: QAIndex, q: Query, docs: tuple[str, ...]) -> set[str]:
    """The regions of ``docs`` the question itself names."""
    text = " " + " ".join(words(q.question)) + " "
    return {r for r in (region_of(index, d) for d in docs) if f" {' '.join(words(r))} " in text}


def across_plan(index: QAIndex, q: Query, scope: Scope, picked: bool = False) -> Plan | None:
    """Whether the question asks across reports, and how. Named reports (several regions, or one
    region over several years), or reports the caller picked when the question speaks of them
    ("which of the two reports"), are each asked: a comparison when the question compares ("which
    had the higher ...", "X vs Y"; by how much when it asks so), a change when one region's years
    are asked, else a table. Unnamed, "each province"/"by year" asks every report in scope (of the
    years named, if any) for a table; otherwise the evidence decides (``contenders``)."""
    docs = scope.docs
    if len(docs) < 2:
        return None
    ql = q.question.lower()
    if scope.chosen or (picked and WHICH_REPORT.search(ql)):
        regions = {region_of(index, d) for d in docs}
        years = {_year(index, d) for d in docs}
        named_years = {y for y in q.years if y in years}
        many_regions = len(named_regions(index, q, docs)) > 1 or (picked and len(regions) > 1)
        by_year = tuple(sorted(docs, key=lambda d: (_year(index, d), region_of(index, d))))
        if len(regions) == 1 and len(years) == len(docs) and (
                CHANGE_WORDS.search(ql) or q.kind == "change" or (len(named_years) > 1 and q.op != "compare")):
            return Plan(by_year, "change")
        # "X or Y?", "X vs Y", "which had more": the parties compared are the reports; "In Sichuan, X or
        # Y?" compares two figures inside each report (a table of in-report answers)
        if (many_regions or len(named_years) > 1) and (q.op in ("compare", "diff") or COMPARE_WORDS.search(ql)):
            mode = "diff" if q.op == "diff" or BY_HOW_MUCH.search(ql) else "compare"
            return Plan(by_year, mode)
        # one region's reports of several years, asked for no change, comparison or table: the evidence
        # picks the year (rule 4 among them), as it does among unnamed reports
        if EACH_REPORT.search(ql) or (not picked and len(regions) > 1):
            return Plan(tuple(sorted(docs, key=lambda d: (region_of(index, d), _year(index, d)))), "table")
        return None
    if YEAR_REPORTS.search(ql) and q.years:  # "which of the 2010 reports ...": the reports of that year
        pool = [d for d in docs if _year(index, d) in q.years]
        if len(pool) >= 2:
            ordered = tuple(sorted(pool, key=lambda d: (region_of(index, d), _year(index, d))))
            if q.op in ("compare", "diff") or COMPARE_WORDS.search(ql):
                return Plan(ordered, "diff" if q.op == "diff" or BY_HOW_MUCH.search(ql) else "compare", among=True)
            return Plan(ordered, "table")
    if EACH_REPORT.search(ql):
        pool = [d for d in docs if not q.years or _year(index, d) in q.years]
        if len(pool) >= 2:
            return Plan(tuple(sorted(pool, key=lambda d: (region_of(index, d), _year(index, d)))), "table")
    return None


def report_query(index: QAIndex, q: Query, doc: str, mode: str) -> Query:
    """The question as one report of an answer across reports can answer it: its own year of those
    asked (a report of another year answers for its own), no operation (putting the answers
    together is ``qa.answer.across``'s), and a figure when a comparison or change is asked, or a
    table of a measure ("land area of each province")."""
    year = _year(index, doc)
    kind = q.kind
    numeric = ("money", "count", "percent", "per_capita", "area")
    if kind == "change" and re.search(r"\b(faster|fastest|quicker|quickest|slower|slowest|rate|points?)\b",
                                      q.question.lower()):
        kind = "percent"  # "whose income growth was faster": each report's growth rate
    if kind == "change" and mode != "change" and re.search(
            r"\b(grew|grow|growth|rose|rise|risen|increased?|increases|fell|fall|drop(?:ped)?|declined?)\b",
            q.question.lower()):
        # "which grew more": each report's own change; "by how much did X exceed Y" and a change across
        # years take each report's level
        numeric += ("change",)
    if kind not in numeric and (mode != "table" or (kind in ("explanation", "which", "who", "list", "auto")
                                                   and set(q.terms) & MEASURE_STEMS)):
        kind = "money" if set(q.terms) & MONEY_STEMS else "auto"
    terms = {t: w for t, w in q.terms.items() if t not in ACROSS_STEMS} or q.terms
    others = _other_reports_words(index, q, doc)
    terms = {t: (w * OTHER_REPORT_WEIGHT if t in others else w) for t, w in terms.items()}
    # in a table each report answers the question itself, except "each ..."'s average-per, which
    # spoke of the reports
    op = q.op if mode == "table" and q.op not in ("per", "compare", "diff") else None
    return replace(q, op=op, kind=kind, years={year} & q.years, terms=terms)


# A word the question says only of another report than this one weighs this much in its question
OTHER_REPORT_WEIGHT = 0.3


def _other_reports_words(index: QAIndex, q: Query, doc: str) -> set[str]:
    """Stems the question says only of other regions than ``doc``'s: "Tibet's 2011 poverty line
    against Inner Mongolia's 2009 line for farming areas" says "farming areas" of Inner Mongolia, so
    Tibet's report is not asked for them. Each region named owns the words from its name to the next
    region named; the words before the first are everyone's."""
    text = q.question.lower()
    regions = index.derived.get("route.regions")
    if regions is None:  # once per index: a series of 1,000 reports has a few dozen regions
        regions = index.derived["route.regions"] = sorted({region_of(index, d).lower() for d in index.documents})
    spots = []
    for r in regions:
        at = re.search(rf"\b{re.escape(r)}\b", text) if r and r in text else None
        if at:
            spots.append((at.start(), at.end(), r))
    spots.sort()
    mine = region_of(index, doc).lower()
    if len({r for *_, r in spots}) < 2 or mine not in {r for *_, r in spots}:
        return set()
    own, other = set(), set()
    for k, (_a, b, r) in enumerate(spots):
        stop = spots[k + 1][0] if k + 1 < len(spots) else len(text)
        stems = {stem(w) for w in words(text[b:stop])}
        (own if r == mine else other).update(stems)
    return other - own - {stem(w) for w in words(text[: spots[0][0]])}


def contenders(index: QAIndex, query_text: str, pool: tuple[str, ...], top: int) -> tuple[tuple[str, ...], list]:
    """Rule 4 on retrieval alone: the winning report, or the reports close to the best one, best
    first; and the search over ``pool`` it decided on (the related reading of the answer)."""
    # enough hits to see each report's best passage in a small index; bounded, since only the few
    # reports near the top can contend (a search of 3,000 hits per question at 1,000 reports)
    hits = index.search(query_text, max(top, min(3 * len(pool), CONTENDER_HITS)), docs=set(pool))
    best: dict[str, float] = {}
    for p, h in hits:
        best.setdefault(p.doc, float(h.score))
    if not best:
        return (), hits
    ranked = sorted(best, key=lambda d: -best[d])
    first = ranked[0]
    if len(ranked) == 1 or all(p.doc == first for p, _ in hits[:top]):
        return (first,), hits
    top_score = best[first]
    if top_score > 0 and top_score >= best[ranked[1]] * (1 + WIN_MARGIN):
        return (first,), hits
    # one more than can be shown: if all of them answer, the user is asked to choose (at 1,000 reports
    # of one series, dozens of reports can be this close, and each asked costs a draft)
    close = [d for d in ranked if best[d] * (1 + CONTENDER_MARGIN) >= top_score]
    return tuple(close[: MAX_REPORTS + 1]), hits


def labelled(index: QAIndex, doc: str, draft: Draft) -> Draft:
    """The draft, saying which report it comes from."""
    draft.text = f"{label(index, doc)}: {draft.text}"
    return draft


def choose_text(index: QAIndex, docs: list[str]) -> str:
    names = "; ".join(label(index, d) for d in docs)
    return (f"At least {len(docs)} reports answer this ({names}). Name a region or year in the question, "
            "or choose the reports to ask.")
