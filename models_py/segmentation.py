"""Customer segmentation tables from DataFrames in, DataFrames out (the dbt models call these),
per store: each store is segmented on its own."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd

from models_py import clustering, explain, features, k_selection
from models_py.errors import SegmentationError
from models_py.segment_model import SegmentModel

log = logging.getLogger(__name__)

ID = "customer_id"
STORE = "store"
RULE_TREE_DEPTH = 3
RULE_FORMATS = {
    "recency_days": explain.FeatureFormat("recency", "days", "integer"),
    "frequency": explain.FeatureFormat("frequency", "orders", "integer"),
    "monetary": explain.FeatureFormat("monetary", "", "number"),
}


def run_settings(run: pd.DataFrame, forced_column: str = "forced_k") -> tuple[str, int | None]:
    """Run id and forced k (None = choose from the data) from a one-row run table."""
    if len(run) != 1:
        raise SegmentationError(f"expected one run row, found {len(run)}")
    forced = run[forced_column].iloc[0] if forced_column in run else None
    return str(run["model_run_id"].iloc[0]), None if pd.isna(forced) else int(forced)


def per_store(
    frame: pd.DataFrame,
    runs: pd.DataFrame,
    build: Callable[[str, pd.DataFrame, pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    """Apply build(store, the store's rows, its one-row run) to every store of `runs`, in store
    order, and stack the results with the store as first column. Each store is segmented on its
    own: its own scaler, k, centroids and labels."""
    parts = []
    for store in sorted(runs[STORE].unique()):
        rows = frame.loc[frame[STORE] == store].drop(columns=STORE)
        try:
            part = build(store, rows, runs.loc[runs[STORE] == store])
        except SegmentationError as exc:
            raise SegmentationError(f"store {store}: {exc}") from exc
        parts.append(part.assign(**{STORE: store}))
    stacked = pd.concat(parts, ignore_index=True)
    return stacked[[STORE, *[c for c in stacked.columns if c != STORE]]]


def customer_k_selection(
    rfm: pd.DataFrame,
    runs: pd.DataFrame,
    random_state: int = clustering.RANDOM_STATE,
    n_init: int = clustering.N_INIT,
) -> pd.DataFrame:
    """`segment_k_selection`: per store, metrics for k = 2..10 and the chosen k with its reason."""

    def build(store: str, store_rfm: pd.DataFrame, run: pd.DataFrame) -> pd.DataFrame:
        run_id, forced_k = run_settings(run)
        customers = features.segmentable_customers(store_rfm, ID)
        scaler = features.fit_scaler(customers)
        x = features.scale_features(customers, scaler)
        table, _ = k_selection.k_selection_table(x, forced_k, random_state, n_init)
        return table.assign(
            n_customers=len(customers),
            random_state=random_state,
            n_init=n_init,
            model_run_id=run_id,
        )

    return per_store(rfm, runs, build)


def chosen_k(selection: pd.DataFrame) -> int:
    """The k flagged is_chosen in a k-selection table (of one store)."""
    chosen = selection.loc[selection["is_chosen"].astype(bool), "k"]
    if len(chosen) != 1:
        raise SegmentationError(f"expected one chosen k, found {len(chosen)}")
    return int(chosen.iloc[0])


def customer_segment_models(
    rfm: pd.DataFrame,
    selection: pd.DataFrame,
    runs: pd.DataFrame,
    rfm_segment_order: list[str] | None = None,
    random_state: int = clustering.RANDOM_STATE,
    n_init: int = clustering.N_INIT,
) -> pd.DataFrame:
    """`segment_model`: per store, the SegmentModel fitted with the store's chosen k, as rows."""

    def build(store: str, store_rfm: pd.DataFrame, run: pd.DataFrame) -> pd.DataFrame:
        run_id, _ = run_settings(run)
        k = chosen_k(selection.loc[selection[STORE] == store])
        customers = features.segmentable_customers(store_rfm, ID)
        model = SegmentModel.fit(customers, k, run_id, rfm_segment_order, random_state, n_init)
        return model.to_rows()

    return per_store(rfm, runs, build)


def customer_segments(
    rfm: pd.DataFrame, model_rows: pd.DataFrame, runs: pd.DataFrame
) -> pd.DataFrame:
    """`customer_segments`: per store, each segmentable customer scored with the store's stored
    model, plus 2 PCA axes."""

    def build(store: str, store_rfm: pd.DataFrame, run: pd.DataFrame) -> pd.DataFrame:
        run_id, _ = run_settings(run)
        model = SegmentModel.from_rows(model_rows.loc[model_rows[STORE] == store])
        customers = features.segmentable_customers(store_rfm, ID)
        segment, _ = model.assign(customers[list(model.features)].to_numpy(float))
        pca = clustering.pca_coordinates(features.scale_features(customers, model.scaler))
        return pd.DataFrame(
            {
                ID: customers[ID].to_numpy(),
                "segment_id": segment.astype("int32"),
                "segment_label": [model.label(s) for s in segment],
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

    return per_store(rfm, runs, build)


def segment_rules(
    segments: pd.DataFrame, runs: pd.DataFrame, max_depth: int = RULE_TREE_DEPTH
) -> pd.DataFrame:
    """`segment_rules`: per store, a shallow tree on raw R, F, M reproducing the segment, one row
    per leaf."""

    def build(store: str, store_segments: pd.DataFrame, run: pd.DataFrame) -> pd.DataFrame:
        run_id, _ = run_settings(run)
        return store_segment_rules(store_segments, run_id, max_depth)

    return per_store(segments, runs, build)


def store_segment_rules(
    segments: pd.DataFrame, run_id: str, max_depth: int = RULE_TREE_DEPTH
) -> pd.DataFrame:
    """The rule leaves of one store's segments."""
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
