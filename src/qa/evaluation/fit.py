"""Fit the answer ranker (``qa.answer.ranker``) and measure it leave-one-report-out: ``qa eval fit``.

Training data: every question of the development sets (the seed, fictional and held-out reports, and
the open series reports; never the sealed ones) that the answerer treats as a single-figure question.
Each candidate figure of the question becomes a row of ``qa.answer.features``, labelled 1 when its
value is the expected one. Unanswerable questions contribute candidates labelled 0 only.

Leave-one-report-out: for each report, the model is fitted on the other reports and answers this
one; the pooled held-out predictions fit the calibration of the confidence (``calibrate``: the
chosen candidate's probability and its absolute fit to the question) and, each report calibrated
without itself, choose the abstention threshold and give the figures reported.
scikit-learn's LogisticRegression is the ranker and LightGBM's boosted trees the calibration:
well-kept, deterministic fits whose models fit in a small JSON file, so answering needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qa.answer.context import context_for
from qa.answer.features import NAMES, feature_rows, previous_figure
from qa.answer.pipeline import analyse, retrieve
from qa.answer.ranker import BoostedCalibration, Calibration, Ranker, calibration_inputs
from qa.answer.score import candidates
from qa.answer.thresholds import TOP_PASSAGES
from qa.answer.trees import Trees
from qa.evaluation.metrics import expected_values, families_agree, unit_family, values_match
from qa.evaluation.series import EvalSet, index_for
from qa.settings import Settings

NUMERIC = ("money", "count", "percent", "auto", "change")
# The features the shipped model reads, chosen by leave-one-report-out accuracy (eval/RANKER.md): the
# figure's own words covering the question's (with the lexicon's synonyms, and for a word neither
# holds, its closest word there as the embedding model sees single words) and the word-level score,
# each with its margin to the best candidate of the question; the most specific question word the
# figure's surroundings lack; whether the figure is a change when a level is asked or the other way
# round; whether its own phrase names another tier of government than the question, it is the whole
# of which a part is asked, it stands in a quoted slogan; for a follow-up, whether it stands in the
# sentence that answered the previous question, or is that answer; how much of the figure's own measure
# ("credit poverty alleviation fund") the question asks (night session: +1 top-1, eval/RANKER.md). Adding
# the sentence and clause embedding similarities, unit and kind signals or shape signals lowered the
# held-out accuracy.
FEATURES = ("near_cover", "cover_lead", "rule_score", "score_lead", "key_miss", "change_mismatch",
            "tier_conflict", "part_whole", "in_quotes", "beside_previous", "is_previous", "measure_precision")


@dataclass
class Group:
    """One question's candidates."""

    set: str
    qid: str
    answerable: bool
    x: np.ndarray
    y: np.ndarray
    rule_ok: bool  # the word-level score's best candidate is right (for comparison)
    oof: np.ndarray = field(default_factory=lambda: np.zeros(0))


def label(fact, expected: dict[str, Any]) -> int:
    if fact.value is None or "value" not in expected:
        return 0
    fam = unit_family(fact.unit)
    return int(any(values_match(float(fact.value), v) and families_agree(fam, u) for v, u in expected_values(expected)))


def collect(sets: list[EvalSet], settings: Settings) -> list[Group]:
    """The candidate rows of every single-figure question of ``sets``."""
    groups = []
    for s in sets:
        index = index_for(s, settings)
        ctx = context_for(index)
        for item in s.items():
            if item.get("kind") == "arithmetic":
                continue
            q = analyse(index, ctx, item["question"], list(item.get("history") or []))
            if q.op or q.kind not in NUMERIC:
                continue
            hits = retrieve(index, q)
            cands = candidates(q, index, hits[:TOP_PASSAGES], ctx)
            qvec = index.retriever.encoder.encode_query(q.query_text)
            x = feature_rows(q, cands, index, qvec, previous_figure(q, index, ctx, hits[:TOP_PASSAGES]))
            y = np.array([label(c.item, item.get("expected") or {}) for c in cands], np.int8)
            answerable = bool(item.get("answerable", True))
            groups.append(Group(s.name, item["id"], answerable, x, y, bool(len(y) and y[0])))
    return groups


