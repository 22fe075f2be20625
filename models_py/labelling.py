"""Business labels for segments: the dominant named RFM segment, qualified by centroid position."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

# z-score of a centroid (standardised log space) beyond which a feature counts as high or low
POSITION_THRESHOLD = 0.5

# words for (low z, middle, high z) per feature; low recency_days means recent
POSITION_WORDS: dict[str, tuple[str, str, str]] = {
    "recency_days": ("recent", "mid recency", "lapsed"),
    "frequency": ("infrequent", "occasional", "frequent"),
    "monetary": ("low value", "mid value", "high value"),
}
# words that set apart segments sharing a dominant RFM segment, ordered low z -> high z
QUALIFIER_WORDS: dict[str, tuple[str, str, str]] = {
    "recency_days": ("more recent", "mid recency", "less recent"),
    "frequency": ("less frequent", "mid frequency", "more frequent"),
    "monetary": ("lower value", "mid value", "higher value"),
}


def dominant_category(
    segments: np.ndarray, categories: Sequence[str | None], preference: Sequence[str] = ()
) -> dict[int, str]:
    """Most common category per segment; ties go to the earlier one in preference, then alphabetical."""
    frame = pd.DataFrame({"segment": segments, "category": list(categories)}).dropna()
    rank = {name: i for i, name in enumerate(preference)}
    counts = frame.groupby(["segment", "category"]).size().rename("n").reset_index()
    counts["pref"] = counts["category"].map(rank).fillna(len(rank))
    counts = counts.sort_values(
        ["segment", "n", "pref", "category"], ascending=[True, False, True, True], kind="mergesort"
    )
    first = counts.drop_duplicates("segment")
    return {int(s): str(c) for s, c in zip(first["segment"], first["category"], strict=True)}


def describe_position(centroid: np.ndarray, features: Sequence[str]) -> str:
    """Words for where a centroid sits, e.g. 'recent, frequent, high value'."""
    words = []
    for value, feature in zip(centroid, features, strict=True):
        low, mid, high = POSITION_WORDS.get(
            feature, (f"low {feature}", f"mid {feature}", f"high {feature}")
        )
        words.append(
            low if value <= -POSITION_THRESHOLD else high if value >= POSITION_THRESHOLD else mid
        )
    return ", ".join(words)


def _qualifiers(
    centroids: np.ndarray, members: list[int], features: Sequence[str]
) -> dict[int, str]:
    """Words that tell apart segments sharing a base label: rank on the feature that varies most."""
    spread = np.ptp(centroids[members], axis=0)
    feature_index = int(np.argmax(spread))
    feature = features[feature_index]
    low, mid, high = QUALIFIER_WORDS.get(
        feature, (f"lower {feature}", f"mid {feature}", f"higher {feature}")
    )
    order = sorted(members, key=lambda s: (centroids[s, feature_index], s))
    words = {}
    for position, segment in enumerate(order):
        if position == 0:
            words[segment] = low
        elif position == len(order) - 1:
            words[segment] = high
        else:
            words[segment] = mid
    return words


def label_segments(
    base_labels: dict[int, str], centroids: np.ndarray, features: Sequence[str]
) -> dict[int, str]:
    """Unique label per segment id (1..k): the base label, qualified where two segments share it."""
    k = centroids.shape[0]
    base = {s: base_labels.get(s, "Unlabelled") for s in range(1, k + 1)}
    labels = dict(base)
    for name in sorted(set(base.values())):
        members = [s for s in base if base[s] == name]
        if len(members) > 1:
            words = _qualifiers(centroids, [s - 1 for s in members], features)
            for s in members:
                labels[s] = f"{name} ({words[s - 1]})"
    seen: dict[str, int] = {}
    for s in sorted(labels):
        if labels[s] in seen:  # still shared (three or more alike): the segment id settles it
            labels[s] = f"{labels[s]} #{s}"
        seen[labels[s]] = s
    log.info("segment labels: %s", labels)
    return labels
