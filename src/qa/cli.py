"""The ``qa`` command line: a thin shell that parses flags, calls the library, prints results.

Typer gives typed options and ``--help`` from signatures; Rich prints tables. Domain errors
(no index, a locked build, a bad corpus) become one line on stderr and exit code 1.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from qa.settings import Settings, get_settings

app = typer.Typer(help="Question answering over yearbook reports, with cited answers.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure answers (default) or the fact extractor (`qa eval facts`).")
feedback_app = typer.Typer(help="Feedback votes collected by the web page.")
app.add_typer(eval_app, name="eval")
app.add_typer(feedback_app, name="feedback")

IndexOpt = Annotated[Path | None, typer.Option("--index", help="Index directory [env QA_INDEX_DIR].")]
CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Corpus directory [env QA_CORPUS_DIR].")]
ReportOpt = Annotated[list[str] | None, typer.Option("--report", help="Only this report (an id from "
                                                   "/api/health or the about page); repeat for several.")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Only reports of this region (any case).")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Only reports of this year.")]
MeasureOpt = Annotated[str | None, typer.Option("--measure", help="Only figures measuring this, in any word form "
                                                                  "or synonym, e.g. 'poor population'.")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Embedding model name or path [env QA_MODEL].")]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _settings(**flags: object) -> Settings:
    return get_settings(**flags)


def _call(fn, *args, **kwargs):
    """One call into the service; its ``QAError`` becomes one line on stderr and exit code 1."""
    from qa.errors import QAError

    try:
        return fn(*args, **kwargs)
    except QAError as exc:
        _fail(exc.message)


def _load(settings: Settings):
    from qa.errors import IndexLoadError
    from qa.index.load import load_index

    try:
        return load_index(settings.index_dir, settings.model, settings.encoder_int8)
    except IndexLoadError as exc:
        _fail(str(exc))


def _build(s: Settings, quiet: bool, full: bool = False) -> None:
    from qa.errors import CorpusError
    from qa.index.build import BuildLockedError, build_index

    try:
        rep = build_index(s, progress=not quiet, full=full)
    except (CorpusError, BuildLockedError) as exc:
        _fail(str(exc))
    for _path, reason in rep.skipped:
        typer.echo(f"skipped {reason}", err=True)
    typer.echo(f"indexed {rep.documents} documents ({rep.reused} reused, {rep.parsed} parsed, "
               f"{len(rep.skipped)} skipped), {rep.passages} passages ({rep.embedded} embedded), {rep.facts} facts "
               f"in {rep.seconds:.1f} s -> {s.index_dir}")


@app.command("index")
def index_cmd(corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None,
              full: Annotated[bool, typer.Option("--full", help="Parse and embed every file again.")] = False,
              quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False) -> None:
    """Build the index (passages, embeddings, BM25, facts) for a corpus folder; only new or changed
    files are parsed and embedded. Files that cannot be read are skipped and listed."""
    _build(_settings(corpus_dir=corpus, index_dir=index, model=model), quiet, full)


@app.command("add")
def add_cmd(files: Annotated[list[Path], typer.Argument(help="HTML pages saved from the yearbook site "
                                                              "(or .txt/.md reports)")],
            corpus: CorpusOpt = None, index: IndexOpt = None, model: ModelOpt = None,
            replace: Annotated[bool, typer.Option("--replace", help="Overwrite a report of the same id.")] = False,
            no_index: Annotated[bool, typer.Option("--no-index", help="Copy only; do not rebuild.")] = False,
            quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False) -> None:
    """Add reports to the corpus folder and update the index incrementally. A bad page is refused
    with the reason; the others are still added."""
    from qa.corpus.documents import add_document
    from qa.errors import CorpusError

    s = _settings(corpus_dir=corpus, index_dir=index, model=model)
    added, failed = 0, 0
    for f in files:
        try:
            doc = add_document(f, s.corpus_dir, replace=replace)
        except CorpusError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            failed += 1
            continue
        added += 1
        where = ", ".join(str(doc.meta[k]) for k in ("region", "year") if doc.meta.get(k))
        typer.echo(f"added {doc.id} ({where or 'no region or year found'}) -> {doc.path}")
    if added and not no_index:
        _build(s, quiet)
        typer.echo("a running server picks the new index up with POST /api/admin/reload or kill -HUP <pid>")
    if failed:
        raise typer.Exit(1)


@app.command("search")
def search_cmd(query: str, k: Annotated[int, typer.Option("-k")] = 5, index: IndexOpt = None,
               mode: Annotated[str, typer.Option(help="hybrid, dense or bm25")] = "hybrid",
               as_json: Annotated[bool, typer.Option("--json")] = False, report: ReportOpt = None) -> None:
    """Print the top passages with the fused score and the dense and BM25 scores behind it."""
    if mode not in ("hybrid", "dense", "bm25"):
        _fail("--mode must be hybrid, dense or bm25")
    from qa import service

    s = _settings(index_dir=index)
    resp = _call(service.search, _load(s), query, max(1, min(k, 100)), mode, reports=report)
    if as_json:
        typer.echo(json.dumps([h.model_dump() for h in resp.hits], ensure_ascii=False, indent=2))
        return
    for rank, h in enumerate(resp.hits, 1):
        dense = "-" if h.dense is None else f"{h.dense:.3f}"
        bm25 = "-" if h.bm25 is None else f"{h.bm25:.2f}"
        typer.echo(f"{rank}. [{h.passage_id}] {h.section}  score={h.score:.4f} dense={dense} bm25={bm25}")
        typer.echo(f"   {h.text[:300]}{'…' if len(h.text) > 300 else ''}")


@app.command("ask")
def ask_cmd(question: str, history: Annotated[list[str] | None, typer.Option("--history", "-H")] = None,
            index: IndexOpt = None, as_json: Annotated[bool, typer.Option("--json")] = False,
            report: ReportOpt = None) -> None:
    """Answer one question (with earlier questions as --history) and print the cited answer."""
    from qa import service

    s = _settings(index_dir=index)
    # The command line waits as long as it takes: the HTTP time budget is for shared servers.
    ans = _call(service.ask, _load(s), question, history or [], timeout=600.0, reports=report)
    if as_json:
        typer.echo(ans.model_dump_json(indent=2))
        return
    typer.echo(ans.answer)
    if ans.resolved_question and ans.resolved_question != question:
        typer.echo(f"  (answered as: {ans.resolved_question})")
    for c in ans.citations:
        typer.echo(f"  [{c.section}] {c.text}  ({c.doc}:{c.start}-{c.end})")
    if not ans.answered and ans.related:
        typer.echo("  Related reading:")
        for r in ans.related[:3]:
            typer.echo(f"   - [{r.section}] {r.text[:160]}…")


@app.command("facts")
def facts_cmd(kind: Annotated[str | None, typer.Option()] = None,
              section: Annotated[str | None, typer.Option()] = None,
              q: Annotated[str | None, typer.Option("--q")] = None,
              limit: Annotated[int, typer.Option()] = 1000,
              sort: Annotated[str, typer.Option()] = "start",
              fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
              index: IndexOpt = None, report: ReportOpt = None, region: RegionOpt = None,
              year: YearOpt = None, measure: MeasureOpt = None) -> None:
    """List the fact table, filtered by kind, section, text, report, region, year or measure."""
    from qa import service

    if fmt not in ("table", "csv", "json"):
        _fail("--format must be table, csv or json")
    s = _settings(index_dir=index)
    resp = _call(service.facts, _load(s), kind=kind, section=section, q=q, limit=limit, sort=sort, reports=report,
                 region=region, year=year, measure=measure)
    rows, total = resp.facts, resp.total
    cols = ["kind", "raw", "value", "unit", "measure", "subject", "period", "section"]
    if fmt == "json":
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        sys.stdout.write(service.facts_csv(resp))
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table(*cols, title=f"{len(rows)} of {total} facts")
        for r in rows:
            t.add_row(*["" if getattr(r, c) is None else str(getattr(r, c)) for c in cols])
        Console().print(t)


@app.command("series")
def series_cmd(measure: Annotated[str, typer.Argument(help="what to compare, e.g. 'poor population'")],
               index: IndexOpt = None, report: ReportOpt = None, region: RegionOpt = None, year: YearOpt = None,
               unit: Annotated[str | None, typer.Option(help="the unit to draw (default: most reports')")] = None,
               as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One measure across the reports: each report's best-matching figure, in one unit, cited."""
    from qa import service

    resp = _call(service.series, _load(_settings(index_dir=index)), measure, reports=report, region=region,
                 year=year, unit=unit)
    if as_json:
        typer.echo(resp.model_dump_json(indent=2))
        return
    typer.echo(resp.description)
    for b in resp.bars:
        typer.echo(f"  {b.label:<24} {b.text:<24} [{b.fact.passage_id}] {b.fact.sentence[:100]}")
        for o in b.others:
            typer.echo(f"  {'':<24} also: {o.raw} ({o.measure}) [{o.passage_id}]")
    for note in resp.notes:
        typer.echo(note)


