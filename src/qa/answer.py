"""Answer composition: one question (plus the conversation) -> one cited ``Answer``.

Flow: analyse the question (``qa.question``) -> hybrid retrieval of passages -> candidate facts
from those passages, scored (``qa.scorer``) -> a short answer that states the value as the source
writes it, with the sentence it rests on cited and the number highlighted. Arithmetic and
comparisons are in ``qa.arith``. When nothing fits well enough the answer abstains and offers the
closest passages. Every number an answer states is verbatim in a cited snippet, except computed
results, which show their operands (``computation``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from qa.arith import compute, per_unit_total, previous_year
from qa.draft import Draft, state_fact
from qa.index import QAIndex
from qa.ingest import ITEM_RE
from qa.models import Answer, Citation, FactOut, RelatedPassage
from qa.question import QUESTION_WORDS, YEAR_RE, Query, analyze
from qa.retrieve import STOPWORDS, _stem, words
from qa.scorer import NUMERIC_KINDS, TOP_PASSAGES, Scored, Vocabulary, candidates, score_sentence

NUMERIC_MIN = 0.40  # calibrated on the three eval sets: eval/CALIBRATION.md
TEXT_MIN = 0.50
TIE_MARGIN = 0.015
SENTENCE_DENSE_WEIGHT = 0.5
TOTAL_WORDS = re.compile(r"\b(total|in all|altogether|overall|all together)\b", re.I)
KEEP_WORDS = QUESTION_WORDS | frozenset(["many", "much", "have", "has", "had", "does", "did", "took", "part"])


@dataclass
class Context:
    """Per-index state built once, not per question: IDF vocabulary, the years the reports mention
    and the years they cover, their region words, their lower-cased texts and the people named."""

    vocab: Vocabulary
    years: set[int]
    common_names: frozenset[str]
    common_stems: frozenset[str]
    report_years: frozenset[int]
    lower_texts: tuple[str, ...]
    people: tuple


def context_for(index: QAIndex) -> Context:
    ctx = getattr(index, "_qa_context", None)
    if ctx is None:
        years = set()
        for d in index.documents.values():
            years |= {int(y) for y in YEAR_RE.findall(d.text)}
            if d.meta.get("year"):
                years.add(int(d.meta["year"]))
        common = {w for d in index.documents.values() for w in words(str(d.meta.get('region') or ''))}
        ctx = Context(Vocabulary(index.passages), years, frozenset(common),
                      frozenset(_stem(w) for w in common if w not in STOPWORDS),
                      frozenset(int(d.meta["year"]) for d in index.documents.values() if d.meta.get("year")),
                      tuple(d.text.lower() for d in index.documents.values()),
                      tuple(f for f in index.facts if f.kind == "person"))
        index._qa_context = ctx
    return ctx


def answer(index: QAIndex, question: str, history: list[str] | None = None) -> Answer:
    """Turn a question (and the earlier questions of the conversation) into one ``Answer``."""
    t0 = time.perf_counter()
    ctx = context_for(index)
    def correct(text: str) -> str:
        return index.retriever.correct(text, KEEP_WORDS)

    q = analyze(question, history, correct=correct)
    allowed, ambiguous = _select_documents(q, index)
    # The report's own region and title words are everywhere implicitly, not a constraint.
    q.names = [n for n in q.names if n not in ctx.common_names]
    q.terms = {t: w for t, w in q.terms.items() if t not in ctx.common_stems} or q.terms
    t1 = time.perf_counter()
    q.query_text = " ".join([correct(q.question)] + [correct(h) for h in q.history_used])
    if allowed is None:
        hits = index.search(q.query_text, TOP_PASSAGES)
    else:
        hits = [(p, h) for p, h in index.search(q.query_text, TOP_PASSAGES * 4) if p.doc in allowed]
        hits = hits[:TOP_PASSAGES]
    t2 = time.perf_counter()
    related = [_related(p, h.score) for p, h in hits]
    timings = {"analyse": (t1 - t0) * 1e3, "retrieve": (t2 - t1) * 1e3}

    reason = _out_of_scope(q, ctx, index)
    if reason:
        return _abstain(q, reason, related, timings, t0)
    if q.op and q.op != "complement" and q.kind in ("explanation", "which"):
        q.kind = "auto"  # "What were X and Y combined?" asks for a number without saying "how much"
    if q.op and q.kind in NUMERIC_KINDS | {"auto", "percent"}:
        result = compute(q, index, hits, ctx)
        if result is not None:
            return _finish(result, q, index, related, timings, t0)
    if q.kind in ("money", "count", "percent", "auto", "change"):
        ans = _numeric(q, index, hits, ctx)
    else:
        ans = _textual(q, index, hits, ctx)
    if ans is None:
        return _abstain(q, "no passage of the report states this", related, timings, t0)
    if ambiguous:
        _note_ambiguity(ans, index)
    return _finish(ans, q, index, related, timings, t0)


def _select_documents(q: Query, index: QAIndex) -> tuple[set[str] | None, bool]:
    """With several reports: the ones the question names by region (and year), else all of them,
    flagged as ambiguous so that the answer says which report it comes from."""
    docs = list(index.documents.values())
    if len(docs) < 2:
        return None, False
    text = " " + " ".join(words(" ".join([q.question, q.context]))) + " "
    named = [d for d in docs if d.meta.get("region") and f" {' '.join(words(str(d.meta['region'])))} " in text]
    if named and q.years:
        by_year = [d for d in named if d.meta.get("year") in q.years]
        named = by_year or named
    if named:
        return {d.id for d in named}, False
    return None, True


def _note_ambiguity(draft: Draft, index: QAIndex) -> None:
    used = {f.doc for f in draft.facts} or {index.passage_by_id[c[0]].doc for c in draft.extra_citations or []}
    titles = "; ".join(d.title for d in index.documents.values())
    source = ", ".join(index.documents[d].title for d in sorted(used) if d in index.documents)
    draft.text = (f"The question does not name a report, and several are indexed ({titles}). "
                  f"From {source}: {draft.text}")
    draft.confidence = round(min(draft.confidence, 0.5), 2)


# --- scope ---------------------------------------------------------------------------------------

def _out_of_scope(q: Query, ctx: Context, index: QAIndex) -> str | None:
    missing = sorted(y for y in q.years if y not in ctx.years)
    if missing:
        return f"the report does not cover {', '.join(map(str, missing))}"
    if q.question.upper() != q.question:  # capitals mark names only in mixed-case text
        vocab = index.retriever.vocab_set
        for i, m in enumerate(re.finditer(r"\b[A-Z][a-zA-Z'’-]+\b", q.question)):
            w = m.group(0)
            if i == 0 and m.start() == 0:
                continue
            lw = w.lower().split("'")[0].split("’")[0]
            if lw not in vocab and index.retriever.correct(lw, KEEP_WORDS) == lw:
                return f"the report does not mention {w}"
    return None


# --- numeric answers ----------------------------------------------------------------------------

def _numeric(q: Query, index: QAIndex, hits, ctx: Context) -> Draft | None:
    if q.kind != "change" and q.years and any(y + 1 in ctx.report_years for y in q.years):
        # A question about the year before the report's: a figure worked back from "X, up by D
        # over <year>" answers it better than one that merely sits next to that year.
        earlier = previous_year(q, index, hits, ctx)
        if earlier is not None:
            return earlier
    cands = candidates(q, index, hits, ctx)
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
    if len(chosen) == 1:
        text = state_fact(best.item)
    else:
        text = "The report gives several figures: " + "; ".join(state_fact(c.item) for c in chosen)
    return Draft(text, [c.item for c in chosen], _confidence(best.score, cands), best.item.kind)


def _confidence(score: float, cands: list[Scored]) -> float:
    margin = score - cands[1].score if len(cands) > 1 else 0.3
    return round(max(0.05, min(0.99, 0.25 + 0.6 * (score - NUMERIC_MIN) + 0.8 * margin)), 2)


# --- text answers -------------------------------------------------------------------------------

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
            if ITEM_RE.match(sent) and len(sent.split()) < 15:
                score -= 0.15  # a numbered item's heading names a topic; it does not answer
            scored.append((score, a, b, p))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return scored[:n]


def _textual(q: Query, index: QAIndex, hits, ctx: Context) -> Draft | None:
    top = best_sentences(q, index, hits, ctx, 3)
    if not top or top[0][0] < TEXT_MIN:
        return None
    score, a, b, p = top[0]
    doc_text = index.documents[p.doc].text
    sentence = doc_text[a:b]
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
    conf = round(max(0.05, min(0.95, 0.3 + (score - TEXT_MIN))), 2)
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


OFFICES = ("director-general|director|deputy director|chairman|chairwoman|chair|head|leader|secretary|governor|"
           "mayor|president|chief|minister|commissioner|manager")


def asked_role(question: str) -> tuple[str, set[str]] | None:
    """The office a "who is the <office> of <body>?" question asks about, and the body's words."""
    m = re.search(rf"\bwho (?:is|was|are|were) (?:the )?(?:current |present |then )?((?:vice |deputy )?(?:{OFFICES})) "
                  rf"of (.+)", question.lower())
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
    """The clause of ``text`` holding most of the question's words: what an explanation
    answer highlights inside its cited sentences."""
    best, best_score = (0, len(text)), -1.0
    start = 0
    for m in list(re.finditer(r"[,;:.](\s|$)", text)) + [None]:
        end = m.start() + 1 if m else len(text)
        clause = text[start:end]
        found = {_stem(w) for w in words(clause)}
        score = sum(w for t, w in q.terms.items() if t in found) + len(clause) / 10000  # ties: the fuller clause
        if score > best_score and clause.strip():
            lead = len(clause) - len(clause.lstrip())
            best, best_score = (start + lead, end), score
        start = end
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


