"""Customer segmentation tables from DataFrames in, DataFrames out (the dbt models call these)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from models_py import clustering, explain, features, k_selection, labelling
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

ID = "customer_id"
# segment 1 is the most valuable: order by centroid monetary, then frequency, descending
ORDER_KEY = (features.RFM_FEATURES.index("monetary"), features.RFM_FEATURES.index("frequency"))
RULE_TREE_DEPTH = 3
RULE_FORMATS = {
    "recency_days": explain.FeatureFormat("recency", "days", "integer"),
    "frequency": explain.FeatureFormat("frequency", "orders", "integer"),
    "monetary": explain.FeatureFormat("monetary", "", "number"),
}


def run_settings(run: pd.DataFrame, forced_column: str = "forced_k") -> tuple[str, int | None]:
    """Run id and forced k (None = choose from the data) from the one-row run table."""
    if len(run) != 1:
        raise SegmentationError(f"expected one run row, found {len(run)}")
    forced = run[forced_column].iloc[0] if forced_column in run else None
    return str(run["model_run_id"].iloc[0]), None if pd.isna(forced) else int(forced)


def customer_k_selection(
    rfm: pd.DataFrame,
    run_id: str,
    forced_k: int | None = None,
    random_state: int = clustering.RANDOM_STATE,
    n_init: int = clustering.N_INIT,
) -> pd.DataFrame:
    """`segment_k_selection`: metrics for k = 2..10 and the chosen k with its reason."""
    customers = features.segmentable_customers(rfm, ID)
    scaler = features.fit_scaler(customers)
    x = features.scale_features(customers, scaler)
    table, _ = k_selection.k_selection_table(x, forced_k, random_state, n_init)
    return table.assign(
        n_customers=len(customers), random_state=random_state, n_init=n_init, model_run_id=run_id
    )


def chosen_k(selection: pd.DataFrame) -> int:
    """The k flagged is_chosen in a k-selection table."""
    chosen = selection.loc[selection["is_chosen"].astype(bool), "k"]
    if len(chosen) != 1:
        raise SegmentationError(f"expected one chosen k, found {len(chosen)}")
    return int(chosen.iloc[0])


def customer_segment_model(
    rfm: pd.DataFrame,
    k: int,
    run_id: str,
    rfm_segment_order: list[str] | None = None,
    random_state: int = clustering.RANDOM_STATE,
    n_init: int = clustering.N_INIT,
) -> pd.DataFrame:
    """`segment_model`: per segment x feature the centroid and the scaler, plus the segment's label."""
    customers = features.segmentable_customers(rfm, ID)
    scaler = features.fit_scaler(customers)
    x = features.scale_features(customers, scaler)
    fit = clustering.fit_segments(x, k, ORDER_KEY, random_state, n_init)
    dominant = labelling.dominant_category(
        fit.labels,
        customers.get("rfm_segment", pd.Series([None] * len(customers))).tolist(),
        rfm_segment_order or [],
    )
    labels = labelling.label_segments(dominant, fit.centroids, scaler.features)
    raw_centroids = features.unscale(fit.centroids, scaler)
    rows = []
    for s in range(1, k + 1):
        for j, feature in enumerate(scaler.features):
            rows.append(
                {
                    "model_run_id": run_id,
                    "segment_id": s,
                    "segment_label": labels[s],
                    "dominant_rfm_segment": dominant.get(s),
                    "segment_position": labelling.describe_position(
                        fit.centroids[s - 1], scaler.features
                    ),
                    "feature": feature,
                    "feature_order": j + 1,
                    "transform": scaler.transform,
                    "scaler_mean": float(scaler.mean[j]),
                    "scaler_scale": float(scaler.scale[j]),
                    "centroid_scaled": float(fit.centroids[s - 1, j]),
                    "centroid_value": float(raw_centroids[s - 1, j]),
                }
            )
    return pd.DataFrame(rows)


