"""Readable rules from a shallow decision tree: one row per leaf, with bounds SQL can apply."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.tree import DecisionTreeClassifier

log = logging.getLogger(__name__)

TREE_RANDOM_STATE = 42


@dataclass(frozen=True)
class FeatureFormat:
    """How a feature reads in a rule: its name, unit, and kind ('integer', 'number' or 'flag')."""

    name: str
    unit: str = ""
    kind: str = "number"


@dataclass
class Leaf:
    """A leaf's node id, its bounds per feature (lower exclusive, upper inclusive) and its rule text."""

    node_id: int
    lower: dict[str, float] = field(default_factory=dict)
    upper: dict[str, float] = field(default_factory=dict)
    text: str = ""


def fit_tree(
    x: np.ndarray,
    y: np.ndarray,
    max_depth: int,
    random_state: int = TREE_RANDOM_STATE,
    min_samples_leaf: int | float = 1,
) -> DecisionTreeClassifier:
    """A shallow, seeded decision tree (depth capped at 4 so rules stay readable)."""
    tree = DecisionTreeClassifier(
        max_depth=min(max_depth, 4), random_state=random_state, min_samples_leaf=min_samples_leaf
    )
    return tree.fit(x, y)


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"


def _condition(feature: str, low: float | None, high: float | None, fmt: FeatureFormat) -> str:
    """Text for low < x <= high, in whole numbers for integer features and =/≠ for 0/1 flags."""
    if fmt.kind == "flag":
        name, _, value = fmt.name.partition("=")
        if low is not None:
            return f"{name} = {value}" if value else f"{name} is true"
        return f"{name} ≠ {value}" if value else f"{name} is false"
    unit = f" {fmt.unit}" if fmt.unit else ""
    if fmt.kind == "integer":
        first = math.floor(low) + 1 if low is not None else None
        last = math.floor(high) if high is not None else None
        if first is not None and last is not None:
            if first == last:
                return f"{fmt.name} = {first}{unit}"
            return f"{fmt.name} {first}–{last}{unit}"
        if first is not None:
            return f"{fmt.name} ≥ {first}{unit}"
        return f"{fmt.name} ≤ {last}{unit}"
    if low is not None and high is not None:
        return f"{fmt.name} > {_number(low)} and ≤ {_number(high)}{unit}"
    if low is not None:
        return f"{fmt.name} > {_number(low)}{unit}"
    return f"{fmt.name} ≤ {_number(high)}{unit}"


def _merge_flags(
    conditions: list[tuple[str, float | None, float | None, FeatureFormat]],
) -> list[str]:
    """Condition texts; one-hot flags of one variable merge: '= X' alone, or 'not in (X, Y)'."""
    texts: list[str] = []
    flags: dict[str, dict[str, list[str]]] = {}
    for feature, low, high, fmt in conditions:
        name, sep, value = fmt.name.partition("=")
        if fmt.kind == "flag" and sep:
            if name not in flags:
                flags[name] = {"is": [], "not": []}
                texts.append(f"\0{name}")  # placeholder keeps the variable's first position
            flags[name]["is" if low is not None else "not"].append(value)
        else:
            texts.append(_condition(feature, low, high, fmt))
    result = []
    for text in texts:
        if not text.startswith("\0"):
            result.append(text)
            continue
        name = text[1:]
        is_, not_ = flags[name]["is"], flags[name]["not"]
        if is_:
            result.append(f"{name} = {is_[0]}")
        elif len(not_) == 1:
            result.append(f"{name} ≠ {not_[0]}")
        else:
            result.append(f"{name} not in ({', '.join(not_)})")
    return result


def subtree_classes(tree: DecisionTreeClassifier) -> list[set[int]]:
    """Per node, the set of class indices its leaves predict."""
    t = tree.tree_
    classes: list[set[int]] = [set() for _ in range(t.node_count)]
    for node in reversed(range(t.node_count)):  # children always have larger ids than parents
        left, right = t.children_left[node], t.children_right[node]
        if left == right:
            classes[node] = {int(np.argmax(t.value[node][0]))}
        else:
            classes[node] = classes[left] | classes[right]
    return classes


def rule_members(tree: DecisionTreeClassifier, x: np.ndarray, node_id: int) -> np.ndarray:
    """Boolean mask of the rows whose path goes through node_id (the rows a rule covers)."""
    return np.asarray(tree.decision_path(x)[:, node_id].todense()).ravel().astype(bool)


def rule_class(tree: DecisionTreeClassifier, node_id: int) -> object:
    """The class a rule (leaf, or subtree whose leaves agree) predicts: its majority class."""
    return tree.classes_[int(np.argmax(tree.tree_.value[node_id][0]))]


def tree_leaves(
    tree: DecisionTreeClassifier,
    features: Sequence[str],
    formats: Mapping[str, FeatureFormat] | None = None,
) -> list[Leaf]:
    """Every leaf, left to right, with its path turned into bounds and a readable condition."""
    formats = formats or {}
    t = tree.tree_
    leaves: list[Leaf] = []
    single = subtree_classes(tree)

    def walk(node: int, lower: dict[str, float], upper: dict[str, float]) -> None:
        # a subtree whose leaves all predict one class reads as one rule
        if t.children_left[node] == t.children_right[node] or len(single[node]) == 1:
            used = [f for f in features if f in lower or f in upper]
            parts = _merge_flags(
                [(f, lower.get(f), upper.get(f), formats.get(f, FeatureFormat(f))) for f in used]
            )
            leaves.append(Leaf(node, dict(lower), dict(upper), " and ".join(parts) or "all"))
            return
        f = features[t.feature[node]]
        threshold = float(t.threshold[node])
        walk(t.children_left[node], lower, {**upper, f: min(upper.get(f, math.inf), threshold)})
        walk(t.children_right[node], {**lower, f: max(lower.get(f, -math.inf), threshold)}, upper)

    walk(0, {}, {})
    return leaves