# --- assembly -----------------------------------------------------------------------------------

def _related(p, score: float) -> RelatedPassage:
    return RelatedPassage(doc=p.doc, passage_id=p.id, section=p.section, text=p.text, start=p.start,
                          end=p.end, score=round(float(score), 4))


def fact_out(f) -> FactOut:
    return FactOut(id=f.id, kind=f.kind, value=f.value, unit=f.unit or "", raw=f.raw, measure=f.measure or "",
                   subject=f.subject or "", period=f.period or "", qualifier=f.qualifier or "", doc=f.doc,
                   passage_id=f.passage_id, section=f.section, start=f.start, end=f.end)


def citations_for(index: QAIndex, draft: Draft) -> list[Citation]:
    """One citation per cited sentence, with the facts' raw text highlighted inside it."""
    by_span: dict[tuple[str, int, int], list[tuple[int, int]]] = {}
    for f in draft.facts:
        key = (f.passage_id, f.sentence_start, f.sentence_end)
        by_span.setdefault(key, []).append((f.start - f.sentence_start, f.end - f.sentence_start))
    for passage_id, a, b, hl in draft.extra_citations or []:
        by_span.setdefault((passage_id, a, b), []).extend(hl)
    out = []
    for (passage_id, a, b), hls in by_span.items():
        p = index.passage_by_id[passage_id]  # a lookup, not a scan of every passage
        d = index.documents[p.doc]
        out.append(Citation(doc=p.doc, doc_title=d.title, passage_id=p.id, section=p.section, text=d.text[a:b],
                            start=a, end=b, highlights=sorted(set(hls))))
    return out


def _finish(draft: Draft, q: Query, index: QAIndex, related, timings, t0) -> Answer:
    timings["total"] = (time.perf_counter() - t0) * 1e3
    return Answer(question=q.question, resolved_question=q.resolved, answered=True, answer=draft.text,
                  confidence=draft.confidence, kind=draft.kind, facts=[fact_out(f) for f in draft.facts],
                  citations=citations_for(index, draft), related=related[:3],
                  computation=draft.computation, timings_ms={k: round(v, 2) for k, v in timings.items()})


def _abstain(q: Query, reason: str, related, timings, t0) -> Answer:
    timings["total"] = (time.perf_counter() - t0) * 1e3
    return Answer(question=q.question, resolved_question=q.resolved, answered=False,
                  answer=f"The report does not say: {reason}. The closest passages are listed as related reading.",
                  confidence=0.0, kind=q.kind, related=related[:3],
                  timings_ms={k: round(v, 2) for k, v in timings.items()})
