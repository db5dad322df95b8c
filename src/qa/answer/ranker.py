"""The fitted ranker: which candidate figure answers a question, and how sure that is.

A logistic regression over ``qa.answer.features`` (standardized), fitted by ``qa eval fit`` on the
labelled development sets and chosen by leave-one-report-out (``eval/RANKER.md``). Its probability is
the confidence an answer shows, and below ``threshold`` (also chosen by leave-one-report-out) the
answer abstains. The model is a small JSON file of numbers (``ranker.json``), so answering needs
neither scikit-learn nor a pickle; ``qa eval fit`` writes it.

The confidence is a second, question-level model: the chosen
candidate's probability says how much it beats the others, not whether the report answers at all.
"How many people did X lift out of poverty?" met by the one count of people in the report ("a
population of 2.38 million") wins clearly over a count of projects, yet most of the question's words
are missing around it. So the calibration reads the winner's absolute fit (its word-level score,
coverage, missing and most specific missing word, and the other features of its row) beside its
probability; fitted on held-out (leave-one-report-out) decisions, its output is the probability
that the answer is right. The shipped one is boosted trees (``BoostedCalibration``, walked from JSON
by ``qa.answer.trees``); a logistic regression (``Calibration``) is the simpler alternative.
"""

from __future__ import annotations

import json
import math
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.answer.features import NAMES
from qa.answer.trees import Trees

PATH = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class Ranker:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # on the calibrated confidence: below it the answer abstains
    calibration: Calibration | BoostedCalibration | None = None  # P(right) of the chosen candidate; None: p

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(candidate answers the question) for each row of ``qa.answer.features`` (all of them;
        the model reads the columns it was fitted on)."""
        if len(rows) == 0:
            return np.zeros(0)
        cols = [NAMES.index(n) for n in self.names]
        z = ((rows[:, cols] - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def confidence(self, p: float, row: np.ndarray | None = None) -> float:
        """P(the answer is right) for a chosen candidate of probability ``p`` whose feature row
        (``qa.answer.features.NAMES``) is ``row``."""
        if self.calibration is None:
            return p
        return self.calibration.confidence(p, row)

    def to_json(self, **meta: object) -> str:
        cal = self.calibration.to_dict() if self.calibration is not None else None
        return json.dumps({"names": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                           "coef": self.coef.tolist(), "intercept": self.intercept, "threshold": self.threshold,
                           "calibration": cal, **meta}, indent=1)


@dataclass(frozen=True)
class Calibration:
    """A logistic regression over the logit of the chosen candidate's probability and ``names`` of its
    feature row (standardized by ``mean`` and ``scale``, the logit first). With no names it is a Platt
    scaling."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def inputs(self, p: float, row: np.ndarray | None) -> np.ndarray:
        return calibration_inputs(self.names, p, row)

    def confidence(self, p: float, row: np.ndarray | None = None) -> float:
        z = float(((self.inputs(p, row) - self.mean) / self.scale) @ self.coef + self.intercept)
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict:
        return {"names": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}


@dataclass(frozen=True)
class BoostedCalibration:
    """Boosted trees (``qa.answer.trees``) over the logit of the chosen candidate's probability and
    ``names`` of its feature row, unscaled: the probability that the answer is right. Trees read a
    signal where it matters and not elsewhere (how far a figure's words are from the question's
    counts less when it is the only figure of its kind), which the linear ``Calibration`` cannot;
    chosen by leave-one-report-out (eval/RANKER.md)."""

    names: tuple[str, ...]
    trees: Trees

    def inputs(self, p: float, row: np.ndarray | None) -> np.ndarray:
        return calibration_inputs(self.names, p, row)

    def confidence(self, p: float, row: np.ndarray | None = None) -> float:
        return self.trees.probability(self.inputs(p, row))

    def to_dict(self) -> dict:
        return {"names": list(self.names), "trees": list(self.trees.trees)}


def calibration_inputs(names: tuple[str, ...], p: float, row: np.ndarray | None) -> np.ndarray:
    """What a calibration reads: the logit of the chosen candidate's probability, then ``names`` of
    its feature row (zeros without a row)."""
    values = [logit(p)]
    for n in names:
        values.append(float(row[NAMES.index(n)]) if row is not None else 0.0)
    return np.asarray(values)


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def platt_calibration(a: float, b: float) -> Calibration:
    """The Platt scaling ``sigmoid(a * logit(p) + b)`` as a ``Calibration``."""
    return Calibration((), np.zeros(1), np.ones(1), np.asarray([a]), b)


def from_dict(d: dict) -> Ranker:
    cal = d.get("calibration")
    if cal and "trees" in cal:
        calibration = BoostedCalibration(tuple(cal["names"]), Trees(tuple(cal["trees"])))
    elif cal:
        calibration = Calibration(tuple(cal["names"]), np.asarray(cal["mean"]), np.asarray(cal["scale"]),
                                  np.asarray(cal["coef"]), float(cal["intercept"]))
    else:  # a model written before the calibration read the candidate's features
        calibration = platt_calibration(*d.get("platt", (1.0, 0.0)))
    return Ranker(tuple(d["names"]), np.asarray(d["mean"]), np.asarray(d["scale"]), np.asarray(d["coef"]),
                  float(d["intercept"]), float(d["threshold"]), calibration)


_override: list[Ranker] = []


@contextmanager
def using(model: Ranker):
    """Answer with ``model`` instead of the shipped one inside the block (leave-one-report-out runs)."""
    _override.append(model)
    try:
        yield model
    finally:
        _override.pop()


def load() -> Ranker | None:
    """The model answering now: one set by ``using``, else the shipped one."""
    return _override[-1] if _override else shipped()


@lru_cache(maxsize=1)
def shipped() -> Ranker | None:
    """The shipped model, or None when there is none or it was fitted on other features."""
    if not PATH.exists():
        return None
    d = json.loads(PATH.read_text(encoding="utf-8"))
    cal = d.get("calibration") or {}
    return from_dict(d) if set(d.get("names", ())) | set(cal.get("names", ())) <= set(NAMES) else None