@eval_app.callback(invoke_without_command=True)
def eval_cmd(ctx: typer.Context, index: IndexOpt = None,
             questions: Annotated[Path | None, typer.Option(help="questions JSONL")] = None,
             check: Annotated[bool, typer.Option("--check", help="exit 1 below eval/thresholds.toml")] = False,
             write: Annotated[bool, typer.Option("--write/--no-write", help="write eval/report.*")] = True) -> None:
    """Run the eval questions through the answer function and print the scores."""
    if ctx.invoked_subcommand is not None:
        return
    from qa.evaluation.run import run_eval_cli

    s = _settings(index_dir=index)
    code = run_eval_cli(_load(s), questions=questions, check=check, write=write)
    raise typer.Exit(code)


@eval_app.command("facts")
def eval_facts_cmd(corpus: CorpusOpt = None,
                   gold: Annotated[Path, typer.Option(help="gold facts JSONL")] = Path("eval/facts_gold.jsonl"),
                   ) -> None:
    """Precision and recall of the fact extractor against hand-written gold facts."""
    from qa.corpus.documents import load_corpus
    from qa.errors import CorpusError
    from qa.evaluation.facts import evaluate_facts, format_report

    s = _settings(corpus_dir=corpus)
    try:
        docs = load_corpus(s.corpus_dir)
    except CorpusError as exc:
        _fail(str(exc))
    if not gold.exists():
        _fail(f"gold file not found: {gold}")
    typer.echo(format_report(evaluate_facts(docs, gold)))


