"""Student side: one-hot traits, PCA variance, an LTV decision tree, and student segments."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import train_test_split

from models_py import clustering, explain, k_selection
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

ID = "student_id"
# categorical traits in the order their one-hot columns appear; has_bogo is one 0/1 column
CATEGORICAL = ("country_bucket", "gender_in_country", "dominant_payment_term", "diploma_bucket")
FLAG = "has_bogo"
RARE_SHARE = 0.02
RARE_LABEL = "Other"
MISSING_LABEL = "none"
TREE_DEPTH = 4
TEST_SHARE = 0.25
PROFILE_VARIABLES = ("country_bucket", "diploma_bucket", "dominant_payment_term")
# traits that may name a student segment, when most of its members share one and it is over-represented
LABEL_VARIABLES = (
    "gender_in_country",
    "country_bucket",
    "diploma_bucket",
    "dominant_payment_term",
    FLAG,
)
LABEL_LIFT = 1.2


@dataclass(frozen=True)
class StudentEncoding:
    """The categories kept per variable (rarer ones become 'Other'), in column order."""

    categories: dict[str, list[str]]

    def columns(self) -> list[str]:
        """One-hot column names, 'variable=category', then has_bogo."""
        return [f"{v}={c}" for v, cats in self.categories.items() for c in cats] + [FLAG]


def student_traits(students: pd.DataFrame) -> pd.DataFrame:
    """The traits as strings, sorted by student id: gender within country, nulls as 'none'."""
    required = [ID, "country_bucket", "gender", "dominant_payment_term", "diploma_bucket", FLAG]
    missing = [c for c in required if c not in students.columns]
    if missing:
        raise SegmentationError(f"student input lacks column(s): {', '.join(missing)}")
    if len(students) < 2:
        raise SegmentationError(f"need at least 2 students, got {len(students)}")
    if students[ID].duplicated().any():
        raise SegmentationError("student input has duplicate student_id values")
    ordered = students.sort_values(ID, kind="mergesort").reset_index(drop=True)
    traits = pd.DataFrame({ID: ordered[ID].astype(str)})
    for column in ("country_bucket", "dominant_payment_term", "diploma_bucket"):
        traits[column] = (
            ordered[column]
            .astype("object")
            .where(ordered[column].notna(), MISSING_LABEL)
            .astype(str)
        )
    gender = (
        ordered["gender"].astype("object").where(ordered["gender"].notna(), "unknown").astype(str)
    )
    traits["gender_in_country"] = traits["country_bucket"] + " " + gender
    traits[FLAG] = ordered[FLAG].fillna(False).astype(bool)
    for column in ("ltv", "ltv_class"):
        if column in ordered:
            traits[column] = ordered[column].to_numpy()
    return traits


def fit_encoding(traits: pd.DataFrame, rare_share: float = RARE_SHARE) -> StudentEncoding:
    """Categories with at least rare_share of students, sorted; the rest are grouped as 'Other'."""
    categories = {}
    for variable in CATEGORICAL:
        shares = traits[variable].value_counts(normalize=True)
        kept = sorted(c for c, share in shares.items() if share >= rare_share and c != RARE_LABEL)
        if (shares < rare_share).any() or RARE_LABEL in shares.index:
            kept.append(RARE_LABEL)
        categories[variable] = kept
    return StudentEncoding(categories)


def one_hot(traits: pd.DataFrame, encoding: StudentEncoding) -> pd.DataFrame:
    """0/1 matrix with the encoding's columns (unknown or rare categories count as 'Other')."""
    columns = {}
    for variable, cats in encoding.categories.items():
        values = traits[variable].where(traits[variable].isin(cats), RARE_LABEL)
        for c in cats:
            columns[f"{variable}={c}"] = values.eq(c).astype(float).to_numpy()
    columns[FLAG] = traits[FLAG].astype(float).to_numpy()
    return pd.DataFrame(columns, index=traits[ID].to_numpy())


def pca_variance(x: pd.DataFrame, threshold: float = 0.9) -> pd.DataFrame:
    """Explained variance per principal component and cumulative, flagging the first reaching threshold."""
    pca = PCA(svd_solver="full").fit(x.to_numpy(float))
    ratio = pca.explained_variance_ratio_
    cumulative = np.cumsum(ratio)
    reached = (
        int(np.argmax(cumulative >= threshold - 1e-12)) + 1
        if (cumulative >= threshold - 1e-12).any()
        else None
    )
    return pd.DataFrame(
        {
            "component": np.arange(1, len(ratio) + 1, dtype="int32"),
            "explained_variance": pca.explained_variance_,
            "explained_variance_ratio": ratio,
            "cumulative_explained_variance_ratio": cumulative,
            "first_to_reach_90_percent": np.arange(1, len(ratio) + 1) == (reached or -1),
        }
    )