def model_parameters(
    model: pd.DataFrame,
) -> tuple[features.FeatureScaler, np.ndarray, dict[int, str]]:
    """Scaler, centroids (row i = segment i + 1) and labels read back from a `segment_model` table."""
    ordered = model.sort_values(["segment_id", "feature_order"], kind="mergesort")
    feats = tuple(ordered.drop_duplicates("feature_order")["feature"])
    per_feature = ordered.drop_duplicates("feature_order")
    scaler = features.FeatureScaler(
        feats,
        per_feature["scaler_mean"].to_numpy(float),
        per_feature["scaler_scale"].to_numpy(float),
        str(per_feature["transform"].iloc[0]),
    )
    if scaler.transform != features.TRANSFORM:
        raise SegmentationError(f"unknown transform {scaler.transform!r}")
    k = ordered["segment_id"].nunique()
    if sorted(ordered["segment_id"].unique()) != list(range(1, k + 1)):
        raise SegmentationError("segment ids in the model must be 1..k")
    centroids = ordered["centroid_scaled"].to_numpy(float).reshape(k, len(feats))
    labels = dict(zip(ordered["segment_id"].astype(int), ordered["segment_label"], strict=True))
    return scaler, centroids, labels


def customer_segments(rfm: pd.DataFrame, model: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """`customer_segments`: each segmentable customer scored with the stored model, plus 2 PCA axes."""
    customers = features.segmentable_customers(rfm, ID)
    scaler, centroids, labels = model_parameters(model)
    x = features.scale_features(customers, scaler)
    segment = clustering.assign_segments(x, centroids)
    pca = clustering.pca_coordinates(x)
    return pd.DataFrame(
        {
            ID: customers[ID].to_numpy(),
            "segment_id": segment.astype("int32"),
            "segment_label": [labels[s] for s in segment],
            "rfm_segment": customers["rfm_segment"].to_numpy()
            if "rfm_segment" in customers
            else None,
            "recency_days": customers["recency_days"].to_numpy("int32"),
            "frequency": customers["frequency"].to_numpy("int32"),
            "monetary": customers["monetary"].to_numpy(float),
            "pca_1": pca[:, 0],
            "pca_2": pca[:, 1],
            "model_run_id": run_id,
        }
    )


def segment_rules(
    segments: pd.DataFrame, run_id: str, max_depth: int = RULE_TREE_DEPTH
) -> pd.DataFrame:
    """`segment_rules`: a shallow tree on raw R, F, M reproducing the segment, one row per leaf."""
    ordered = segments.sort_values(ID, kind="mergesort")
    feats = list(features.RFM_FEATURES)
    x = ordered[feats].to_numpy(float)
    y = ordered["segment_id"].to_numpy("int64")
    labels = dict(zip(ordered["segment_id"], ordered["segment_label"], strict=False))
    tree = explain.fit_tree(x, y, max_depth, min_samples_leaf=max(1, len(x) // 100))
    predicted = tree.predict(x)
    agreement = float((predicted == y).mean())
    rows = []
    for number, leaf in enumerate(explain.tree_leaves(tree, feats, RULE_FORMATS), start=1):
        in_leaf = explain.rule_members(tree, x, leaf.node_id)
        segment_id = int(explain.rule_class(tree, leaf.node_id))
        row = {
            "model_run_id": run_id,
            "rule_id": number,
            "segment_id": segment_id,
            "segment_label": labels[segment_id],
            "conditions": leaf.text,
            "rule": f"{leaf.text} → {labels[segment_id]}",
            "customers": int(in_leaf.sum()),
            "share_in_segment": float((y[in_leaf] == segment_id).mean()) if in_leaf.any() else None,
            "tree_agreement": agreement,
        }
        for f in feats:
            row[f"{f}_gt"] = leaf.lower.get(f)
            row[f"{f}_le"] = leaf.upper.get(f)
        rows.append(row)
    log.info("segment rules: %d leaves, agreement %.3f", len(rows), agreement)
    return pd.DataFrame(rows)