@eval_app.command("series")
def eval_series_cmd(split: Annotated[str, typer.Option(help="dev, open, sealed, development or all")] = "development",
                    only: Annotated[list[str] | None, typer.Option("--set", help="only these sets")] = None,
                    out: Annotated[Path | None, typer.Option("--out", help="write the figures as JSON")] = None,
                    loro: Annotated[bool, typer.Option("--loro", help="each development report answered by a "
                                                       "ranker fitted without it")] = False,
                    combined: Annotated[bool, typer.Option("--combined", help="also answer every set in one "
                                                           "index of all the sets' reports, beside alone")] = False,
                    questions: Annotated[str, typer.Option(help="the series' question folder: questions (with "
                                                           "the other spent sets, the development pool), or one "
                                                           "folder alone (questions_d: the blind fourth set)")]
                    = "questions",
                    model: ModelOpt = None) -> None:
    """Each report indexed alone, its questions answered: figures per report, pooled and by kind.
    With --combined, also all reports in one index, each set's figure beside its figure alone."""
    from rich.console import Console
    from rich.table import Table

    from qa.evaluation.series import SERIES, eval_sets, failures, run_sets, select, series_summary

    if split not in ("dev", "open", "sealed", "development", "all"):
        _fail("--split must be dev, open, sealed, development or all")
    if not re.fullmatch(r"questions(?:_[a-z])?", questions) or not (SERIES / questions).is_dir():
        _fail(f"--questions must name a folder of {SERIES} (questions, questions_b, ...)")
    sets = [s for s in select(eval_sets(questions=questions), split, only) if s.questions.exists()]
    if not sets:
        _fail("no eval set matches")
    settings = _settings(model=model)
    models = None
    if loro:
        from qa.evaluation.fit import collect, fitted_without

        groups = collect(select(eval_sets(), "development"), settings)
        models = {s.name: fitted_without(groups, s.name) for s in sets if s.split != "sealed"}
    results = run_sets(sets, settings, models=models)
    summary = series_summary(results)
    t = Table("set", "questions", "answerable accuracy", "abstention recall", "false abstentions", "unsupported",
              title=f"qa eval series --split {split}{' --loro' if loro else ''}")
    def pct(v):
        return "-" if v is None else f"{v:.1%}"
    for name, m in [*summary["per_set"].items(), ("pooled", summary["pooled"])]:
        t.add_row(name, str(m["questions"]), pct(m["answer_accuracy"]), pct(m["abstention_recall"]),
                  pct(m["false_abstention_rate"]), str(m["unsupported_numbers"]))
    console = Console(width=160)
    console.print(t)
    console.print("by kind: " + ", ".join(f"{k} {pct(v)}" for k, v in sorted(summary["by_kind"].items())))
    report = {"split": split, "summary": summary, "failures": failures(results)}
    if combined:
        report["combined"] = _combined_table(console, sets, settings, summary, pct)
    if out:
        out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
        console.print(f"wrote {out}")


