"""Compose a draft answer from the scored candidates: a figure (or several that fit equally well)
for numeric questions, the best sentence or the entities it names for text questions.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from qa.answer import ranker
from qa.answer.context import Context
from qa.answer.derived import change_worked_out, per_unit_total, planned_from_rate, previous_year, rise_of
from qa.answer.draft import Draft, state_fact, state_facts
from qa.answer.features import (
    asks_change,
    base_conflict,
    change_mismatch,
    feature_rows,
    is_change,
    lacks_asked_word,
    own_phrase,
    part_named,
    previous_figure,
    tier_conflict,
)
from qa.answer.guards import body_named, joint_figure, scope_stated, whole_stated
from qa.answer.question import Query, analyze, proper_names
from qa.answer.quoted import quotes
from qa.answer.score import Scored, candidates, score_sentence
from qa.answer.thresholds import NUMERIC_MIN, SENTENCE_DENSE_WEIGHT, SUMMARY_MIN, TEXT_MIN, TIE_MARGIN, UNCALIBRATED_MAX
from qa.answer.worked_back import growth_elsewhere
from qa.corpus.passages import ITEM_RE
from qa.index.load import QAIndex
from qa.text.clauses import CLAUSE_BREAK, phrases
from qa.text.lexicon import LEAD_VERBS, OFFICES
from qa.text.words import STOPWORDS, stem, words

# An area asked ("what floor area", "how many mu"): else a count is not answered by an area
AREA_ASKED = re.compile(r"\b(area|areas|floor|square|acreage|size|scale|space|mu|hectares?|land)\b", re.I)
# An average asked ("per village", "on average", "each") and a figure stated as one ("average input per village")
AVERAGE_ASKED = re.compile(r"\b(average|per|each|apiece|a head|mean)\b", re.I)
AVERAGE_MEASURE = re.compile(r"\baverage\b|\bper (?!capita\b)\w+", re.I)
TOTAL_WORDS = re.compile(r"\b(total|in all|altogether|overall|all together)\b", re.I)


def numeric_answer(q: Query, index: QAIndex, hits, ctx: Context) -> Draft | None:
    got = _numeric_answer(q, index, hits, ctx)
    earlier_asked = q.kind != "change" and q.years and any(y + 1 in ctx.report_years for y in q.years)
    if got is None and earlier_asked:
        # the year before the report's, when no figure answers it: worked back from a level and the
        # growth of the same measure stated in a sentence of its own
        got = growth_elsewhere(q, index, hits, ctx)
    if got is not None and earlier_asked and q.op == "diff" and q.years & ctx.report_years:
        # "how many yuan more in 2011 than in 2010": the rise itself, stated or worked out from a growth;
        # never the level of one of the two years
        if not got.worked_back and not got.computation and got.facts and not is_change(got.facts[0]):
            got = growth_elsewhere(q, index, hits, ctx)
        return rise_of(got) if got is not None and got.worked_back else got
    return got


def _numeric_answer(q: Query, index: QAIndex, hits, ctx: Context) -> Draft | None:
    planned = planned_from_rate(q, index, hits, ctx)
    if planned is not None:
        return planned
    if q.kind != "change" and q.years and any(y + 1 in ctx.report_years for y in q.years):
        # A question about the year before the report's: a figure worked back from "X, up by D
        # over <year>" answers it better than one that merely sits next to that year.
        earlier = previous_year(q, index, hits, ctx)
        # not worked back from one figure when the ranker is sure another is the measure asked: "matching
        # money in 2010" is not worked back from the central funds' level and growth
        level = sure_pick(replace(q, years=set()), index, hits, ctx) if earlier is not None else None
        if earlier is not None and (not level or level.id == earlier.facts[0].id):
            return earlier
    # "And in Inner Mongolia?" names another place: its answer is a figure of there, and the previous
    # question's best figure there is just that one, not something to avoid
    before = previous_answer(q, index, hits, ctx) if q.elliptical and q.context and not proper_names(
        q.question) else None
    # "And what share of the target was that?", "And against the plan, how far was it fulfilled?"
    of_plan = bool(PLAN_WORDS.search(q.question)) and not re.search(r"\bhow (many|much)\b", q.question, re.I)
    if before is not None and (asks_change(q) or of_plan):
        follow = figure_after(q, index, *before, rate=of_plan or None)
        if follow is not None:
            return follow
    cands = candidates(q, index, hits, ctx)
    if q.kind == "percent":
        # a share or rate is not a change of something ("the repayment rate" is not "funds increased by
        # at least 15 percent"), nor the other way round: two different quantities in the same unit
        cands = [c for c in cands if not change_mismatch(q, c.item)]
    elif q.kind == "change" and any(is_change(c.item) for c in cands):
        # a growth asked is not answered by the level it grew to ("3617 Yuan, up 12.4%") when a change
        # is stated; when none is, a level may say it ("added effective irrigation area of 1.2 million mu")
        cands = [c for c in cands if is_change(c.item)]
    elif q.op == "diff" and q.kind != "percent" and re.search(r"\b(than|compared)\b", q.question, re.I):
        # "how much more in 2011 than the year before?" that no computation answered: only a difference the
        # report states ("136 million Yuan more than in 2010") answers it, never a level
        cands = [c for c in cands if is_change(c.item)]
    if q.kind == "count" and q.unit not in ("m²", "km²", "mu") and not AREA_ASKED.search(f"{q.question} {q.corrected}"):
        # "how many hospitals and primary schools" counts buildings, not their "1.58 million square meters"
        cands = [c for c in cands if c.item.kind != "area"]
    if not AVERAGE_ASKED.search(q.question):
        # "How much was invested in X?" asks the amount, not "the average input per village" beside it
        cands = [c for c in cands if not (c.item.kind == "per_capita" and AVERAGE_MEASURE.search(c.item.measure or ""))]
    # a change asked against one base is not answered by one against another ("year-on-year" is not
    # "up 222% over 2000"); a figure that names no base stays
    cands = [c for c in cands if not base_conflict(q, c.item)]
    # one tier's money asked ("the province's own allocation"): not what two tiers gave together
    cands = [c for c in cands if not joint_figure(q, c.item)]
    worked = change_worked_out(q, index, hits, ctx) if asks_change(q) else None
    if worked is not None:  # "by how many yuan" when the report says "up 75%"
        return worked
    if before is not None:
        # "And for a big village?" after the small village's figure: a follow-up asks for another figure
        cands = [c for c in cands if c.item.id != before[0].id]
    model = ranker.load()
    if model is not None and cands:
        # The fitted ranker picks the figure and says how sure it is (qa.answer.ranker).
        qvec = index.retriever.encoder.encode_query(q.query_text)
        rows = feature_rows(q, cands, index, qvec, previous_figure(q, index, ctx, hits))
        probs = model.probabilities(rows)
        k = int(np.argmax(probs))
        conf = model.confidence(float(probs[k]), rows[k])
        if conf < model.threshold:
            return None
        best = cands[k]
        f = best.item
        phrase = own_phrase(f.sentence, f.start - f.sentence_start, f.end - f.sentence_start)
        if not part_named(q.question, phrase):
            return None  # the part asked is not what this figure is: it is the whole, or another part
        if tier_conflict(q.question, phrase) and tier_conflict(q.question, f.sentence):
            return None  # "the regional key counties" asked, only "the 19 national key counties" stated
        if not scope_stated(q, f.sentence, ctx) or not whole_stated(q, phrase):
            return None  # "in its 25 key counties alone", "all farmers": a figure of another scope
        if TOTAL_WORDS.search(q.question):
            total = per_unit_total(best.item, index)
            if total is not None:
                return total
        return Draft(state_fact(best.item), [best.item], round(conf, 2), best.item.kind)
    if not cands or cands[0].score < NUMERIC_MIN:
        return None
    best = cands[0]
    # Figures that fit equally well are all given, not one silently: a different value, or the same
    # value stated for something else (two different items of 26 million Yuan).
    ties = [c for c in cands[1:4] if best.score - c.score <= TIE_MARGIN
            and (c.item.value != best.item.value or c.item.sentence_start != best.item.sentence_start)
            and c.item.kind == best.item.kind and c.item.unit == best.item.unit]
    if TOTAL_WORDS.search(q.question):
        total = per_unit_total(best.item, index)
        if total is not None:  # "total value of the grants": 3,150 girls x 1,000 yuan each
            return total
    chosen = [best] + ties
    text = state_fact(best.item) if len(chosen) == 1 else state_facts([c.item for c in chosen])
    return Draft(text, [c.item for c in chosen], _confidence(best.score, cands), best.item.kind)


RATE_WORDS = re.compile(r"\b(percent|percentage|rate|fast|quickly)\b|%", re.I)


PLAN_WORDS = re.compile(r"\b(plan|planned|target|scheduled|task|tasks|goal|fulfil\w*|complet\w*)\b", re.I)


def previous_answer(q: Query, index: QAIndex, hits, ctx: Context):
    """The figure that answered the previous question of a follow-up and its confidence: the fitted
    ranker's pick for it, only when it is sure enough to have answered; else None."""
    if ranker.load() is None:
        return None
    prev = analyze(q.context, ignore_names=ctx.common_names, ignore_stems=ctx.common_stems)
    if prev.op or prev.kind not in ("money", "count", "auto"):
        return None
    return _pick(prev, index, hits, ctx, with_previous=False)


