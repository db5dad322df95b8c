"""The fitted ranker: which candidate figure answers a question, and how sure that is.

A logistic regression over ``qa.answer.features`` (standardized), fitted by ``qa eval fit`` on the
labelled development sets and chosen by leave-one-report-out (``eval/RANKER.md``). Its probability is
the confidence an answer shows, and below ``threshold`` (also chosen by leave-one-report-out) the
answer abstains. The model is a small JSON file of numbers (``ranker.json``), so answering needs
neither scikit-learn nor a pickle; ``qa eval fit`` writes it.
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

PATH = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class Ranker:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # on the calibrated confidence: below it the answer abstains
    platt: tuple[float, float] = (1.0, 0.0)  # calibration of the best candidate's probability

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(candidate answers the question) for each row of ``qa.answer.features`` (all of them;
        the model reads the columns it was fitted on)."""
        if len(rows) == 0:
            return np.zeros(0)
        cols = [NAMES.index(n) for n in self.names]
        z = ((rows[:, cols] - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def confidence(self, p: float) -> float:
        """P(the answer is right) for a chosen candidate of probability ``p`` (Platt scaling fitted on
        leave-one-report-out predictions)."""
        return calibrated(p, *self.platt)

    def to_json(self, **meta: object) -> str:
        return json.dumps({"names": list(self.names), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                           "coef": self.coef.tolist(), "intercept": self.intercept, "threshold": self.threshold,
                           "platt": list(self.platt), **meta}, indent=1)


def calibrated(p: float, a: float, b: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return 1.0 / (1.0 + math.exp(-(a * math.log(p / (1 - p)) + b)))


def from_dict(d: dict) -> Ranker:
    return Ranker(tuple(d["names"]), np.asarray(d["mean"]), np.asarray(d["scale"]), np.asarray(d["coef"]),
                  float(d["intercept"]), float(d["threshold"]), tuple(d.get("platt", (1.0, 0.0))))


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
    return from_dict(d) if set(d.get("names", ())) <= set(NAMES) else None
