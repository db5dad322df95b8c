"""Boosted trees walked from LightGBM's dump (qa.answer.trees) give LightGBM's own probabilities, and
a ranker with a boosted calibration survives its JSON file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.answer import ranker
from qa.answer.features import NAMES
from qa.answer.trees import Trees, compact


def _fitted(seed: int = 0):
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] - 0.5 * x[:, 2] + rng.normal(scale=0.5, size=400) > 0).astype(int)
    model = lightgbm.LGBMClassifier(n_estimators=40, learning_rate=0.1, max_depth=2, num_leaves=4,
                                    min_child_samples=20, verbose=-1).fit(x, y)
    return model, x


def test_walking_the_dump_gives_lightgbms_probabilities() -> None:
    model, x = _fitted()
    trees = Trees.from_lightgbm(model.booster_)
    ours = np.array([trees.probability(row) for row in x])
    assert np.allclose(ours, model.predict_proba(x)[:, 1], atol=1e-9)
    assert ours.min() < 0.2 and ours.max() > 0.8  # it separates, not a constant


def test_a_split_sends_equal_values_left() -> None:
    tree = compact({"split_feature": 0, "threshold": 1.0, "decision_type": "<=",
                    "left_child": {"leaf_value": -2.0}, "right_child": {"leaf_value": 3.0}})
    t = Trees((tree,))
    assert t.probability(np.array([1.0])) < 0.5 < t.probability(np.array([1.0 + 1e-9]))
    with pytest.raises(ValueError):
        compact({"split_feature": 0, "threshold": 1.0, "decision_type": "==", "left_child": {"leaf_value": 0.0},
                 "right_child": {"leaf_value": 0.0}})


def test_a_boosted_calibration_survives_json() -> None:
    model, _ = _fitted(1)
    names = ("miss", "coverage")  # the logit of the probability, then these columns of the row
    cal = ranker.BoostedCalibration(names, Trees.from_lightgbm(model.booster_))
    base = ranker.Ranker(("miss",), np.zeros(1), np.ones(1), np.ones(1), 0.0, 0.5, cal)
    again = ranker.from_dict(json.loads(base.to_json()))
    row = np.zeros(len(NAMES), np.float32)
    for p, miss, cover in ((0.9, 0.1, 0.8), (0.6, 0.9, 0.1), (0.3, 0.5, 0.5)):
        row[NAMES.index("miss")], row[NAMES.index("coverage")] = miss, cover
        assert again.confidence(p, row) == pytest.approx(base.confidence(p, row))
        x = np.array([ranker.logit(p), miss, cover])
        assert base.confidence(p, row) == pytest.approx(model.predict_proba(x[None, :])[0, 1], abs=1e-6)