def sure_pick(q: Query, index: QAIndex, hits, ctx: Context):
    """The fitted ranker's figure for ``q`` when it is sure enough to answer with it, else None; False
    when there is no fitted ranker to ask."""
    if ranker.load() is None:
        return False
    picked = _pick(q, index, hits, ctx)
    return picked[0] if picked else None


def _pick(q: Query, index: QAIndex, hits, ctx: Context, with_previous: bool = True):
    model = ranker.load()
    cands = candidates(q, index, hits, ctx)
    if not cands:
        return None
    qvec = index.retriever.encoder.encode_query(q.query_text or q.question)
    rows = feature_rows(q, cands, index, qvec, previous_figure(q, index, ctx, hits) if with_previous else None)
    probs = model.probabilities(rows)
    k = int(np.argmax(probs))
    conf = model.confidence(float(probs[k]), rows[k])
    return (cands[k].item, conf) if conf >= model.threshold else None


def figure_after(q: Query, index: QAIndex, f, conf: float, rate: bool | None = None) -> Draft | None:
    """"And by what percentage did it grow?", "And what share of the target was that?" after the
    question that ``f`` answered: the change or the share the report states right after ``f``
    ("2.30 billion Yuan from the central government, up 36%"; "1010.20 kilometers, 168.37% of the
    scheduled tasks"), in its clause, with no other figure between."""
    rate = rate or bool(RATE_WORDS.search(q.question)) or q.kind == "percent"
    off, sent = f.sentence_start, f.sentence
    after = sorted((g for g in index.facts_by_passage.get(f.passage_id, ())
                    if g.sentence_start == off and g.start >= f.end and g.value is not None), key=lambda g: g.start)
    for g in after:
        gap = sent[f.end - off: g.start - off]
        share = g.kind == "percent" and re.fullmatch(r"[^;:()\d]{0,160}?,\s*", gap)
        if (CLAUSE_BREAK.search(gap) and not share) or not (is_change(g) or share):
            return None  # past the clause, or another level first: a figure further on is not this one's
        if (g.kind == "percent") == rate:
            return Draft(state_fact(g), [g], round(min(UNCALIBRATED_MAX, conf), 2), g.kind)
    return None