def fit(groups: list[Group], c: float = 1.0, features: tuple[str, ...] = FEATURES) -> Ranker:
    """Logistic regression on the candidates of ``groups``; every report weighs the same, so that the
    long seed report does not outvote the short series reports."""
    from sklearn.linear_model import LogisticRegression

    cols = [NAMES.index(n) for n in features]
    used = [g for g in groups if len(g.y)]
    x = np.vstack([g.x[:, cols] for g in used])
    y = np.concatenate([g.y for g in used])
    per_set: dict[str, int] = {}
    for g in used:
        per_set[g.set] = per_set.get(g.set, 0) + len(g.y)
    w = np.concatenate([np.full(len(g.y), 1.0 / per_set[g.set]) for g in used])
    mean, scale = x.mean(0), x.std(0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(
        (x - mean) / scale, y, sample_weight=w * len(w) / w.sum())
    return Ranker(tuple(features), mean, scale, model.coef_[0], float(model.intercept_[0]), 0.5)


def loro(groups: list[Group], c: float = 1.0) -> None:
    """Fill each group's out-of-fold probabilities: fitted without its own report."""
    for name in sorted({g.set for g in groups}):
        model = fit([g for g in groups if g.set != name], c)
        for g in groups:
            if g.set == name:
                g.oof = model.probabilities(g.x)


def decisions(groups: list[Group]) -> list[Decision]:
    """The best candidate of each question by the out-of-fold fit: its probability, whether it is
    right, and its feature row (what the calibration reads)."""
    out = []
    for g in groups:
        if len(g.oof) == 0:
            out.append(Decision(g, 0.0, False, None))
            continue
        k = int(np.argmax(g.oof))
        out.append(Decision(g, float(g.oof[k]), bool(g.y[k]), g.x[k]))
    return out


@dataclass(frozen=True)
class Decision:
    group: Group
    p: float  # the best candidate's probability
    right: bool
    row: np.ndarray | None  # its feature row (all of ``NAMES``)


# The calibration: boosted trees over the probability and every feature of the winner's row. Chosen by
# leave-one-report-out on the development pool (2026-12-01, eval/RANKER.md): at the same share of
# unanswerable questions declined (86%), 3 points more answered right than the logistic regression it
# replaced (over rule_score, key_miss, near_cover, score_lead, cover_lead, miss and coverage). Shallow
# trees, a low rate and a minimum leaf of 30 questions keep it from learning one report's questions.
BOOSTED = {"n_estimators": 200, "learning_rate": 0.05, "max_depth": 2, "num_leaves": 4, "min_child_samples": 30,
           "reg_lambda": 1.0, "n_jobs": 1, "deterministic": True, "force_row_wise": True, "verbose": -1}


def calibrate(decided: list[Decision], names: tuple[str, ...] = NAMES) -> Calibration | BoostedCalibration:
    """P(the answer is right) of the chosen candidate, fitted on held-out decisions: boosted trees over
    the logit of its probability and ``names`` of its row; with no names, a Platt scaling of the
    probability. LightGBM and scikit-learn: well-kept, deterministic fits whose models
    fit in a small JSON file."""
    x = np.array([calibration_inputs(names, d.p, d.row) for d in decided])
    ok = np.array([int(d.group.answerable and d.right) for d in decided])
    if names:
        import lightgbm

        booster = lightgbm.LGBMClassifier(**BOOSTED).fit(x, ok).booster_
        return BoostedCalibration(tuple(names), Trees.from_lightgbm(booster))
    from sklearn.linear_model import LogisticRegression

    x = x[:, :1]  # the probability alone
    mean, scale = x.mean(0), x.std(0)
    scale[scale == 0] = 1.0
    m = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, ok)
    return Calibration((), mean, scale, m.coef_[0], float(m.intercept_[0]))


def held_out_confidences(decided: list[Decision]) -> list[float]:
    """Each decision's confidence by a calibration fitted without its report (the threshold is chosen
    on these, so that it is not chosen on the calibration's own training data)."""
    conf = [0.0] * len(decided)
    for name in sorted({d.group.set for d in decided}):
        cal = calibrate([d for d in decided if d.group.set != name])
        for i, d in enumerate(decided):
            if d.group.set == name:
                conf[i] = cal.confidence(d.p, d.row)
    return conf


