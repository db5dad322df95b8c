"""Features of one (question, candidate figure) pair, for the fitted ranker (``qa.answer.ranker``).

Each feature is a signal that should hold on any report of the series, not on one: the word-level
score of ``qa.answer.score`` and its parts, the embedding similarity of the question with the
figure's sentence and with the figure's own clause (``qa.text.clauses.figure_context``, embedded at
index time), where the candidate stands among the others of the question, and a few shape signals
(the figure is a part of a stated whole, stands in brackets, is introduced as a total). The same
function computes them for training (``qa.evaluation.fit``) and for answering, so the two agree.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np

from qa.answer.changes import GROWTH_Q, is_change
from qa.answer.question import Query, analyze, proper_names
from qa.answer.score import KIND_STEMS, SYNONYMS, TOTAL_Q, Scored, candidates
from qa.answer.thresholds import TOP_PASSAGES
from qa.text.lexicon import TIERS
from qa.text.words import STOPWORDS, content_words, stem, words

NAMES = (
    "rule_score", "coverage", "unit_match", "measure_precision", "miss", "passage_rank", "dense_sentence",
    "dense_clause", "clause_margin", "score_margin", "clause_is_best", "score_is_best", "log_candidates",
    "same_kind", "is_part", "in_brackets", "total_asked_total_near", "total_asked_part", "year_in_sentence",
    "context_cover", "context_cover_margin", "change_asked_change_near", "unit_agrees", "key_miss",
    "change_mismatch", "tier_conflict", "part_whole", "in_quotes", "beside_previous", "is_previous",
    "near_cover", "near_cover_margin", "score_lead", "cover_lead",
)
CHANGE_NEAR = re.compile(r"\b(up|down|by|more|less|increase\w*|decrease\w*|reduc\w*|rise|rose|grew|growth|fell|"
                         r"drop\w*|declin\w*|higher|lower)\b", re.I)


def feature_rows(q: Query, cands: list[Scored], index, qvec: np.ndarray | None, previous=None) -> np.ndarray:
    """One row of ``NAMES`` per candidate (in the order given); ``previous`` is the figure that
    answers the previous question of a follow-up (``previous_figure``), if any."""
    if not cands:
        return np.zeros((0, len(NAMES)), np.float32)
    clause = []
    for c in cands:
        row = index.fact_row.get(c.item.id) if index.fact_vectors is not None else None
        clause.append(float(index.fact_vectors[row] @ qvec) if row is not None and qvec is not None else 0.0)
    scores = [c.score for c in cands]
    cover = [context_cover(q, index.fact_context.get(c.item.id, c.item.sentence)) for c in cands]
    texts = [index.fact_context.get(c.item.id, c.item.sentence) for c in cands]
    vectors = word_vectors(index, set().union(*map(_content_words, texts)) | {w for w in words(q.question)
                                                                               if stem(w) in q.terms})
    memo = index.derived.setdefault("answer.near_sims", {})
    if len(memo) > 500_000:
        memo.clear()
    near = [near_cover(q, t, vectors, memo) for t in texts]
    best_near = max(near)
    best_cover = max(cover)
    best_clause, best_score = max(clause), max(scores)
    total_q = bool(TOTAL_Q.search(q.question))
    rows = []
    for i, (c, dc, cv, nc) in enumerate(zip(cands, clause, cover, near, strict=True)):
        f = c.item
        a, b = f.start - f.sentence_start, f.end - f.sentence_start
        near = f.sentence[max(0, a - 30): b + 20]
        rows.append([
            c.score, c.coverage, float(c.notes.get("unit", 0.0)), float(c.notes.get("measure", 0.0)),
            float(c.notes.get("miss", 0.0)), float(c.rank), float(c.notes.get("dense", 0.0)),
            dc, dc - best_clause, c.score - best_score, float(dc == best_clause), float(c.score == best_score),
            math.log(len(cands)), float(f.kind == q.kind),
            float(bool(f.part_of)), float(_in_brackets(f.sentence, a, b)),
            float(total_q and bool(TOTAL_Q.search(near))), float(total_q and bool(f.part_of)),
            float(any(str(y) in f.sentence for y in q.years)),
            cv, cv - best_cover,
            float(q.kind == "change" and bool(CHANGE_NEAR.search(index.fact_context.get(f.id, "")))),
            float(bool(q.unit) and q.unit == f.unit),
            float(c.notes.get("key_miss", 0.0)), change_mismatch(q, f),
            tier_conflict(q.question, own_phrase(f.sentence, a, b)), part_whole(q.question, f.sentence, b),
            float(in_quotes(f.sentence, a, b)),
            float(previous is not None and f.sentence_start == previous.sentence_start and f.id != previous.id),
            float(previous is not None and f.id == previous.id),
            nc, nc - best_near, _lead(scores, i), _lead(cover, i),
        ])
    return np.asarray(rows, np.float32)


def _lead(values: list[float], i: int) -> float:
    """How far candidate ``i`` stands above the best of the others (negative when behind): a clear
    winner and a near tie look the same to a margin taken from the best, which is 0 for the best."""
    others = values[:i] + values[i + 1:]
    return values[i] - max(others) if others else 1.0


def previous_figure(q: Query, index, ctx, hits):
    """The figure that best answers the previous question of a follow-up, by the word-level score (not
    the fitted ranker, so that its features do not depend on a model): "And what share of the target
    did that represent?" is most often answered in the sentence that answered the question before.
    Searched within the reports of ``hits``. None when the follow-up names another report's region
    ("And in Inner Mongolia?"): the previous question asked of that report is this one, and its figure
    the answer (a place inside the report, "And in Hulunbeier?", keeps the previous figure apart)."""
    if not q.context or any(w in ctx.common_names for n in proper_names(q.question) for w in n.lower().split()):
        return None
    prev = analyze(q.context, ignore_names=ctx.common_names, ignore_stems=ctx.common_stems)
    if prev.op or prev.kind not in ("money", "count", "percent", "auto", "change"):
        return None
    docs = {p.doc for p, _ in hits} or None
    prev_hits = index.search(prev.query_text or prev.question, TOP_PASSAGES, docs=docs)
    # the word-level score's best, unless its own phrase names another tier or it is a change where a
    # level was asked ("national key counties?": not "7 provincial key counties" beside "73 national")
    fits = [c for c in candidates(prev, index, prev_hits, ctx) if not change_mismatch(prev, c.item) and not
            tier_conflict(prev.question, own_phrase(c.item.sentence, c.item.start - c.item.sentence_start,
                                                    c.item.end - c.item.sentence_start))]
    return fits[0].item if fits else None


NEAR_MIN = 0.5  # cosine of two single words below which the model's neighbours are mostly noise


def word_vectors(index, wanted: set[str]) -> dict[str, np.ndarray]:
    """Vectors of single words, kept for the index's life: those the index stored at build time
    (``qa.index.wordvecs``: every content word of its reports, so the question path rarely runs the
    encoder), then common English words stored with the encoder (``qa.index.common_words``), and
    the others encoded in one batch. The same bits whichever way a word came."""
    cache = index.derived.setdefault("answer.word_vectors", {})
    missing = [w for w in wanted if w not in cache]
    if missing:
        stored, new = getattr(index, "word_vectors", None), []
        common = getattr(index, "common_words", None)  # common English words, embedded at export
        for w in missing:
            v = stored.get(w) if stored is not None else None
            if v is None and common is not None:
                v = common.get(w)
            if v is None:
                new.append(w)
            else:
                cache[w] = v
        new.sort()
        if new:
            for w, v in zip(new, index.retriever.encoder.encode(new), strict=True):
                cache[w] = v
    return cache


# "What was the rural poverty incidence in ...?": the noun phrase a what-question asks for
ASKED_PHRASE = re.compile(r"^\s*(?:and\s+)?what\s+(?:was|is|were|are)\s+(?:the|its|their)\s+"
                          r"(?P<np>[a-z-]+(?:\s+[a-z-]+){0,3}?)\s*(?:\b(?:of|in|for|at|on|by|during|among|across)\b|"
                          r"[?.]|$)", re.I)


def lacks_asked_word(q: Query, index, vocab) -> bool:
    """A word of the thing a what-question asks for that no report of the index holds in any form,
    by a lexicon synonym, or by a close word as the embedding model sees single words ("What was the
    poverty incidence?" asked of a report that never gives one): no sentence of the index answers it.
    Only the words the index stored at build time are compared (``qa.index.wordvecs``); without them
    nothing is lacking. The question's other words (its verbs: "draw up", "hit") may be paraphrased."""
    stored = getattr(index, "word_vectors", None)
    m = ASKED_PHRASE.match(q.question)
    if stored is None or not len(stored) or not m:
        return False
    surface = {stem(w): w for w in words(m.group("np"))}
    for t, w in q.terms.items():
        if w < 1.0 or t not in surface or t in vocab.df or SYNONYMS.get(t, frozenset()) & vocab.df.keys():
            continue
        word = surface[t]
        v = word_vectors(index, {word})[word]
        if float(np.max(np.asarray(stored.vectors) @ v)) < NEAR_MIN:
            return True
    return False


@lru_cache(maxsize=65536)
def _content_words(text: str) -> frozenset[str]:
    # Cached: the same figure contexts come up question after question
    return frozenset(content_words(text))


def near_cover(q: Query, text: str, vectors: dict[str, np.ndarray], memo: dict | None = None) -> float:
    """``context_cover`` where a question word the figure's words lack counts by its closest word
    there, as the embedding model sees single words ("destitute" ~ "poverty-stricken", "budgetary" ~
    "budget", "acreage" ~ "farmland"): paraphrases no word list holds. Measured with the lexicon's
    synonyms removed, it won back part of what they give (eval/RANKER.md). ``memo`` keeps the
    closest similarity per (text, question word) across questions (a word's vector never changes)."""
    found_words = _content_words(text)
    surface = {stem(w): w for w in words(q.question)}

    def near(t: str) -> float:
        if t not in surface or not found_words:
            return 0.0
        key = (text, surface[t])
        sim = memo.get(key) if memo is not None else None
        if sim is None:
            qv = vectors[surface[t]]
            sim = max(float(vectors[c] @ qv) for c in found_words)
            if memo is not None:
                memo[key] = sim
        return sim if sim >= NEAR_MIN else 0.0

    return _covered(q, {stem(w) for w in found_words}, near)


def context_cover(q: Query, text: str) -> float:
    """Share of the question's term weight found in the figure's own words, a synonym (the lexicon)
    counting 0.7."""
    return _covered(q, {stem(w) for w in words(text)})


def _covered(q: Query, found: set[str], near=None) -> float:
    """Share of the question's term weight in ``found`` (stems): a term itself counts whole, a
    lexicon synonym 0.7, else ``near(term)`` (a similarity, 0 for none) when given."""
    got = 0.0
    for t, w in q.terms.items():
        if t in found:
            got += w
        elif SYNONYMS.get(t, frozenset()) & found:
            got += 0.7 * w
        elif near is not None:
            got += near(t) * w
    return got / (sum(q.terms.values()) or 1.0)




def asks_change(q: Query) -> bool:
    """The question asks by how much something changed, as an amount or a rate."""
    return q.kind == "change" or (q.kind == "percent" and growth_asked(q))


def growth_asked(q: Query) -> bool:
    """A word of growth in the question as asked or as typo-corrected ("percent increse")."""
    return bool(GROWTH_Q.search(q.question) or (q.corrected and GROWTH_Q.search(q.corrected)))


def change_mismatch(q: Query, f) -> float:
    """1 when the question asks for a change and the figure states a level, or the other way round
    ("how many poor were left" is not answered by "reduced the poor by 600,000")."""
    asked = asks_change(q)
    return float(asked != is_change(f))


# The base a change is measured against, stated right after the figure ("up 222% over 2000 and up
# 12.4% over the previous year") or asked ("year-on-year", "compared with 2009", "than in 2000").
_PREVIOUS = (r"(?:the\s+)?(?:previous|last|preceding|prior)\s+year|"
             r"the same period (?:of|in) (?:the )?(?:previous|last) year")
BASE_AFTER = re.compile(rf"^\s*(?:%|percent|per cent)?\s*(?:(?:more|higher|lower|less|fewer)\s+)?(?:than|over|"
                        rf"compared (?:with|to)|from)\s+(?:that\s+(?:of|in)\s+|in\s+)?"
                        rf"(?P<base>(?:19|20)\d\d|{_PREVIOUS})\b|"
                        rf"^\s*(?:%|percent|per cent)?\s*(?P<yoy>year[- ]on[- ]year)\b", re.I)
BASE_ASKED = re.compile(rf"\b(?:than|over|compared (?:with|to)|from|since|relative to|versus|vs\.?|on)\s+(?:in\s+)?"
                        rf"(?:the\s+end\s+of\s+)?(?P<base>(?:19|20)\d\d|{_PREVIOUS})\b|(?P<yoy>\byear[- ]on[- ]year\b|"
                        rf"\byoy\b|\bannual (?:growth|increase|rise))", re.I)


def _base_year(m: re.Match | None, year: int | None) -> int | None:
    """The year a base match names: a year as written, "the previous year" as ``year`` - 1."""
    if m is None:
        return None
    base = m.group("base")
    if base and base[:2] in ("19", "20") and base.isdigit():
        return int(base)
    return year - 1 if year is not None else None


def base_conflict(q: Query, f) -> float:
    """1 when the question asks a change against one base ("year-on-year", "compared with 2009", or,
    when it names none, the year before) and the figure states it against another ("up 222% over
    2000" in a 2010 report). A figure that states no base never conflicts."""
    if not asks_change(q):
        return 0.0
    b = f.end - f.sentence_start
    said = BASE_AFTER.match(f.sentence[b: b + 60])
    if said is None:
        return 0.0
    asked = BASE_ASKED.search(q.question)
    year = max((y for y in q.years if not (asked and asked.group("base") == str(y))), default=f.period_start)
    want = _base_year(asked, year) if asked else (year - 1 if year is not None else None)
    got = _base_year(said, year)
    return float(want is not None and got is not None and want != got)


TIER_RES = {t: re.compile(r"\b(" + "|".join(re.escape(w) for w in ws) + r")\b", re.I) for t, ws in TIERS.items()}


def tiers(text: str) -> set[str]:
    """The tiers of government ``text`` names (the lexicon's national and provincial words)."""
    return {t for t, rx in TIER_RES.items() if rx.search(text)}


def tier_conflict(question: str, phrase: str) -> float:
    """1 when the question names one tier of government and the figure's own phrase only another
    ("national key counties" asked, "7 provincial key counties" stated)."""
    asked, said = tiers(question), tiers(phrase)
    return float(bool(asked) and bool(said) and not asked & said)


PHRASE_BEFORE = re.compile(r"\d|[,;:()]|\band\b")
PHRASE_AFTER = re.compile(r"\d|[,;()]|\band\b")


def own_phrase(sentence: str, a: int, b: int) -> str:
    """The words that belong to the figure at ``a:b`` alone: back to the previous figure or break,
    on to the next ("73 national key counties and 7 provincial key counties": for 7, "provincial
    key counties ...")."""
    before = list(PHRASE_BEFORE.finditer(sentence, 0, a))
    after = PHRASE_AFTER.search(sentence, b)
    return sentence[before[-1].end() if before else 0: after.start() if after else len(sentence)]


PART_Q = re.compile(r"\b(how (much|many) of|what (share|part|portion|proportion) of|of (it|them|which|those))\b", re.I)
WHOLE_AFTER = re.compile(r"^[^.;]{0,80}?\b(of which|among which|among them|including)\b", re.I)


# "How much of the grant came from the provincial budget?": the words that name the part asked
PART_NAMED = re.compile(r"\bhow (?:much|many) of\b.*?\b(?:came|come|comes|was|were|is|are|went|go|goes)\s+"
                        r"(?:from|for|to|by)\s+(?P<part>[^?.,;]+)", re.I)


def part_named(question: str, phrase: str) -> bool:
    """False when the question asks for the part of a whole that comes from or goes to something
    ("how much of the fiscal money came from the provincial budget") and the figure's own phrase
    names it in no form (the word, a lexicon synonym, its tier of government): that figure is the
    whole, or another part. True when no such part is asked."""
    m = PART_NAMED.search(question)
    if not m:
        return True
    asked = {stem(w) for w in words(m.group("part")) if w not in STOPWORDS and not w.isdigit()}
    asked -= KIND_STEMS | {"govern", "level"}  # money words and "government" say where money sits, not whose
    if not asked:
        return True
    said = {stem(w) for w in words(phrase)}
    if asked & said or any(SYNONYMS.get(t, frozenset()) & said for t in asked):
        return True
    return bool(tiers(m.group("part")) & tiers(phrase))


def part_whole(question: str, sentence: str, b: int) -> float:
    """1 when the question asks for a part ("how much of the grant came from the centre") and the
    figure is the whole the sentence goes on to divide ("987.17 million ..., of which 852.17 ...")."""
    return float(bool(PART_Q.search(question)) and bool(WHOLE_AFTER.search(sentence[b:])))


def in_quotes(sentence: str, a: int, b: int) -> bool:
    """The figure stands inside a quoted slogan or title ("“training ten thousand people ...”"),
    which names a campaign rather than states a result."""
    curly = sentence.rfind("\u201c", 0, a) > sentence.rfind("\u201d", 0, a) and sentence.find("\u201d", b) != -1
    straight = sentence.count('"', 0, a) % 2 == 1 and sentence.find('"', b) != -1
    return curly or straight


def _in_brackets(sentence: str, a: int, b: int) -> bool:
    return sentence.rfind("(", 0, a) > sentence.rfind(")", 0, a) and sentence.find(")", b) != -1