def _confidence(score: float, cands: list[Scored]) -> float:
    margin = score - cands[1].score if len(cands) > 1 else 0.3
    return round(max(0.05, min(UNCALIBRATED_MAX, 0.25 + 0.6 * (score - NUMERIC_MIN) + 0.8 * margin)), 2)


ENTITY_KINDS = {"who": ("person", "organisation"), "which": ("organisation", "place"),
                "list": ("organisation", "place"), "date": ("date", "date_range")}


def best_sentences(q: Query, index: QAIndex, hits, ctx: Context, n: int = 2):
    """Sentences of the retrieved passages ranked by word coverage plus embedding similarity
    (the sentence vectors are built with the index; the question vector is cached)."""
    qvec = index.retriever.encoder.encode_query(q.query_text) if index.sentence_vectors is not None else None
    scored = []
    for rank, (p, _h) in enumerate(hits):
        own_year = index.documents[p.doc].meta.get("year")
        other_years = [y for y in q.years if y != own_year]
        for a, b, row in index.sentences_by_passage.get(p.id, ()):
            sent = index.documents[p.doc].text[a:b]
            if other_years and not any(str(y) in sent for y in other_years):
                continue  # a question about another year than the report's needs a sentence about it
            dense = float(index.sentence_vectors[row] @ qvec) if qvec is not None else 0.0
            score = score_sentence(q, sent, p, rank, ctx.vocab) + SENTENCE_DENSE_WEIGHT * dense
            want = ENTITY_KINDS.get(q.kind)
            if want and q.kind in ("who", "date"):
                # "When ...?" is answered by a sentence that states a date; "Who ...?" by one naming someone
                has = any(f.kind in want and a <= f.start < b for f in index.facts_by_passage.get(p.id, ()))
                score += 0.15 if has else -0.1
            if q.numbers and any(f.value is not None and a <= f.start < b and quotes(f.value, q.numbers)
                                 for f in index.facts_by_passage.get(p.id, ())):
                score += 0.2  # "the 141 million yuan programme": the sentence that states that figure
            if ITEM_RE.match(sent) and len(sent.split()) < 15:
                score -= 0.15  # a numbered item's heading names a topic; it does not answer
            scored.append((score, a, b, p))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return scored[:n]


