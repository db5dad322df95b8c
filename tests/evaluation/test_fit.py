"""Fitting the ranker's calibration (qa.evaluation.fit): pure logic over feature rows, no index."""

from __future__ import annotations

import numpy as np

from qa.answer.features import NAMES
from qa.evaluation.fit import Decision, Group, calibrate, choose_threshold, held_out_confidences, outcome


def _row(**values: float) -> np.ndarray:
    row = np.zeros(len(NAMES), np.float32)
    for name, v in values.items():
        row[NAMES.index(name)] = v
    return row


def _decisions() -> list[Decision]:
    """Three reports; right answers fit their question's words, wrong and unanswerable ones do not,
    whatever their probability. Sixty questions each: the boosted calibration's leaves hold at least
    30 questions, so it needs a pool of more than 60 to split at all."""
    out = []
    rng = np.random.default_rng(0)
    for report in ("a", "b", "c"):
        for i in range(60):
            answerable = i % 3 != 0
            right = answerable and i % 5 != 1
            miss = rng.uniform(0.0, 0.3) if right else rng.uniform(0.6, 1.0)
            g = Group(report, f"{report}{i}", answerable, np.zeros((1, len(NAMES))), np.zeros(1), right)
            out.append(Decision(g, float(rng.uniform(0.6, 0.99)), right, _row(miss=miss)))
    return out


def test_a_calibration_on_the_winners_fit_separates_what_its_probability_does_not() -> None:
    decided = _decisions()
    conf = held_out_confidences(decided)
    t = choose_threshold(decided, conf)
    with_fit = outcome(decided, conf, t)
    # the probability alone (a Platt scaling) cannot tell them apart: it answers all or none
    alone = [calibrate([d for d in decided if d.group.set != d0.group.set], names=()).confidence(d0.p)
             for d0 in decided]
    without = outcome(decided, alone, choose_threshold(decided, alone))
    # nearly every right answer kept (held out, a tree's leaf may fall just short of the threshold)
    best = sum(d.right for d in decided) / sum(d.group.answerable for d in decided)
    assert with_fit["abstention_recall"] == 1.0 and with_fit["accuracy"] >= best - 0.05
    assert with_fit["right"] + with_fit["abstention_recall"] * with_fit["unanswerable"] > (
        without["right"] + without["abstention_recall"] * without["unanswerable"])
