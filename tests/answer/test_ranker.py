"""The ranker's confidence (qa.answer.ranker): pure logic over feature rows, no index needed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.answer import ranker
from qa.answer.features import NAMES


def _row(**values: float) -> np.ndarray:
    row = np.zeros(len(NAMES), np.float32)
    for name, v in values.items():
        row[NAMES.index(name)] = v
    return row


def test_a_calibration_without_features_is_a_platt_scaling() -> None:
    cal = ranker.platt_calibration(2.0, -1.0)
    p = 0.7
    expected = 1 / (1 + np.exp(-(2.0 * np.log(p / (1 - p)) - 1.0)))
    assert cal.confidence(p) == pytest.approx(expected)


def test_a_model_written_with_a_platt_pair_still_loads() -> None:
    d = {"names": ["rule_score"], "mean": [0.0], "scale": [1.0], "coef": [1.0], "intercept": 0.0,
         "threshold": 0.5, "platt": [1.0, 0.0]}
    model = ranker.from_dict(d)
    assert model.confidence(0.8) == pytest.approx(0.8)


def test_the_confidence_reads_the_winners_own_fit_and_survives_json() -> None:
    # a calibration that trusts a winner whose words the question's words are missing less
    cal = ranker.Calibration(("miss",), np.zeros(2), np.ones(2), np.asarray([1.0, -3.0]), 0.0)
    model = ranker.Ranker(("rule_score",), np.zeros(1), np.ones(1), np.ones(1), 0.0, 0.5, cal)
    fits, misses = _row(miss=0.0), _row(miss=0.9)
    assert model.confidence(0.9, fits) > 0.8 > model.confidence(0.9, misses)
    again = ranker.from_dict(json.loads(model.to_json()))
    assert again.confidence(0.9, misses) == pytest.approx(model.confidence(0.9, misses))