def text_answer(q: Query, index: QAIndex, hits, ctx: Context) -> Draft | None:
    if q.kind == "explanation" and lacks_asked_word(q, index, ctx.vocab):
        return None  # a sentence that merely shares the other words does not answer
    top = best_sentences(q, index, hits, ctx, 3)
    if not top or top[0][0] < TEXT_MIN:
        return None
    score, a, b, p = top[0]
    doc_text = index.documents[p.doc].text
    sentence = doc_text[a:b]
    if not body_named(q.question, sentence):
        return None  # "Which university ...?": a sentence that names no university does not answer
    facts = [f for f in index.facts_by_passage.get(p.id, ()) if a <= f.start and f.end <= b]
    want = ENTITY_KINDS.get(q.kind, ())
    ql = q.question.lower()
    if re.search(r"\b(organi[sz]ations?|units|institutions|departments|companies|enterprises|bodies)\b", ql):
        want = ("organisation",)
    elif re.search(r"\b(places|cities|counties|areas|regions|prefectures|provinces|where)\b", ql):
        want = ("place",)
    ents = [f for f in facts if f.kind in want]
    if q.kind == "who":
        people = [f for f in ents if f.kind == "person"]
        if not people and LEAD_Q.search(q.question):
            return None  # "Who heads the office?" asks for a person: a sentence naming none does not answer
        ents = people or ents
        role = asked_role(q.question)
        if role:
            # "Who is the director of X?": only a person the report gives that role (of X) answers it.
            office, of = role
            holders = [f for f in ctx.people if holds_role(f.role or "", office, of)]
            if not holders:
                return None
            ents = [f for f in holders if f.passage_id == p.id] or holders[:1]
            f = ents[0]
            a, b = f.sentence_start, f.sentence_end
            sentence = f.sentence
    conf = round(max(0.05, min(UNCALIBRATED_MAX, 0.3 + (score - TEXT_MIN))), 2)
    if q.kind in ("list", "which") and len(ents) > 1:
        # the question's own subject ("Which units did LGOP designate?") is not an answer item
        asked = q.question.lower()
        ents = [f for f in ents if f.raw.lower() not in asked] or ents
    if ents and q.kind in ("who", "date", "list", "which"):
        names = _join([_entity_text(f) for f in ents])
        text = f"{names}. Source: “{sentence}”"
        return Draft(text, ents, conf, q.kind)
    text = sentence
    lo, hi = a, b
    if q.kind == "explanation" and len(top) > 1:
        s2, a2, b2, p2 = top[1]
        if p2.id == p.id and s2 >= score - 0.1 and abs(a2 - b) < 400 and max(b, b2) - min(a, a2) < 900:
            lo, hi = min(a, a2), max(b, b2)
            text = doc_text[lo:hi]
    cites = [(p.id, lo, hi, [best_clause(q, doc_text[lo:hi])])]
    return Draft(text, [], conf, q.kind, extra_citations=cites)



