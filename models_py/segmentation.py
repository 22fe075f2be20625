"""Customer segmentation tables from DataFrames in, DataFrames out (the dbt models call these),
per store: each store is segmented on its own."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import pandas as pd

from models_py import clustering, explain, features, k_selection, lifecycle, long_tables
from models_py.errors import SegmentationError
from models_py.lifecycle import LifecycleSettings
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


def chosen_k(selection: pd.DataFrame) -> int:
    """The k flagged is_chosen in a k-selection table (of one store)."""
    chosen = selection.loc[selection["is_chosen"].astype(bool), "k"]
    if len(chosen) != 1:
        raise SegmentationError(f"expected one chosen k, found {len(chosen)}")
    return int(chosen.iloc[0])


def lifecycle_settings(run: pd.DataFrame) -> LifecycleSettings:
    """A store's lifecycle settings from its one-row run table (int_commerce_segmentation_runs)."""
    _, forced_k = run_settings(run)
    row = run.iloc[0]
    return LifecycleSettings(
        refit_requested=bool(row["refit_requested"]),
        forced_k=forced_k,
        max_age_days=int(row["max_model_age_days"]),
        max_feature_psi=float(row["max_feature_psi"]),
        max_far_share=float(row["max_far_share"]),
        match_max_distance=float(row["match_max_distance"]),
    )


def _store_rows(frame: pd.DataFrame, store: str) -> pd.DataFrame:
    return frame.loc[frame[STORE] == store].drop(columns=STORE)


def _optional(value):
    return None if value is None or pd.isna(value) else value


def refit_decisions(
    rfm: pd.DataFrame, runs: pd.DataFrame, versions: pd.DataFrame, reference: pd.DataFrame
) -> pd.DataFrame:
    """`int_segment_refit_decisions`: per store, whether this run refits the segment model and
    why, the stored model's age and the drift of today's customers from its fit."""

    def build(store: str, store_rfm: pd.DataFrame, run: pd.DataFrame) -> pd.DataFrame:
        run_id, _ = run_settings(run)
        as_of = pd.Timestamp(run["as_of_date"].iloc[0]).date()
        try:
            stored = lifecycle.stored_model(
                _store_rows(versions, store), _store_rows(reference, store)
            )
        except SegmentationError as exc:
            log.warning("store %s: stored segment model unusable (%s); refitting", store, exc)
            stored = None
        customers = features.segmentable_customers(store_rfm, ID)
        decision = lifecycle.decide(lifecycle_settings(run), stored, customers, as_of)
        psi = decision.drift.psi if decision.drift else {}
        return pd.DataFrame(
            [
                {
                    "model_run_id": run_id,
                    "is_refit": decision.refit,
                    "refit_reason": decision.reason,
                    "decision_detail": decision.detail,
                    "stored_model_run_id": stored.model.run_id if stored else None,
                    "segment_model_run_id": run_id if decision.refit else stored.model.run_id,
                    "stored_model_fit_as_of_date": stored.fit_as_of_date if stored else None,
                    "stored_model_age_days": decision.age_days,
                    **{f"psi_{f}": psi.get(f) for f in features.RFM_FEATURES},
                    "far_share": decision.drift.far_share if decision.drift else None,
                    "next_segment_id": (stored.max_segment_id if stored else 0) + 1,
                }
            ]
        )

    return per_store(rfm, runs, build)


# Columns of int_segment_fits by kind of row (long_tables): what a refit writes to the model
# store; with no refit in the run, the table is empty with these columns.
FIT_COLUMNS: dict[str, str] = {
    "store": "string",
    "row_kind": "string",
    "model_run_id": "string",
    # k_selection rows
    "k": "Int64",
    "inertia": "float64",
    "silhouette": "float64",
    "calinski_harabasz": "float64",
    "davies_bouldin": "float64",
    "silhouette_sample_size": "Int64",
    "fit_sample_size": "Int64",
    "is_chosen": "boolean",
    "is_elbow": "boolean",
    "choice_reason": "string",
    "n_customers": "Int64",
    "random_state": "Int64",
    "n_init": "Int64",
    # model rows (segment_model.ROW_COLUMNS) and their fit
    "segment_id": "Int64",
    "segment_label": "string",
    "dominant_rfm_segment": "string",
    "segment_position": "string",
    "feature": "string",
    "feature_order": "Int64",
    "transform": "string",
    "scaler_mean": "float64",
    "scaler_scale": "float64",
    "centroid_scaled": "float64",
    "centroid_value": "float64",
    "fit_as_of_date": "datetime64[us]",
    "forced_k": "Int64",
    "far_distance": "float64",
    "refit_reason": "string",
    # reference rows (and feature)
    "bin": "Int64",
    "upper_bound": "float64",
    "share": "float64",
    # match rows (and segment_id, segment_label)
    "previous_model_run_id": "string",
    "previous_segment_id": "Int64",
    "previous_segment_label": "string",
    "centroid_distance": "float64",
}