def _combined_table(console, sets, settings, alone: dict, pct) -> dict:
    """Each set answered in one index of all the sets' reports, beside its figure alone."""
    from rich.table import Table

    from qa.evaluation.series import failures, run_combined, series_summary

    results, routed = run_combined(sets, settings)
    summary = series_summary(results)
    t = Table("set", "alone", "combined", "change", "answered from its own report",
              title=f"all {len(sets)} sets' reports in one index (answerable accuracy)")
    rows = [*summary["per_set"].items(), ("pooled", summary["pooled"])]
    alone_rows = {**alone["per_set"], "pooled": alone["pooled"]}
    for name, m in rows:
        a, c = alone_rows[name]["answer_accuracy"], m["answer_accuracy"]
        r = routed.get(name) or {k: sum(v[k] for v in routed.values()) for k in ("answered", "own_report")}
        change = "-" if a is None or c is None else f"{(c - a) * 100:+.1f} pts"
        t.add_row(name, pct(a), pct(c), change, f"{r['own_report']}/{r['answered']}")
    console.print(t)
    return {"summary": summary, "routed": routed, "failures": failures(results)}


@eval_app.command("cross")
def eval_cross_cmd(out: Annotated[Path | None, typer.Option("--out", help="write the results as JSON")] = None,
                   questions: Annotated[Path, typer.Option(
                       help="the question file (eval/cross/questions_b.jsonl: the second blind set)")
                   ] = Path("eval/cross/questions.jsonl"),
                   model: ModelOpt = None) -> None:
    """The questions across reports (eval/cross), asked of one index of every report, scored by type."""
    from qa.evaluation.cross import report_lines, run_cross

    if not questions.is_file():
        _fail(f"no question file {questions}")
    for line in report_lines(run_cross(_settings(model=model), questions), out):
        typer.echo(line)


@eval_app.command("fit")
def eval_fit_cmd(write: Annotated[bool, typer.Option("--write/--no-write", help="write the model")] = False,
                 c: Annotated[float, typer.Option(help="inverse regularization strength")] = 1.0,
                 model: ModelOpt = None) -> None:
    """Fit the answer ranker on the development sets and measure it leave-one-report-out."""
    from qa.answer.ranker import PATH
    from qa.evaluation.fit import run_fit
    from qa.evaluation.series import eval_sets, select

    res = run_fit(select(eval_sets(), "development"), _settings(model=model), c)
    pooled = res["pooled"]
    typer.echo(f"{res['questions']} single-figure questions, {res['rows']} candidates; threshold "
               f"{res['threshold']}, {type(res['calibration']).__name__} over the probability and "
               f"{len(res['calibration'].names)} features of the winner")
    typer.echo("leave-one-report-out: " + json.dumps({k: round(v, 3) for k, v in pooled.items()}))
    for name, o in res["per_set"].items():
        typer.echo(f"  {name:16} right {o['right']:3}/{o['answerable']:<3} ({o['accuracy']:.1%}; word-score top "
                   f"{o['rule_top1']:.1%})  false abst {o['false_abstention']:.1%}  "
                   f"abst recall {o['abstention_recall']:.1%} of {o['unanswerable']}")
    if write:
        PATH.write_text(res["model"].to_json(fitted_on=res["sets"],
                                             leave_one_report_out=pooled), encoding="utf-8")
        typer.echo(f"wrote {PATH}")


@app.command("serve")
def serve_cmd(index: IndexOpt = None, host: Annotated[str | None, typer.Option()] = None,
              port: Annotated[int | None, typer.Option()] = None,
              workers: Annotated[int | None, typer.Option()] = None) -> None:
    """Serve the web page and JSON API with uvicorn."""
    from qa.web.app import serve

    s = _settings(index_dir=index, host=host, port=port, workers=workers)
    serve(s)


@feedback_app.command("export")
def feedback_export_cmd(out: Annotated[Path, typer.Option("--out", "-o")] = Path("eval/feedback_questions.jsonl"),
                        data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None) -> None:
    """Write the feedback votes as eval questions (JSONL)."""
    from qa.feedback import export_feedback

    s = _settings(data_dir=data_dir)
    n = export_feedback(s.feedback_db, out)
    typer.echo(f"wrote {n} questions to {out}")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