LEAD_Q = re.compile(rf"\bwho\b.*\b({'|'.join(sorted(LEAD_VERBS))}|in charge)\b", re.I)


def asked_role(question: str) -> tuple[str, set[str]] | None:
    """The office a "who is the <office> of <body>?" question asks about, and the body's words."""
    m = re.search(rf"\bwho (?:is|was|are|were) (?:the )?(?:current |present |then )?(?:party |cpc |communist party )?"
                  rf"((?:vice |deputy )?(?:{OFFICES})) of (.+)", question.lower())
    if not m:
        return None
    body = {w for w in words(m.group(2)) if w not in STOPWORDS and w not in ("government",)}
    return m.group(1).strip(), body


def holds_role(role_text: str, office: str, body: set[str]) -> bool:
    """The role names the office itself (not a deputy, not a longer title such as
    "Director-General") and most words of the asked body."""
    low = role_text.lower()
    for m in re.finditer(rf"\b{re.escape(office)}\b(?!-)", low):
        if re.search(r"\b(vice|deputy|assistant|former)$", low[: m.start()].rstrip()):
            continue
        named = set(words(low))  # "LGOP Director-General" names its body before the office
        if not body or len(body & named) * 2 >= len(body):
            return True
    return False


def best_clause(q: Query, text: str) -> tuple[int, int]:
    """The phrase of ``text`` holding most of the question's words: what an explanation
    answer highlights inside its cited sentences."""
    best, best_score = (0, len(text)), -1.0
    for start, end in phrases(text):
        part = text[start:end]
        found = {stem(w) for w in words(part)}
        score = sum(w for t, w in q.terms.items() if t in found) + len(part) / 10000  # ties: the fuller phrase
        if score > best_score and part.strip():
            lead = len(part) - len(part.lstrip())
            best, best_score = (start + lead, end), score
    return best


def _entity_text(f) -> str:
    if f.kind == "person" and f.role:
        return f"{f.raw} ({f.role})"
    return f.raw


def _join(items: list[str]) -> str:
    seen = list(dict.fromkeys(items))
    if len(seen) <= 1:
        return seen[0] if seen else ""
    return ", ".join(seen[:-1]) + " and " + seen[-1]



SUMMARY_SENTENCES = 3


def summary_answer(q: Query, index: QAIndex, hits, ctx: Context) -> Draft | None:
    """A vague question ("tell me about training"): the section that fits best, in 2-4 of its own
    sentences (those that match best, figures first), each cited with its figures highlighted."""
    top = best_sentences(q, index, hits, ctx, 12)
    if not top or top[0][0] < SUMMARY_MIN:
        return None
    section = top[0][3].section
    chosen = [t for t in top if t[3].section == section][:SUMMARY_SENTENCES]
    if len(chosen) < 2:  # a one-sentence section: the next best sentence elsewhere completes the summary
        chosen += [t for t in top if t not in chosen][: 2 - len(chosen)]
    chosen.sort(key=lambda t: (t[3].start, t[1]))  # in the report's order
    cites, facts = [], []
    for _score, a, b, p in chosen:
        inside = [f for f in index.facts_by_passage.get(p.id, ()) if a <= f.start and f.end <= b
                  and f.kind in ("money", "count", "percent", "area", "per_capita")]
        cites.append((p.id, a, b, [(f.start - a, f.end - a) for f in inside]))
        facts.extend(inside)
    text = f"In short, from the report's section “{section}” (its sentences are cited below):"
    conf = round(max(0.05, min(UNCALIBRATED_MAX, 0.3 + (top[0][0] - TEXT_MIN))), 2)
    return Draft(text, [], conf, "summary", extra_citations=cites)
