"""Per-report evaluation over many reports, each indexed alone: ``qa eval series``.

The development sets of ``eval/`` (the seed, the fictional and held-out reports) and the real reports of
the series in ``eval/series/`` (one ``corpus/<id>.txt`` + ``.json`` and one ``questions/<id>.jsonl`` each)
are all "eval sets". ``eval/series/split.json`` keeps five series reports sealed: they are only run with
``--split sealed``, and that first run is the honest figure. Each report gets its own index, cached under
``data/eval`` and rebuilt when the report or the code that shapes an index changes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.evaluation.run import QuestionResult, load_questions, run_eval, summarize
from qa.index.load import QAIndex, load_index
from qa.settings import Settings

SERIES = Path("eval/series")
CACHE = Path("data/eval")
# The development sets that predate the series (see eval/README.md): name -> (corpus, questions).
DEV_SETS = {
    "seed": ("corpus", "eval/questions.jsonl"),
    "lanshan": ("tests/data/fictional/corpus", "eval/questions_fictional.jsonl"),
    "qingyuan": ("tests/data/heldout/corpus", "eval/questions_heldout.jsonl"),
    "hexi": ("tests/data/heldout2/corpus", "eval/questions_heldout2.jsonl"),
    "sanjiang": ("tests/data/heldout3/corpus", "eval/questions_heldout3.jsonl"),
    # written blind in the late session of 2026-11-30, first run recorded (eval/first-run-heldout45.json)
    "lanze": ("tests/data/heldout4/corpus", "eval/questions_heldout4.jsonl"),
    "xiluo": ("tests/data/heldout5/corpus", "eval/questions_heldout5.jsonl"),
    # written blind in the session of 2026-12-01, first run recorded (eval/first-run-heldout67.json)
    "cangling": ("tests/data/heldout6/corpus", "eval/questions_heldout6.jsonl"),
    "luoxia": ("tests/data/heldout7/corpus", "eval/questions_heldout7.jsonl"),
    # written blind in the second session of 2026-12-01, first run recorded (eval/first-run-heldout89.json)
    "langyue": ("tests/data/heldout8/corpus", "eval/questions_heldout8.jsonl"),
    "moyuan": ("tests/data/heldout9/corpus", "eval/questions_heldout9.jsonl"),
    # written blind in the third session of 2026-12-01, first run recorded (eval/first-run-heldout1011.json)
    "xuelan": ("tests/data/heldout10/corpus", "eval/questions_heldout10.jsonl"),
    "cangping": ("tests/data/heldout11/corpus", "eval/questions_heldout11.jsonl"),
    # written blind in the fourth session of 2026-12-01, first run recorded (eval/first-run-heldout1213.json)
    "qilou": ("tests/data/heldout12/corpus", "eval/questions_heldout12.jsonl"),
    "fenmeng": ("tests/data/heldout13/corpus", "eval/questions_heldout13.jsonl"),
}
# The series' question folders that are development data: each blind set joins once its first run is
# recorded (``questions_c``: first run in the 2026-11-30 evening session; ``questions_d``, ``questions_e`` and
# ``questions_f``: in the night session; ``questions_g``: in the late session; ``questions_h`` and
# ``questions_i``: on 2026-12-01; ``questions_j``: in the third session of 2026-12-01; ``questions_k``: in the
# fourth). The next blind set joins only after its own first run.
DEVELOPMENT_QUESTIONS = ("questions", "questions_b", "questions_c", "questions_d", "questions_e", "questions_f",
                         "questions_g", "questions_h", "questions_i", "questions_j", "questions_k")
# Code whose change changes what an index holds.
INDEX_CODE = ("corpus", "facts", "index", "text")


@dataclass(frozen=True)
class EvalSet:
    name: str
    split: str  # "dev", "open" or "sealed"
    docs: tuple[Path, ...]  # report text files (their .json metadata beside them)
    questions: Path
    more: tuple[Path, ...] = ()  # further question files of the same reports (the development pool)

    def items(self) -> list[dict[str, Any]]:
        """Every question of the set: ``questions`` then ``more``."""
        return [q for path in (self.questions, *self.more) if path.exists() for q in load_questions(path)]


def eval_sets(root: Path = Path("."), series: Path = SERIES, questions: str = "questions") -> list[EvalSet]:
    """Every eval set: the development sets, then the series reports in the split's order, with their
    questions from ``series/<questions>/<report>.jsonl`` (``questions_b``: the second set, written
    after the sealed reports' first run, for a second first run)."""
    out = []
    for name, (corpus, asked) in DEV_SETS.items() if questions == "questions" else ():  # the series' own sets only
        docs = tuple(sorted((root / corpus).glob("*.txt")) + sorted((root / corpus).glob("*.md")))
        out.append(EvalSet(name, "dev", docs, root / asked))
    split = json.loads((root / series / "split.json").read_text(encoding="utf-8"))
    spent = set(split.get("spent", ()))  # sealed reports whose first runs are recorded: development now
    for rid in split["reports"]:
        kind = "sealed" if rid in split["sealed"] and rid not in spent else "open"
        # The development pool of a report is every set written for it before this one's run.
        more = tuple(root / series / extra / f"{rid}.jsonl" for extra in DEVELOPMENT_QUESTIONS
                     if questions == "questions" and extra != questions)
        out.append(EvalSet(rid, kind, (root / series / "corpus" / f"{rid}.txt",),
                           root / series / questions / f"{rid}.jsonl", more))
    return out


def select(sets: list[EvalSet], split: str, names: list[str] | None = None) -> list[EvalSet]:
    """``split``: dev, open, sealed, development (dev + open) or all; ``names`` narrows further."""
    wanted = {"development": {"dev", "open"}, "all": {"dev", "open", "sealed"}}.get(split, {split})
    chosen = [s for s in sets if s.split in wanted]
    if names:
        chosen = [s for s in chosen if s.name in names]
    return chosen


def _fingerprint(s: EvalSet, model: str) -> str:
    h = hashlib.sha256(model.encode())
    for doc in s.docs:
        h.update(doc.read_bytes())
        meta = doc.with_suffix(".json")
        if meta.exists():
            h.update(meta.read_bytes())
    pkg = Path(__file__).resolve().parents[1]
    for sub in INDEX_CODE:
        for f in sorted((pkg / sub).rglob("*")):
            if f.suffix in (".py", ".toml"):
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def index_for(s: EvalSet, settings: Settings, cache: Path = CACHE) -> QAIndex:
    """The index of one eval set, built (quietly) unless the cache holds one for the same inputs."""
    from qa.index.build import build_index

    target = cache / s.name
    stamp = target / "fingerprint"
    fp = _fingerprint(s, settings.model)
    if not (stamp.exists() and stamp.read_text() == fp and (target / "index").exists()):
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            for doc in s.docs:
                shutil.copy(doc, tmp)
                if doc.with_suffix(".json").exists():
                    shutil.copy(doc.with_suffix(".json"), tmp)
            build_index(settings.model_copy(update={"corpus_dir": Path(tmp), "index_dir": target / "index"}),
                        progress=False)
        stamp.write_text(fp)
    return load_index(target / "index", settings.model, settings.encoder_int8)


def run_sets(sets: list[EvalSet], settings: Settings, answer_fn=None,
             models: dict | None = None) -> dict[str, list[QuestionResult]]:
    """Answer every question of every set against that set's own index; with ``models`` (set name ->
    ranker), each set is answered by its own model (leave-one-report-out)."""
    from contextlib import nullcontext

    from qa.answer import ranker

    out = {}
    for s in sets:
        index = index_for(s, settings)
        model = (models or {}).get(s.name)
        with ranker.using(model) if model is not None else nullcontext():
            results, _ = run_eval(index, s.items(), answer_fn, progress=False)
        out[s.name] = results
    return out


def combined_index(sets: list[EvalSet], settings: Settings, cache: Path = CACHE,
                   name: str = "combined") -> QAIndex:
    """One index of every report of ``sets`` (cached like a set's own, under ``name``)."""
    docs = tuple(d for s in sets for d in s.docs)
    return index_for(EvalSet(name, "dev", docs, Path()), settings, cache)


def set_reports(s: EvalSet) -> set[str]:
    """The ids of a set's reports (from their metadata, else the file name)."""
    out = set()
    for doc in s.docs:
        meta = doc.with_suffix(".json")
        rid = json.loads(meta.read_text(encoding="utf-8")).get("id") if meta.exists() else None
        out.add(rid or doc.stem)
    return out


def run_combined(sets: list[EvalSet], settings: Settings
                 ) -> tuple[dict[str, list[QuestionResult]], dict[str, dict[str, int]]]:
    """Every set's questions against one index of all the sets' reports, with no report named or
    chosen: the routing (``qa.answer.route``) must find each question's report. Also counts, per
    set, the answered questions and those cited only from the question's own report (its ``doc``
    field, else the set's reports)."""
    from qa.answer.pipeline import answer

    index = combined_index(sets, settings)
    out, routed = {}, {}
    for s in sets:
        own = set_reports(s)
        questions = s.items()
        wanted = {q["question"]: ({q["doc"]} if q.get("doc") else own) for q in questions}
        counts = {"answered": 0, "own_report": 0}

        def answer_fn(ix, question, history, _wanted=wanted, _counts=counts):
            a = answer(ix, question, history)
            docs = {c.doc for c in a.citations}
            if a.answered and docs:
                _counts["answered"] += 1
                _counts["own_report"] += docs <= _wanted.get(question, set())
            return a

        out[s.name], _ = run_eval(index, questions, answer_fn, progress=False)
        routed[s.name] = counts
    return out, routed


KEYS = ("answer_accuracy", "abstention_recall", "false_abstention_rate", "unsupported_numbers", "questions")


def series_summary(results: dict[str, list[QuestionResult]]) -> dict[str, Any]:
    """Figures per set, over all sets pooled, and pooled accuracy by question kind."""
    per = {name: {k: summarize(rs, "qa").get(k) for k in KEYS} for name, rs in results.items()}
    pooled_rs = [r for rs in results.values() for r in rs]
    pooled = summarize(pooled_rs, "qa") if pooled_rs else {}
    return {"per_set": per, "pooled": {k: pooled.get(k) for k in KEYS},
            "by_kind": pooled.get("accuracy_by_kind", {}),
            "answerable": sum(r.answerable for r in pooled_rs),
            "right": sum(r.passed for r in pooled_rs if r.answerable)}


def failures(results: dict[str, list[QuestionResult]]) -> list[dict[str, Any]]:
    """The questions that failed, with what was answered: what a reader of the report looks at first."""
    return [{"set": name, "id": r.id, "kind": r.kind, "answerable": r.answerable, "question": r.question,
             "answer": r.answer[:300], "reason": r.reason}
            for name, rs in results.items() for r in rs if not r.passed]