def _flag_formats(columns: list[str]) -> dict[str, explain.FeatureFormat]:
    return {c: explain.FeatureFormat(c, kind="flag") for c in columns}


@dataclass(frozen=True)
class LtvTree:
    """The tree, its held-out scores and sizes, and the importances and leaf rules tables."""

    accuracy: float
    balanced_accuracy: float
    train_students: int
    test_students: int
    importances: pd.DataFrame
    rules: pd.DataFrame


def ltv_tree(
    x: pd.DataFrame,
    ltv_class: pd.Series,
    max_depth: int = TREE_DEPTH,
    random_state: int = explain.TREE_RANDOM_STATE,
    test_share: float = TEST_SHARE,
) -> LtvTree:
    """A decision tree (depth <= 4, fixed seed) predicting ltv_class, scored on a stratified held-out split."""
    y = (pd.Series(ltv_class).to_numpy() == "high").astype(int)
    if len(np.unique(y)) < 2:
        raise SegmentationError("ltv_class has a single value: nothing to separate")
    stratify = y if np.bincount(y).min() >= 2 else None
    x_train, x_test, y_train, y_test = train_test_split(
        x.to_numpy(float), y, test_size=test_share, random_state=random_state, stratify=stratify
    )
    tree = explain.fit_tree(
        x_train, y_train, max_depth, random_state, min_samples_leaf=max(1, len(x_train) // 200)
    )
    predicted = tree.predict(x_test)
    columns = list(x.columns)
    importances = pd.DataFrame(
        {
            "feature": columns,
            "variable": [c.split("=", 1)[0] for c in columns],
            "importance": tree.feature_importances_,
        }
    ).sort_values(["importance", "feature"], ascending=[False, True], kind="mergesort")
    importances["importance_rank"] = np.arange(1, len(importances) + 1, dtype="int32")
    values = x.to_numpy(float)
    rows = []
    for number, leaf in enumerate(
        explain.tree_leaves(tree, columns, _flag_formats(columns)), start=1
    ):
        inside = explain.rule_members(tree, values, leaf.node_id)
        share_high = float(y[inside].mean()) if inside.any() else None
        predicted_class = "high" if explain.rule_class(tree, leaf.node_id) == 1 else "low"
        rows.append(
            {
                "rule_id": number,
                "rule": f"{leaf.text} → {predicted_class} LTV",
                "conditions": leaf.text,
                "predicted_ltv_class": predicted_class,
                "students": int(inside.sum()),
                "share_high_ltv": share_high,
            }
        )
    result = LtvTree(
        float(accuracy_score(y_test, predicted)),
        float(balanced_accuracy_score(y_test, predicted)),
        len(y_train),
        len(y_test),
        importances.reset_index(drop=True),
        pd.DataFrame(rows),
    )
    log.info("ltv tree: accuracy %.3f, balanced %.3f", result.accuracy, result.balanced_accuracy)
    return result


def student_matrix(
    students: pd.DataFrame, rare_share: float = RARE_SHARE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Traits (sorted by id) and their one-hot matrix, with rare categories grouped."""
    traits = student_traits(students)
    return traits, one_hot(traits, fit_encoding(traits, rare_share))


def _top(values: pd.Series) -> tuple[str, float]:
    """Most common value (ties alphabetical) and its share."""
    counts = values.value_counts()
    counts = counts[counts == counts.max()].sort_index()
    return str(counts.index[0]), float(counts.iloc[0] / len(values))


def describe_segment(members: pd.DataFrame, everyone: pd.DataFrame) -> str:
    """'High LTV: US, bogo': the LTV tier, then traits held by most members and over-represented."""
    mean_ltv, overall = float(members["ltv"].mean()), float(everyone["ltv"].mean())
    tier = (
        "High LTV"
        if mean_ltv >= 1.15 * overall
        else "Low LTV"
        if mean_ltv <= 0.85 * overall
        else "Mid LTV"
    )
    traits: dict[str, str] = {}
    for variable in LABEL_VARIABLES:
        if variable == FLAG:
            share, base = float(members[FLAG].mean()), float(everyone[FLAG].mean())
            if share >= 0.5 and share >= LABEL_LIFT * base:
                traits[FLAG] = "bogo"
            continue
        top, share = _top(members[variable])
        base = float((everyone[variable] == top).mean())
        if share >= 0.5 and share >= LABEL_LIFT * base:
            traits[variable] = _trait_words(variable, top)
    if "gender_in_country" in traits:
        traits.pop("country_bucket", None)  # the gender trait already names the country
    return f"{tier}: {', '.join(traits.values())}" if traits else f"{tier}: mixed"


def _trait_words(variable: str, value: str) -> str:
    """A trait as it reads in a label ('Others' spelled out per variable)."""
    if variable == "country_bucket":
        return "other countries" if value == "Others" else value
    if variable == "gender_in_country":
        country, _, gender = value.partition(" ")
        return f"{gender} ({_trait_words('country_bucket', country)})"
    if variable == "diploma_bucket":
        return {"Others": "other diplomas", "None": "no diploma", "No diploma": "no diploma"}.get(
            value, value
        )
    if variable == "dominant_payment_term":
        return "no payment term" if value == MISSING_LABEL else value
    return value


def segment_students(
    traits: pd.DataFrame,
    x: pd.DataFrame,
    k: int,
    random_state: int = clustering.RANDOM_STATE,
    n_init: int = clustering.N_INIT,
) -> pd.DataFrame:
    """KMeans on the one-hot traits; segment 1 has the highest mean LTV; labels from dominant traits."""
    score = traits["ltv"].to_numpy(float) if "ltv" in traits else None
    fit = clustering.fit_segments(
        x.to_numpy(float), k, random_state=random_state, n_init=n_init, score=score
    )
    pca = clustering.pca_coordinates(x.to_numpy(float))
    segments = traits.assign(
        segment_id=fit.labels.astype("int32"), pca_1=pca[:, 0], pca_2=pca[:, 1]
    )
    labels = {
        int(s): describe_segment(members, segments) for s, members in segments.groupby("segment_id")
    }
    seen: set[str] = set()
    for s in sorted(labels):
        if labels[s] in seen:
            labels[s] = f"{labels[s]} #{s}"
        seen.add(labels[s])
    segments["segment_label"] = segments["segment_id"].map(labels)
    return segments


def student_segment_profiles(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per student segment: size, shares, LTV, high-LTV share, dominant country/product/term, bogo."""
    total = len(segments)
    total_ltv = float(segments["ltv"].sum()) if "ltv" in segments else None
    rows = []
    for s, members in segments.groupby("segment_id", sort=True):
        row = {
            "segment_id": int(s),
            "segment_label": members["segment_label"].iloc[0],
            "students": len(members),
            "share_of_students": len(members) / total,
            "share_of_ltv": float(members["ltv"].sum()) / total_ltv if total_ltv else None,
            "mean_ltv": float(members["ltv"].mean()),
            "median_ltv": float(members["ltv"].median()),
            "share_high_ltv": float((members["ltv_class"] == "high").mean()),
            "share_bogo": float(members[FLAG].mean()),
        }
        for variable in PROFILE_VARIABLES:
            top, share = _top(members[variable])
            row[f"top_{variable}"] = top
            row[f"top_{variable}_share"] = share
        rows.append(row)
    return pd.DataFrame(rows)


def student_k_selection(
    students: pd.DataFrame, run_id: str, forced_k: int | None = None
) -> pd.DataFrame:
    """`student_k_selection`: the customers' k-selection table, on the students' one-hot traits."""
    _, x = student_matrix(students)
    table, _ = k_selection.k_selection_table(x.to_numpy(float), forced_k)
    return table.assign(
        n_students=len(x),
        random_state=clustering.RANDOM_STATE,
        n_init=clustering.N_INIT,
        model_run_id=run_id,
    )


def student_segments_table(students: pd.DataFrame, k: int, run_id: str) -> pd.DataFrame:
    """`student_segments`: one row per student with its segment, label, traits and PCA coordinates."""
    traits, x = student_matrix(students)
    segments = segment_students(traits, x, k)
    columns = [ID, "segment_id", "segment_label", "country_bucket", "gender_in_country"]
    columns += [
        "dominant_payment_term",
        "diploma_bucket",
        FLAG,
        "ltv",
        "ltv_class",
        "pca_1",
        "pca_2",
    ]
    return segments[[c for c in columns if c in segments]].assign(model_run_id=run_id)


def student_profiles_table(segments: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """`student_segment_profiles`: the profile of each student segment."""
    return student_segment_profiles(segments).assign(model_run_id=run_id)


def student_pca_variance_table(students: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """`student_pca_variance`: explained variance per component of the one-hot traits."""
    _, x = student_matrix(students)
    return pca_variance(x).assign(model_run_id=run_id)


def student_tree_tables(students: pd.DataFrame, run_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`student_ltv_tree_importances` and `student_ltv_tree_rules` (held-out scores on each rule row)."""
    traits, x = student_matrix(students)
    tree = ltv_tree(x, traits["ltv_class"])
    scores = {
        "test_accuracy": tree.accuracy,
        "test_balanced_accuracy": tree.balanced_accuracy,
        "train_students": tree.train_students,
        "test_students": tree.test_students,
    }
    return (
        tree.importances.assign(model_run_id=run_id),
        tree.rules.assign(**scores, model_run_id=run_id),
    )