def outcome(decided: list[Decision], conf: list[float], threshold: float) -> dict[str, Any]:
    """Figures of answering when the confidence ``conf`` (one per decision) is >= ``threshold``,
    else abstaining."""
    pairs = list(zip(decided, conf, strict=True))
    answerable = [(d, c) for d, c in pairs if d.group.answerable]
    unans = [(d, c) for d, c in pairs if not d.group.answerable]
    right = sum(1 for d, c in answerable if d.right and c >= threshold)
    declined = sum(1 for _, c in answerable if c < threshold)
    abstained = sum(1 for _, c in unans if c < threshold)
    high = [(d, c) for d, c in pairs if c >= 0.8]
    return {"answerable": len(answerable), "right": right, "accuracy": right / max(1, len(answerable)),
            "false_abstention": declined / max(1, len(answerable)),
            "unanswerable": len(unans), "abstention_recall": abstained / max(1, len(unans)),
            "high_confidence": len(high),
            "high_confidence_right": sum(1 for d, _ in high if d.group.answerable and d.right) / max(1, len(high))}


THRESHOLDS = [round(0.05 * k, 2) for k in range(1, 19)]


# Every question counts the same: +1 right (a right figure, or "the report does not say" to a question
# the report does not answer), -1 wrong, 0 declined although answerable. A wrong figure costing as
# much as a right one gains is "precision beats coverage"; until the development pool grew by the
# five spent sealed reports a wrong answer cost 0.5 and a correct abstention counted 0.5, which now
# chose 0.45 and, end to end, 5 more wrong answers than 0.55 for 8 more right ones (eval/RANKER.md).
WRONG_COST = 1.0
ABSTAIN_VALUE = 1.0


def choose_threshold(decided: list[Decision], conf: list[float]) -> float:
    """The threshold that gets the most questions right (answered right, or unanswerable and declined),
    each wrong answer counting ``WRONG_COST`` against it and each correct abstention ``ABSTAIN_VALUE``."""
    def good(t: float) -> float:
        o = outcome(decided, conf, t)
        declined_ok = round(o["abstention_recall"] * o["unanswerable"])
        wrong = (o["answerable"] - o["right"] - round(o["false_abstention"] * o["answerable"])) + (
            o["unanswerable"] - declined_ok)
        return o["right"] + ABSTAIN_VALUE * declined_ok - WRONG_COST * wrong
    return max(THRESHOLDS, key=lambda t: (good(t), -t))


def run_fit(sets: list[EvalSet], settings: Settings, c: float = 1.0) -> dict[str, Any]:
    """Leave-one-report-out figures, then the model fitted on every set (threshold and calibration
    from the out-of-fold predictions)."""
    groups = collect(sets, settings)
    loro(groups, c)
    decided = decisions(groups)
    conf = held_out_confidences(decided)
    threshold = choose_threshold(decided, conf)
    per_set = {}
    for name in [s.name for s in sets]:
        mine = [(d, k) for d, k in zip(decided, conf, strict=True) if d.group.set == name]
        if mine:
            per_set[name] = outcome([d for d, _ in mine], [k for _, k in mine], threshold)
            rule = [d.group for d, _ in mine if d.group.answerable]
            per_set[name]["rule_top1"] = sum(g.rule_ok for g in rule) / max(1, len(rule))
    final = fit(groups, c)
    cal = calibrate(decided)
    final = Ranker(final.names, final.mean, final.scale, final.coef, final.intercept, threshold, cal)
    return {"model": final, "calibration": cal, "threshold": threshold, "pooled": outcome(decided, conf, threshold),
            "per_set": per_set, "questions": len(groups), "rows": int(sum(len(g.y) for g in groups)),
            "sets": [s.name for s in sets]}


def fitted_without(groups: list[Group], held_out: str, c: float = 1.0) -> Ranker:
    """The model as ``run_fit`` would ship it had ``held_out`` not been there: fitted on the other
    reports, with threshold and calibration from their own leave-one-report-out predictions."""
    rest = [g for g in groups if g.set != held_out]
    loro(rest, c)
    decided = decisions(rest)
    threshold = choose_threshold(decided, held_out_confidences(decided))
    m = fit(rest, c)
    return Ranker(m.names, m.mean, m.scale, m.coef, m.intercept, threshold, calibrate(decided))
