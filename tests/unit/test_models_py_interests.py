"""models_py.interests: category shares, interest segments on planted groups, and the time-split
prediction of a new customer's dominant category against two baselines."""

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from models_py import interests
from models_py.errors import SegmentationError

CATEGORIES = {1: "bags", 2: "candles", 3: "mugs", 4: "cards", 5: "toys", 6: "lights"}
# later orders: mostly the interest, then its companion, then anything
COMPANION = {1: 2, 2: 1, 3: 4, 4: 3, 5: 6, 6: 5}
# each region's favourite category: a customer's interest is it 55% of the time
FAVOURITE = {"DE": 1, "FR": 2, "GB": 3, "ES": 4, "NL": 5, "IT": 6}
START, END = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31")
CUTOFF = pd.Timestamp("2024-10-01")  # first day of the last three months


def planted_orders(n: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Order lines of n customers over 12 months, and each one's planted interest category.

    The interest follows the region (its favourite 55% of the time). The first basket holds the
    interest and a decoy category, the interest being the larger only half the time; later orders
    (a few, days apart) are mostly the interest. So the first basket's dominant category is right
    about half the time, and region plus basket mix say more. Some later lines are returns."""
    rng = np.random.default_rng(seed)
    cats = np.array(list(CATEGORIES))
    regions = np.array(list(FAVOURITE))
    ids = np.arange(10_000, 10_000 + n)
    region = rng.choice(regions, n)
    interest = np.where(
        rng.random(n) < 0.55, [FAVOURITE[r] for r in region], rng.choice(cats, n)
    ).astype(int)
    first_day = rng.integers(0, (END - START).days + 1, n)
    rows = []
    order_no = 0
    for i in range(n):
        c = interest[i]
        decoy = rng.choice(cats[cats != c])
        lead, other = (c, decoy) if rng.random() < 0.5 else (decoy, c)
        basket = [(lead, rng.uniform(30, 60)), (other, rng.uniform(10, 28))]
        basket += [(rng.choice(cats), rng.uniform(1, 8)) for _ in range(rng.integers(0, 3))]
        day = START + pd.Timedelta(days=int(first_day[i]))
        order_no += 1
        rows += [(ids[i], f"o{order_no:06d}", day, region[i], k, round(v, 2)) for k, v in basket]
        for _ in range(rng.integers(3, 7)):
            day += pd.Timedelta(days=int(rng.integers(1, 10)))
            if day > END:
                break
            order_no += 1
            for _ in range(rng.integers(1, 4)):
                u = rng.random()
                k = c if u < 0.7 else COMPANION[c] if u < 0.85 else rng.choice(cats)
                rows.append(
                    (ids[i], f"o{order_no:06d}", day, region[i], k, round(rng.uniform(10, 60), 2))
                )
            if rng.random() < 0.05:
                k, v = rng.choice(cats), -round(rng.uniform(5, 30), 2)
                rows.append((ids[i], f"o{order_no:06d}", day, region[i], k, v))
    orders = pd.DataFrame(
        rows,
        columns=["customer_id", "order_id", "order_date", "region", "category_id", "net_spend"],
    )
    orders["category_name"] = orders["category_id"].map(CATEGORIES)
    return orders, pd.DataFrame({"customer_id": ids, "interest": interest})


def category_spend(orders: pd.DataFrame) -> pd.DataFrame:
    """Net spend per customer and category over the whole history (returns included)."""
    keys = ["customer_id", "category_id", "category_name"]
    return orders.groupby(keys, as_index=False)["net_spend"].sum()


def probabilities_of(model, first_orders: pd.DataFrame) -> np.ndarray:
    """Class probabilities of every customer (one native thread, as the module fits)."""
    with threadpool_limits(limits=1):
        return model.predict_proba(first_orders.drop(columns="customer_id"))


@pytest.fixture(scope="module")
def planted():
    return planted_orders()


@pytest.fixture(scope="module")
def shares(planted):
    return interests.customer_category_shares(category_spend(planted[0]))


@pytest.fixture(scope="module")
def segments(shares):
    return interests.interest_segments(shares, None, "run-1")


@pytest.fixture(scope="module")
def first_orders(planted):
    return interests.first_order_features(planted[0])


@pytest.fixture(scope="module")
def prediction(shares, first_orders):
    dominant = interests.dominant_categories(shares)
    return interests.interest_prediction(first_orders, dominant, CUTOFF, "run-1")


# 1. shares ---------------------------------------------------------------------------------


def test_shares_sum_to_one_and_the_dominant_is_the_largest(shares, planted):
    assert (shares["net_spend"] > 0).all() and shares["share"].between(0, 1).all()
    sums = shares.groupby("customer_id")["share"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=0, atol=1e-12)
    assert shares.groupby("customer_id")["is_dominant"].sum().eq(1).all()
    largest = shares.groupby("customer_id")["share"].transform("max")
    assert (shares.loc[shares["is_dominant"], "share"] == largest[shares["is_dominant"]]).all()
    assert not shares.duplicated(["customer_id", "category_id"]).any()
    assert set(shares["customer_id"]) == set(planted[1]["customer_id"])
    # the planted history is mostly the interest
    dominant = interests.dominant_categories(shares).merge(planted[1], on="customer_id")
    assert (dominant["dominant_category_id"] == dominant["interest"]).mean() > 0.9


def test_shares_drop_non_positive_spend_and_ties_go_to_the_lower_category():
    spend = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2, 3, 3],
            "category_id": [5, 2, 9, 4, 4, 1, 2],
            "category_name": ["toys", "candles", "x", "cards", "cards", "bags", "candles"],
            "net_spend": [30.0, 30.0, -10.0, 20.0, -20.0, 0.0, -5.0],
        }
    )
    shares = interests.customer_category_shares(spend.sample(frac=1.0, random_state=3))
    # customer 1: the refund-only category is dropped, the 30/30 tie goes to category 2;
    # customer 2 nets to 0 and customer 3 has nothing positive: no rows for them
    assert shares["customer_id"].tolist() == [1, 1]
    assert shares["category_id"].tolist() == [2, 5]
    assert shares["share"].tolist() == [0.5, 0.5]
    assert shares["is_dominant"].tolist() == [True, False]
    assert shares.columns.tolist() == [
        "customer_id",
        "category_id",
        "category_name",
        "net_spend",
        "share",
        "is_dominant",
    ]


# 2. interest segments -----------------------------------------------------------------------


def test_interest_segments_recover_the_planted_groups(segments, planted):
    selection, assignments, _ = segments
    assert selection["k"].tolist() == list(range(2, 11))
    assert selection.loc[selection["is_chosen"], "k"].tolist() == [6]
    assert selection["model_run_id"].eq("run-1").all()
    joined = assignments.merge(planted[1], on="customer_id")
    assert len(joined) == len(planted[1])
    top = joined.groupby("interest_segment_id")["interest"].agg(lambda s: s.value_counts().iloc[0])
    purity = top.sum() / len(joined)
    assert purity >= 0.9
    # each segment is named after its planted group's category
    for segment_id, members in joined.groupby("interest_segment_id"):
        group = CATEGORIES[int(members["interest"].mode().iloc[0])]
        assert members["interest_segment_label"].iloc[0].split(" + ")[0] == group, segment_id


def test_segments_are_numbered_by_size_and_profiles_hold_the_lifts(segments):
    _, assignments, profiles = segments
    sizes = assignments["interest_segment_id"].value_counts().sort_index()
    assert sizes.index.tolist() == list(range(1, 7))
    assert sizes.is_monotonic_decreasing
    assert len(profiles) == 6 * len(CATEGORIES)
    assert not profiles.duplicated(["interest_segment_id", "category_id"]).any()
    per_segment = profiles.drop_duplicates("interest_segment_id").set_index("interest_segment_id")
    assert per_segment["customers"].to_dict() == sizes.to_dict()
    np.testing.assert_allclose(
        profiles["lift"], profiles["mean_share"] / profiles["overall_mean_share"]
    )
    # the size-weighted mean of the segment means is the overall mean
    weighted = (profiles["mean_share"] * profiles["customers"]).groupby(profiles["category_id"])
    overall = profiles.groupby("category_id")["overall_mean_share"].first()
    np.testing.assert_allclose(weighted.sum() / len(assignments), overall)
    labels = (
        assignments.drop_duplicates("interest_segment_id")
        .set_index("interest_segment_id")
        .sort_index()
    )
    assert (
        per_segment["interest_segment_label"] == labels["interest_segment_label"]
    ).all() and labels["interest_segment_label"].is_unique


def test_label_names_the_one_or_two_most_over_represented_categories():
    profile = pd.DataFrame(
        {
            "category_id": [1, 2, 3, 4],
            "category_name": ["bags", "candles", "mugs", "cards"],
            "mean_share": [0.5, 0.3, 0.15, 0.04],
            "lift": [2.5, 1.8, 1.3, 4.0],  # cards: high lift but too small a share to name
        }
    )
    assert interests.segment_label(profile) == "bags + candles"
    assert interests.segment_label(profile.iloc[[0, 3]]) == "bags"
    flat = profile.assign(lift=1.0)
    assert interests.segment_label(flat) == interests.MIXED_LABEL


def test_few_customers_cap_k_and_a_forced_k_outside_is_refused():
    rows = [
        (c, cat, share)
        for c, vector in enumerate(np.eye(3).tolist() * 2)
        for cat, share in enumerate(vector, 1)
        if share
    ]
    rows += [(10, 1, 0.5), (10, 2, 0.5)]
    shares = pd.DataFrame(rows, columns=["customer_id", "category_id", "share"]).assign(
        category_name=lambda f: f["category_id"].map(CATEGORIES)
    )
    selection, assignments, _ = interests.interest_segments(shares, None, "r", n_init=2)
    assert selection["k"].tolist() == [2, 3]  # 4 distinct customers: k up to 3
    assert len(assignments) == 7
    with pytest.raises(SegmentationError, match="outside"):
        interests.interest_segments(shares, 5, "r", n_init=2)


def test_interest_segments_are_deterministic_with_rows_shuffled(shares, segments):
    again = interests.interest_segments(shares.sample(frac=1.0, random_state=7), None, "run-1")
    for first, second in zip(segments, again, strict=True):
        pd.testing.assert_frame_equal(first, second)


# 3. first order and prediction ---------------------------------------------------------------


def test_first_order_features_read_the_first_basket():
    orders = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2, 2, 2],
            "order_id": ["b", "b", "a", "c", "x", "x", "y"],
            "order_date": pd.to_datetime(
                [
                    *["2024-03-01", "2024-03-01", "2024-03-01", "2024-02-01"],
                    *["2024-01-05", "2024-01-05", "2024-06-01"],
                ]
            ),
            "region": ["DE", "DE", "DE", "DE", "FR", "FR", "FR"],
            "category_id": [1, 2, 3, 1, 2, 3, 1],
            "net_spend": [30.0, 10.0, 99.0, 5.0, -4.0, 0.0, 50.0],
        }
    )
    features = interests.first_order_features(orders.sample(frac=1.0, random_state=2))
    assert features.columns.tolist() == [
        "customer_id",
        "first_order_date",
        "region",
        "share_1",
        "share_2",
        "share_3",
        "n_lines",
        "basket_value",
    ]
    one, two = features.iloc[0], features.iloc[1]
    # customer 1's first order is 'c' (earliest date), one line of category 1
    assert one["first_order_date"] == pd.Timestamp("2024-02-01")
    assert (one["share_1"], one["share_2"], one["share_3"]) == (1.0, 0.0, 0.0)
    assert (one["n_lines"], one["basket_value"]) == (1, 5.0)
    # customer 2's first basket has no positive spend: shared by its lines
    assert (two["share_1"], two["share_2"], two["share_3"]) == (0.0, 0.5, 0.5)
    assert (two["n_lines"], two["basket_value"], two["region"]) == (2, -4.0, "FR")
    np.testing.assert_allclose(features[interests.share_columns(features)].sum(axis=1), 1.0)


def test_first_order_features_of_the_planted_store(first_orders, planted):
    assert len(first_orders) == len(planted[1]) and first_orders["customer_id"].is_unique
    shares = first_orders[interests.share_columns(first_orders)]
    assert shares.columns.tolist() == [f"share_{c}" for c in CATEGORIES]
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    # the planted first basket points at the interest about half the time
    hit = interests.first_basket_category(first_orders) == planted[1]["interest"].to_numpy()
    assert 0.4 < hit.mean() < 0.6


def test_the_time_split_never_puts_a_new_customer_in_training(first_orders, prediction):
    train, test = interests.time_split(first_orders, CUTOFF)
    assert (train["first_order_date"] < CUTOFF).all() and (test["first_order_date"] >= CUTOFF).all()
    assert not set(train["customer_id"]) & set(test["customer_id"])
    evaluation, predictions, _ = prediction
    assert (evaluation["n_train"] + evaluation["n_test"]).eq(len(first_orders)).all()
    assert evaluation["n_test"].eq(len(test)).all() and evaluation["n_train"].eq(len(train)).all()
    assert predictions["customer_id"].tolist() == test["customer_id"].tolist()
    assert (predictions["first_order_date"] >= CUTOFF).all()


def test_the_new_customers_answers_never_reach_the_model(shares, first_orders, prediction):
    """Scrambling the new customers' dominant categories leaves the fitted model unchanged."""
    dominant = interests.dominant_categories(shares)
    new = dominant["customer_id"].isin(
        first_orders.loc[first_orders["first_order_date"] >= CUTOFF, "customer_id"]
    )
    scrambled = dominant.assign(
        dominant_category_id=dominant["dominant_category_id"].where(~new, 1)
    )
    _, predictions, fitted = interests.interest_prediction(first_orders, scrambled, CUTOFF, "run-1")
    _, expected, expected_fitted = prediction
    for method in interests.FITTED_METHODS:
        column = f"predicted_{method}"
        pd.testing.assert_series_equal(predictions[column], expected[column])
        np.testing.assert_array_equal(
            probabilities_of(fitted[method], first_orders),
            probabilities_of(expected_fitted[method], first_orders),
        )


def test_a_leaking_split_is_refused(first_orders):
    doubled = pd.concat([first_orders, first_orders.head(1)], ignore_index=True)
    with pytest.raises(SegmentationError, match="duplicate"):
        interests.time_split(doubled, CUTOFF)
    with pytest.raises(SegmentationError, match="non-empty"):
        interests.interest_prediction(
            first_orders,
            pd.DataFrame({"customer_id": first_orders["customer_id"], "dominant_category_id": 1}),
            pd.Timestamp("2030-01-01"),
            "r",
        )


def test_the_model_beats_both_baselines_on_the_planted_store(prediction):
    evaluation, predictions, _ = prediction
    scores = evaluation.set_index("method")
    assert scores.index.tolist() == ["model", "basket_ranker", "majority_category", "first_basket"]
    for metric in ("accuracy", "macro_f1"):
        assert scores.loc["model", metric] > scores.loc["first_basket", metric] + 0.05
        assert scores.loc["model", metric] > scores.loc["majority_category", metric] + 0.05
    assert (
        scores.loc["model", "balanced_accuracy"] > scores.loc["first_basket", "balanced_accuracy"]
    )
    # the first-basket baseline is right about half the time, as planted
    assert 0.4 < scores.loc["first_basket", "accuracy"] < 0.65
    # the table's scores are those of the prediction columns
    for method, column in [
        ("model", "predicted_model"),
        ("basket_ranker", "predicted_basket_ranker"),
        ("first_basket", "predicted_first_basket"),
    ]:
        hit = (predictions[column] == predictions["actual_category_id"]).mean()
        assert scores.loc[method, "accuracy"] == pytest.approx(hit)
    assert evaluation["cutoff"].eq(CUTOFF).all() and evaluation["model_run_id"].eq("run-1").all()


def test_prediction_is_deterministic_with_rows_shuffled(shares, first_orders, prediction):
    dominant = interests.dominant_categories(shares).sample(frac=1.0, random_state=5)
    again = interests.interest_prediction(
        first_orders.sample(frac=1.0, random_state=4), dominant, CUTOFF, "run-1"
    )
    pd.testing.assert_frame_equal(again[0], prediction[0])
    pd.testing.assert_frame_equal(again[1], prediction[1])
    for method in interests.FITTED_METHODS:
        np.testing.assert_array_equal(
            probabilities_of(again[2][method], first_orders),
            probabilities_of(prediction[2][method], first_orders),
        )


def test_predict_interest_returns_the_category_and_probabilities(first_orders, prediction):
    _, predictions, fitted = prediction
    model = fitted["model"]
    row = first_orders.loc[first_orders["customer_id"] == predictions["customer_id"].iloc[0]]
    category, probabilities = interests.predict_interest(model, row.drop(columns="customer_id"))
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert set(probabilities) == set(CATEGORIES)
    assert category == max(probabilities, key=probabilities.get)
    assert category == predictions["predicted_model"].iloc[0]
    # a plain dict works too; a share column the model never saw is ignored, a missing one is 0
    basket = row.iloc[0].drop("customer_id").to_dict()
    assert interests.predict_interest(model, basket) == (category, probabilities)
    missing = {k: v for k, v in basket.items() if k != "share_6"} | {"share_99": 0.5}
    zeroed = basket | {"share_6": 0.0}
    assert interests.predict_interest(model, missing) == interests.predict_interest(model, zeroed)
    with pytest.raises(SegmentationError, match="one customer"):
        interests.predict_interest(model, first_orders.head(2))


# 4. which method is served ---------------------------------------------------------------------


def scored(**methods: tuple[float, float, float]) -> pd.DataFrame:
    """An evaluation table of (accuracy, balanced accuracy, macro-F1) per method."""
    return pd.DataFrame(
        [
            {"method": m, "accuracy": a, "balanced_accuracy": b, "macro_f1": f}
            for m, (a, b, f) in methods.items()
        ]
    )


def served_of(evaluation: pd.DataFrame) -> str:
    chosen = interests.served_choice(evaluation)
    assert chosen["is_served"].sum() == 1
    return chosen.loc[chosen["is_served"], "method"].iloc[0]


def test_a_model_below_the_first_basket_on_one_measure_is_not_served():
    # the real file's figures before: the model loses on all three
    lost = scored(
        model=(0.824, 0.790, 0.819),
        majority_category=(0.164, 0.048, 0.013),
        first_basket=(0.861, 0.890, 0.882),
    )
    chosen = interests.served_choice(lost).set_index("method")
    assert served_of(lost) == "first_basket"
    assert chosen.loc["model", "decision"].startswith("not served: below a baseline on accuracy")
    assert chosen.loc["first_basket", "decision"].startswith("served: no fitted model")
    assert chosen["method_kind"].to_dict() == {
        "model": "model",
        "majority_category": "baseline",
        "first_basket": "baseline",
    }
    # better on two measures, worse on one: still the baseline
    mixed = scored(
        model=(0.90, 0.95, 0.881),
        majority_category=(0.1, 0.1, 0.1),
        first_basket=(0.861, 0.890, 0.882),
    )
    assert served_of(mixed) == "first_basket"
    assert "macro-F1 (0.881 < first_basket 0.882)" in interests.served_choice(mixed)["decision"][0]


def test_a_model_as_good_as_every_baseline_is_served_and_the_best_of_several_wins():
    tie = scored(
        model=(0.5, 0.5, 0.5),
        basket_ranker=(0.861, 0.890, 0.882),
        majority_category=(0.164, 0.048, 0.013),
        first_basket=(0.861, 0.890, 0.882),
    )
    assert served_of(tie) == "basket_ranker"
    both = scored(
        model=(0.87, 0.90, 0.90),
        basket_ranker=(0.88, 0.91, 0.89),
        majority_category=(0.164, 0.048, 0.013),
        first_basket=(0.861, 0.890, 0.882),
    )
    chosen = interests.served_choice(both).set_index("method")
    assert served_of(both) == "model"  # the higher macro-F1
    assert "but model ranks higher" in chosen.loc["basket_ranker", "decision"]
    # every baseline counts: a model must also reach a baseline that is better on one measure
    odd = scored(
        model=(0.9, 0.9, 0.9),
        majority_category=(0.95, 0.1, 0.1),
        first_basket=(0.861, 0.890, 0.882),
    )
    assert served_of(odd) == "first_basket"


def test_the_planted_store_serves_a_fitted_model(prediction):
    evaluation = prediction[0].set_index("method")
    served = evaluation.index[evaluation["is_served"]].tolist()
    assert served == [evaluation.loc[evaluation["method_kind"] == "model", "macro_f1"].idxmax()]


def test_the_basket_ranker_predicts_only_categories_of_the_basket(first_orders, prediction):
    ranker = prediction[2]["basket_ranker"]
    features = first_orders.drop(columns="customer_id")
    probabilities = probabilities_of(ranker, first_orders)
    assert probabilities.sum(axis=1) == pytest.approx(np.ones(len(first_orders)))
    shares = features[interests.share_columns(features)].to_numpy(float)
    ids = [int(c[len(interests.SHARE_PREFIX) :]) for c in interests.share_columns(features)]
    assert list(ranker.classes_) == ids
    assert (probabilities[shares == 0] == 0).all()
