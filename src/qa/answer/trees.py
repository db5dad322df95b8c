"""Boosted decision trees read from LightGBM's model dump: the model of the answer's confidence.

LightGBM fits the trees (``qa.evaluation.fit.calibrate``); answering only walks them. The dump is
kept as nested lists of numbers in ``ranker.json`` (a split is ``[feature, threshold, left, right]``,
a leaf a number), so answering needs neither LightGBM nor a pickle, and the file says exactly what
the model computes. A tree sends a value ``<= threshold`` left, as LightGBM does; the inputs never
hold a missing value, so LightGBM's missing-value routes are not needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Node = float | list  # a leaf value, or [feature, threshold, left node, right node]


def compact(node: dict) -> Node:
    """One tree of LightGBM's ``dump_model()`` (its ``tree_structure``) as nested lists."""
    if "leaf_value" in node:
        return float(node["leaf_value"])
    if node.get("decision_type", "<=") != "<=":
        raise ValueError(f"unsupported split {node.get('decision_type')!r}")
    return [int(node["split_feature"]), float(node["threshold"]), compact(node["left_child"]),
            compact(node["right_child"])]


def leaf(node: Node, x: np.ndarray) -> float:
    while isinstance(node, list):
        node = node[2] if x[node[0]] <= node[1] else node[3]
    return float(node)


@dataclass(frozen=True)
class Trees:
    """A binary classifier: the sum of the trees' leaves is the log-odds (LightGBM folds its
    starting score into the first tree)."""

    trees: tuple[Node, ...]

    def probability(self, x: np.ndarray) -> float:
        z = sum(leaf(t, x) for t in self.trees)
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_lightgbm(cls, booster) -> Trees:
        return cls(tuple(compact(t["tree_structure"]) for t in booster.dump_model()["tree_info"]))
