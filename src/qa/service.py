"""What every front end calls: ask (in a pool, within the time budget), search, facts (and their
CSV; filtered by report, region, year and measure), series (one measure across reports), passage,
health and feedback. Each takes the index and the settings, never an HTTP request, so
the command line and the web share one implementation and raise the same ``QAError`` kinds.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from qa.answer.models import Answer, FactOut
from qa.errors import AnswerTimeout, Busy, CannotAnswer, InvalidInput, NotFound
from qa.facts.model import KINDS
from qa.facts.select import Match, matching_facts, measure_terms
from qa.facts.series import Report, build_series
from qa.feedback import add_feedback
from qa.index.load import QAIndex
from qa.schemas import (
    CONTROL_RE,
    FACT_SORTS,
    ID_RE,
    MAX_RANGES,
    MAX_YEAR,
    MIN_YEAR,
    RANGE_RE,
    RANGES_RE,
    DocumentInfo,
    FactsResponse,
    FeedbackRequest,
    HealthResponse,
    PassageResponse,
    SearchHit,
    SearchResponse,
    SeriesBar,
    SeriesFact,
    SeriesMissing,
    SeriesResponse,
)
from qa.settings import Settings
from qa.text.lexicon import WARM_QUESTIONS

FACT_FIELDS = list(FactOut.model_fields)
log = logging.getLogger("qa.service")


# The time budget of one answer: past it the client gets a 504 in the error shape and the
# request's worker thread is free again. The answer itself runs in a small pool of daemon threads:
# a thread cannot be killed, so an answer that never returns keeps its pool thread (never a request
# thread, and a daemon thread never holds up the server's exit), and queued answers whose client
# has given up are cancelled before they start.
ANSWER_TIMEOUT = float(os.environ.get("QA_ANSWER_TIMEOUT", "2.0"))
# Answers are mostly Python (the GIL) plus one ONNX query encode; 4 threads per core let concurrent
# encodes share a batch (qa.index.encoder) without slowing each answer much (bench/RESULTS.md).
ANSWER_THREADS = int(os.environ.get("QA_ANSWER_THREADS", str(max(4, 4 * (os.cpu_count() or 1)))))
ANSWER_QUEUE_TIMEOUT = float(os.environ.get("QA_ANSWER_QUEUE_TIMEOUT", "10.0"))


class DaemonPool:
    """``submit(fn, *args) -> Future`` on ``n`` daemon threads (``ThreadPoolExecutor`` joins its
    threads at interpreter exit, so one stuck answer would hang the shutdown)."""

    def __init__(self, n: int, name: str = "qa-answer") -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        for i in range(max(1, n)):
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True).start()

    def submit(self, fn: Any, *args: Any) -> Future:
        future: Future = Future()
        self._queue.put((future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            future, fn, args = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue  # its client gave up while it waited
            future.started_at = time.monotonic()  # type: ignore[attr-defined]
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting request
                future.set_exception(exc)


_pool: DaemonPool | None = None
_pool_lock = threading.Lock()


def _answer_pool() -> DaemonPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = DaemonPool(ANSWER_THREADS)
        return _pool


def _answer(index: QAIndex, question: str, history: list[str], reports: list[str] | None = None) -> Answer:
    from qa.answer.pipeline import answer

    return answer(index, question, history, reports or None)


def check_reports(index: QAIndex, reports: list[str] | None) -> list[str] | None:
    """The report scope of a request: None (all reports) or the ids given, all of them indexed;
    422 naming the first id that is not."""
    if not reports:
        return None
    for r in reports:
        if r not in index.documents:
            known = ", ".join(list(index.documents)[:20])
            raise InvalidInput(f"reports: no indexed report has the id {r[:80]!r}; indexed: {known}")
    return list(dict.fromkeys(reports))


def ask(index: QAIndex, question: str, history: list[str], timeout: float | None = None,
        reports: list[str] | None = None) -> Answer:
    """``answer()`` within the time budget, counted from when it starts: 504 past it; 503 if no
    answer thread frees up within ``ANSWER_QUEUE_TIMEOUT``; 422 if it fails on this input (logged),
    or if ``reports`` names a report that is not indexed."""
    budget = ANSWER_TIMEOUT if timeout is None else timeout
    scope = check_reports(index, reports)
    future = _answer_pool().submit(_answer, index, question, list(history), scope)
    queue_deadline = time.monotonic() + ANSWER_QUEUE_TIMEOUT
    while True:
        started = getattr(future, "started_at", None)
        limit = started + budget if started is not None else queue_deadline
        remaining = limit - time.monotonic()
        if remaining <= 0:
            break
        try:
            return future.result(timeout=remaining if started is not None else min(remaining, 0.05))
        except FutureTimeout:
            continue
        except Exception:
            log.exception("answer failed: question=%r history=%r", question[:200], [h[:80] for h in history])
            raise CannotAnswer("this question could not be answered; try rephrasing it") from None
    if future.cancel() or getattr(future, "started_at", None) is None:
        log.warning("no answer thread free for %.1f s", ANSWER_QUEUE_TIMEOUT)
        raise Busy("the server is busy; please ask again in a moment")
    log.warning("answer over the %.1f s budget: question=%r history=%r", budget, question[:200],
                [h[:80] for h in history])
    raise AnswerTimeout(f"the answer took longer than {budget:g} s; try a shorter or simpler question")


def search(index: QAIndex, q: str, k: int, mode: str, reports: list[str] | None = None) -> SearchResponse:
    scope = check_reports(index, reports)
    hits = [SearchHit(passage_id=p.id, doc=p.doc, section=p.section, text=p.text, start=p.start, end=p.end,
                      score=float(h.score), dense=None if h.dense is None else float(h.dense),
                      bm25=None if h.bm25 is None else float(h.bm25))
            for p, h in index.search(q, k, mode, docs=None if scope is None else set(scope))]
    return SearchResponse(query=q, k=k, mode=mode, hits=hits)


def parse_year(year: int | str | None) -> int | None:
    """A report's year from the API (an int) or a page's form (text; empty is none); 422 otherwise."""
    if year is None or (isinstance(year, str) and not year.strip()):
        return None
    text = str(year).strip()
    if isinstance(year, bool) or not text.isascii() or not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise InvalidInput(f"year: {text[:20]!r} is not a year from {MIN_YEAR} to {MAX_YEAR}, e.g. 2010")
    return int(text)


def report_scope(index: QAIndex, reports: list[str] | None = None, region: str | None = None,
                 year: int | str | None = None) -> list[str] | None:
    """The reports a request covers: those of ``reports`` (all when none) of ``region`` (any case)
    and ``year``; None for all. A region or year no indexed report has is a 422 naming those that are."""
    scope = check_reports(index, reports)
    region = region or None  # not stripped: the API's schema states the regions exactly (any case)
    if region and (CONTROL_RE.search(region) or len(region) > 100):
        raise InvalidInput("region: must be at most 100 characters without control characters")
    y = parse_year(year)
    if region is None and y is None:
        return scope
    docs = list(index.documents.values())
    if region and not any(str(d.meta.get("region") or "").lower() == region.lower() for d in docs):
        known = sorted({str(d.meta["region"]) for d in docs if d.meta.get("region")})
        raise InvalidInput(f"region: no indexed report is of {region[:60]!r}; regions: {', '.join(known) or 'none'}")
    if y is not None and not any(d.meta.get("year") == y for d in docs):
        known = sorted({str(d.meta["year"]) for d in docs if d.meta.get("year")})
        raise InvalidInput(f"year: no indexed report is of {y}; years: {', '.join(known) or 'none'}")
    return [d.id for d in docs if (scope is None or d.id in scope)
            and (region is None or str(d.meta.get("region") or "").lower() == region.lower())
            and (y is None or d.meta.get("year") == y)]


def _measure_matches(index: QAIndex, measure: str, scope: list[str] | None, numeric_only: bool) -> list[Match]:
    if CONTROL_RE.search(measure) or len(measure) > 200:
        raise InvalidInput("measure: must be at most 200 characters without control characters")
    if not measure_terms(measure):  # only stop words or numbers: nothing matches (not an error)
        return []
    pool = index.facts if scope is None else [f for f in index.facts if f.doc in set(scope)]
    return matching_facts(pool, measure, index.fact_context, numeric_only=numeric_only)


def facts(index: QAIndex, *, kind: str | None = None, section: str | None = None, q: str | None = None,
              limit: int = 100, offset: int = 0, sort: str = "start",
              reports: list[str] | None = None, region: str | None = None, year: int | str | None = None,
              measure: str | None = None) -> FactsResponse:
    """One page of the fact table, filtered by kind, section, text, report (ids, region, year) and
    measure (``qa.facts.select``: the words of what a figure measures, in any form or synonym)."""
    from qa.facts.store import query_facts

    # The same rules as the API's schema (qa.schemas), for the command line and the pages.
    for name, value in (("section", section), ("q", q)):
        if value and CONTROL_RE.search(value):
            raise InvalidInput(f"{name}: must not contain control characters")
    if kind and kind not in KINDS:
        raise InvalidInput(f"kind: {kind[:40]!r} is not one of {', '.join(KINDS)}")
    if sort not in FACT_SORTS:
        raise InvalidInput(f"sort: cannot sort by {sort[:40]!r}; a column, or -column for descending: "
                           f"{', '.join(FACT_FIELDS)}")
    scope = report_scope(index, reports, region, year)
    measure = (measure or "").strip()
    ids = [m.fact.id for m in _measure_matches(index, measure, scope, False)] if measure else None
    if scope == [] or ids == []:  # an empty scope filters everything out, not nothing
        return FactsResponse(total=0, limit=limit, offset=offset, sort=sort, facts=[])
    rows, total = query_facts(index.facts_db, kind=kind or None, section=section or None, q=q or None,
                              doc=scope, ids=ids, limit=limit, offset=offset, sort=sort)
    return FactsResponse(total=total, limit=limit, offset=offset, sort=sort,
                         facts=[FactOut.model_validate(r) for r in rows])


def _series_fact(m: Match) -> SeriesFact:
    f = m.fact
    return SeriesFact.model_validate({**f.to_dict(), "score": m.score,
                                      "passage_url": f"/passages/{f.passage_id}?dhl={f.start}-{f.end}#passage"})


def series(index: QAIndex, measure: str, *, reports: list[str] | None = None, region: str | None = None,
           year: int | str | None = None, unit: str | None = None) -> SeriesResponse:
    """One measure across the reports in scope, one cited figure per report in one unit
    (``qa.facts.series``): what ``/series``, ``/api/series`` and ``qa series`` show."""
    from qa.answer.route import label

    measure = (measure or "").strip()
    if not measure:
        raise InvalidInput("measure: say what to compare, e.g. poor population")
    unit = (unit or "").strip() or None
    if unit and (CONTROL_RE.search(unit) or len(unit) > 60):
        raise InvalidInput("unit: must be at most 60 characters without control characters")
    scope = report_scope(index, reports, region, year)
    docs = list(index.documents.values()) if scope is None else [index.documents[d] for d in scope]
    in_scope = [Report(d.id, label(index, d.id), d.meta.get("region"), d.meta.get("year")) for d in docs]
    s = build_series(measure, _measure_matches(index, measure, scope, True), in_scope, unit)
    bars = [SeriesBar(report=b.report.id, label=b.report.label, region=b.report.region, year=b.report.year,
                      value=b.best.fact.value or 0, text=b.text, period_note=b.period_note,
                      fact=_series_fact(b.best), others=[_series_fact(m) for m in b.others]) for b in s.bars]
    return SeriesResponse(measure=measure, unit=s.unit, order=s.order, description=s.description,  # type: ignore[arg-type]
                          notes=s.notes, bars=bars,
                          other_units={u: [_series_fact(m) for m in ms] for u, ms in s.other_units.items()},
                          missing=[SeriesMissing(report=r.id, label=r.label,
                                                 facts=[_series_fact(m) for m in s.weaker.get(r.id, [])])
                                   for r in s.missing])


def facts_csv(resp: FactsResponse) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FACT_FIELDS, extrasaction="ignore")
    w.writeheader()
    for r in resp.facts:
        w.writerow({k: _csv_cell(v) for k, v in r.model_dump().items()})
    return buf.getvalue()


def _csv_cell(v: Any) -> Any:
    # Spreadsheet formula injection: a cell starting with = + - @ is read as a formula.
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


def parse_highlights(hl: str | None, length: int) -> list[tuple[int, int]]:
    """``"12-20,40-52"`` -> ``[(12, 20), (40, 52)]`` clamped to ``[0, length]``; 422 unless it matches
    ``RANGES_PATTERN`` (the pattern the API schema states)."""
    if not hl:
        return []
    if not RANGES_RE.match(hl):
        raise InvalidInput(f"hl: {hl[:40]!r} is not a list of at most {MAX_RANGES} ranges like 12-20,40-52")
    out: list[tuple[int, int]] = []
    for part in RANGE_RE.findall(hl):
        a, b = (min(int(x), length) for x in part.split("-"))
        if a < b:
            out.append((a, b))
    return sorted(out)


def passage(index: QAIndex, passage_id: str, hl: str | None = None, dhl: str | None = None
                ) -> PassageResponse:
    p = index.passage_by_id.get(passage_id) if ID_RE.match(passage_id) else None
    if p is None:
        raise NotFound(f"no passage with id {passage_id[:80]!r}")
    ranges = parse_highlights(hl, len(p.text))
    if dhl:  # document offsets (what a citation carries) -> passage offsets
        doc_ranges = parse_highlights(dhl, 10**7)
        ranges = sorted(ranges + [(max(0, a - p.start), min(len(p.text), b - p.start))
                                  for a, b in doc_ranges if b > p.start and a < p.end])
    doc = index.documents.get(p.doc)
    same_doc = [q for q in index.passages if q.doc == p.doc]
    pos = next(i for i, q in enumerate(same_doc) if q.id == p.id)
    return PassageResponse(
        id=p.id, doc=p.doc, doc_title=doc.title if doc else "", section=p.section, item=p.item, text=p.text,
        start=p.start, end=p.end, order=p.order, highlights=ranges,
        prev_id=same_doc[pos - 1].id if pos > 0 else None,
        next_id=same_doc[pos + 1].id if pos + 1 < len(same_doc) else None,
        source_url=(doc.meta.get("source_url") if doc else None),
    )


def feedback(settings: Settings, body: FeedbackRequest) -> int:
    """Store one vote; a database still locked after the busy timeout is a 503, not a 500."""
    try:
        return add_feedback(settings.feedback_db, question=body.question,
                            history=body.history, answer=body.answer, vote=body.vote,
                            correction=body.correction, kind=body.kind, answered=body.answered)
    except sqlite3.OperationalError as exc:
        log.error("feedback not stored: %s", exc)
        raise Busy("the feedback store is busy; please send the vote again",
                   headers={"Retry-After": "1"}) from None


def documents_info(index: QAIndex) -> list[DocumentInfo]:
    return [DocumentInfo(id=d.get("id", ""), title=d.get("title", ""), region=d.get("region"),
                         year=d.get("year"), source_url=d.get("source_url"))
            for d in index.manifest.get("documents", [])]


def health(index: QAIndex, loaded_at: str | None = None) -> HealthResponse:
    m = index.manifest
    return HealthResponse(model=str(m.get("model", "")), documents=documents_info(index),
                          counts={k: int(v) for k, v in (m.get("counts") or {}).items()},
                          built_at=m.get("built_at"), build_seconds=m.get("build_seconds"),
                          format_version=m.get("format_version"), index_path=str(index.path),
                          loaded_at=loaded_at)


def example_questions(index: QAIndex, n: int = 4) -> list[str]:
    """First-visit examples built from the indexed reports themselves (their region, year and the
    sections that report money), so that any corpus gets questions it can answer."""
    cached = index.derived.get("service.examples")
    if cached is not None:
        return cached
    doc = next(iter(index.documents.values()), None)
    region = str(doc.meta.get("region") or "the region") if doc else "the region"
    year = doc.meta.get("year") if doc else None
    money_sections: list[str] = []
    for f in index.facts:
        if f.kind == "money" and f.section not in money_sections and len(f.section) < 60:
            money_sections.append(f.section)
    out = [f"How much money went to {s[:1].lower() + s[1:]}?" for s in money_sections[1:3]]
    if any(f.kind in ("per_capita", "money") and "poverty line" in f.sentence.lower() for f in index.facts):
        out.insert(0, "What is the poverty line?")
    out.append(f"How many poor people were there in {region}" + (f" at the end of {year}?" if year else "?"))
    index.derived["service.examples"] = out[:n]
    return out[:n]




def warm_up(index: QAIndex) -> float:
    """Answer a question before serving: the first answer on a fresh index pays for the lazy
    index-wide caches (the answer context, the first ONNX run, the modules imported on first use),
    which under a burst of clients at start-up would push them past the time budget. One is enough:
    at 1,000 reports the further warm questions (``WARM_QUESTIONS``, a follow-up) imported nothing
    and filled no index-wide cache, and cost ~0.1 s of every start (bench/RESULTS.md). Returns the
    seconds spent; failures are logged, never raised."""
    from qa.answer.pipeline import answer

    t0 = time.perf_counter()
    try:
        answer(index, WARM_QUESTIONS[0], [])
    except Exception:
        log.exception("warm-up answer failed")
    return time.perf_counter() - t0


def preload_spelling() -> None:
    """Load the English word list (~0.2 s of Python) in a background thread, so that it is not in a
    client's answer. The server starts it just after it is ready (``qa.web.app``), not beside its
    warm-up: two threads loading Python objects share one GIL, and the start took that much longer."""
    from qa.text.words import is_english_word

    threading.Thread(target=is_english_word, args=("preload",), daemon=True, name="qa-spelling").start()
