"""models_py.students: one-hot traits, PCA variance, the LTV tree's planted drivers, student segments."""

import numpy as np
import pandas as pd
import pytest

from models_py import students
from models_py.errors import SegmentationError


def planted_students(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Students whose LTV is driven by country, bogo and product only (gender and term are noise)."""
    rng = np.random.default_rng(seed)
    country = rng.choice(["US", "MX", "CO", "Others"], n, p=[0.15, 0.35, 0.2, 0.3])
    diploma = rng.choice(
        ["Ciencia de Datos", "Ventas", "Marketing", "Finanzas", "Rare"],
        n,
        p=[0.2, 0.2, 0.3, 0.29, 0.01],
    )
    bogo = rng.random(n) < 0.2
    effect = (
        pd.Series(country).map({"US": 1.6, "MX": 1.1, "CO": 0.6, "Others": 0.9}).to_numpy()
        * np.where(bogo, 1.8, 1.0)
        * pd.Series(diploma).map({"Ciencia de Datos": 1.5, "Ventas": 0.7}).fillna(1.0).to_numpy()
    )
    ltv = 1000 * effect * rng.lognormal(0, 0.25, n)
    return pd.DataFrame(
        {
            "student_id": [f"s{i:05d}" for i in range(n)],
            "country_bucket": country,
            "gender": rng.choice(["female", "male", "unknown"], n, p=[0.45, 0.45, 0.1]),
            "dominant_payment_term": rng.choice(["one_off", "monthly_3", "monthly_12", None], n),
            "diploma_bucket": diploma,
            "has_bogo": bogo,
            "ltv": ltv,
            "ltv_class": np.where(ltv > ltv.mean(), "high", "low"),
        }
    )


@pytest.fixture(scope="module")
def planted():
    return planted_students()


def test_traits_put_gender_within_country_and_name_missing_values(planted):
    traits = students.student_traits(planted.sample(frac=1.0, random_state=1))
    assert traits["student_id"].is_monotonic_increasing
    assert set(traits["gender_in_country"]) >= {"US female", "CO unknown", "Others male"}
    assert "none" in set(traits["dominant_payment_term"])


def test_one_hot_groups_rare_categories(planted):
    traits, x = students.student_matrix(planted)
    assert "diploma_bucket=Other" in x.columns and "diploma_bucket=Rare" not in x.columns
    assert "has_bogo" in x.columns
    # each categorical variable has exactly one 1 per student
    for variable in students.CATEGORICAL:
        cols = [c for c in x.columns if c.startswith(variable + "=")]
        assert (x[cols].sum(axis=1) == 1).all()
    assert list(x.index) == traits["student_id"].tolist()


def test_pca_variance_reads_components_to_90_percent(planted):
    _, x = students.student_matrix(planted)
    variance = students.pca_variance(x)
    cumulative = variance["cumulative_explained_variance_ratio"]
    assert cumulative.is_monotonic_increasing and cumulative.iloc[-1] == pytest.approx(1.0)
    first = variance[variance["first_to_reach_90_percent"]]
    assert len(first) == 1
    n90 = int(first["component"].iloc[0])
    assert cumulative.iloc[n90 - 1] >= 0.9 > cumulative.iloc[n90 - 2]


def test_ltv_tree_finds_the_planted_drivers(planted):
    importances, rules = students.student_tree_tables(planted, "run")
    top = importances.head(5)
    assert {"country_bucket", "has_bogo", "diploma_bucket"} <= set(top["variable"])
    assert (
        not top["variable"].isin(["gender_in_country"]).any() or top["importance"].iloc[-1] < 0.05
    )
    assert importances["importance"].sum() == pytest.approx(1.0)
    assert rules["students"].sum() == len(planted)
    assert rules["test_balanced_accuracy"].iloc[0] > 0.7
    assert rules["rule"].str.contains("→").all()
    assert rules["share_high_ltv"].between(0, 1).all()


def test_ltv_tree_is_deterministic(planted):
    first = students.student_tree_tables(planted, "run")
    second = students.student_tree_tables(planted.sample(frac=1.0, random_state=3), "run")
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_ltv_tree_needs_both_classes(planted):
    with pytest.raises(SegmentationError, match="single value"):
        students.student_tree_tables(planted.assign(ltv_class="low"), "run")


def test_student_segments_and_profiles(planted):
    selection = students.student_k_selection(planted, "run", forced_k=4)
    assert selection.loc[selection["is_chosen"], "k"].tolist() == [4]
    segments = students.student_segments_table(planted, 4, "run")
    assert sorted(segments["segment_id"].unique()) == [1, 2, 3, 4]
    assert segments.groupby("segment_id")["segment_label"].nunique().eq(1).all()
    assert segments.drop_duplicates("segment_id")["segment_label"].is_unique
    profiles = students.student_profiles_table(segments, "run")
    assert profiles["share_of_students"].sum() == pytest.approx(1.0)
    assert profiles["share_of_ltv"].sum() == pytest.approx(1.0)
    assert profiles["mean_ltv"].is_monotonic_decreasing  # segment 1 has the highest mean LTV
    assert profiles["segment_label"].iloc[0].startswith("High LTV")
    again = students.student_segments_table(planted, 4, "run")
    pd.testing.assert_frame_equal(segments, again)


def test_segment_label_spells_out_traits():
    everyone = pd.DataFrame(
        {
            "ltv": [100.0, 100, 10, 10],
            "gender_in_country": ["US female", "US female", "CO male", "MX male"],
            "country_bucket": ["US", "US", "CO", "MX"],
            "diploma_bucket": ["Others", "Others", "Ventas", "Ventas"],
            "dominant_payment_term": ["none", "none", "one_off", "one_off"],
            "has_bogo": [True, True, False, False],
        }
    )
    label = students.describe_segment(everyone.head(2), everyone)
    assert label == "High LTV: female (US), other diplomas, no payment term, bogo"


def test_too_few_students_is_a_clear_error(planted):
    with pytest.raises(SegmentationError, match="at least 2 students"):
        students.student_traits(planted.head(1))
    with pytest.raises(SegmentationError, match="lacks"):
        students.student_traits(planted.drop(columns="gender"))