def segment_fits(
    rfm: pd.DataFrame,
    runs: pd.DataFrame,
    decisions: pd.DataFrame,
    versions: pd.DataFrame,
    reference: pd.DataFrame,
    rfm_segment_order: list[str] | None = None,
    random_state: int = clustering.RANDOM_STATE,
    n_init: int = clustering.N_INIT,
    segment_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """`int_segment_fits`: for every store refitting this run, the candidate k (k_selection
    rows), the model fitted with the chosen k on all segmentable customers, its ids matched to
    the stored model's (model rows, match rows) and the fit's feature distribution (reference
    rows). Stores that score with their stored model have no rows."""
    parts = []
    refitting = decisions.loc[decisions["is_refit"].astype(bool)]
    for store in sorted(refitting[STORE].unique()):
        decision = refitting.loc[refitting[STORE] == store].iloc[0]
        run = runs.loc[runs[STORE] == store]
        try:
            store_parts = _store_fit(
                _store_rows(rfm, store),
                run,
                decision,
                _store_rows(versions, store),
                _store_rows(reference, store),
                rfm_segment_order,
                random_state,
                n_init,
                segment_names,
            )
        except SegmentationError as exc:
            raise SegmentationError(f"store {store}: {exc}") from exc
        parts += [part.assign(store=store) for part in store_parts]
    table = long_tables.long_table(parts, FIT_COLUMNS)
    return table.reindex(columns=list(FIT_COLUMNS))


def _store_fit(
    store_rfm: pd.DataFrame,
    run: pd.DataFrame,
    decision: pd.Series,
    versions: pd.DataFrame,
    reference: pd.DataFrame,
    rfm_segment_order: list[str] | None,
    random_state: int,
    n_init: int,
    segment_names: Mapping[str, str] | None = None,
) -> list[pd.DataFrame]:
    run_id, forced_k = run_settings(run)
    settings = lifecycle_settings(run)
    as_of = pd.Timestamp(run["as_of_date"].iloc[0])
    customers = features.segmentable_customers(store_rfm, ID)
    scaler = features.fit_scaler(customers)
    x = features.scale_features(customers, scaler)
    selection, choice = k_selection.k_selection_table(x, forced_k, random_state, n_init)
    selection = selection.assign(
        n_customers=len(customers), random_state=random_state, n_init=n_init
    )
    fitted = SegmentModel.fit(
        customers, choice.k, run_id, rfm_segment_order, random_state, n_init, segment_names
    )
    previous_id = _optional(decision["stored_model_run_id"])
    try:
        stored = lifecycle.stored_model(versions, reference) if previous_id else None
    except SegmentationError:
        stored = None
    model, matches = lifecycle.match_segments(
        fitted,
        stored.model if stored else None,
        settings.match_max_distance,
        int(decision["next_segment_id"]),
    )
    model_rows = model.to_rows().assign(
        fit_as_of_date=as_of,
        forced_k=forced_k,
        far_distance=lifecycle.far_distance(model, customers),
        refit_reason=decision["refit_reason"],
    )
    kinds = {
        "k_selection": selection,
        "model": model_rows.drop(columns="model_run_id"),
        "reference": lifecycle.reference_distribution(customers),
        "match": matches.assign(previous_model_run_id=stored.model.run_id if stored else None),
    }
    return [part.assign(row_kind=kind, model_run_id=run_id) for kind, part in kinds.items()]


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
