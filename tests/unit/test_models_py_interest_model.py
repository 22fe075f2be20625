"""models_py.interest_model: the served interest predictor is fitted on every customer, stored as
bytes and loaded back giving the same answers; another scikit-learn version is refused; a
baseline stores nothing and answers without probabilities."""

import pandas as pd
import pytest
from test_models_py_interests import category_spend, planted_orders

from models_py import interest_model, interests
from models_py.interest_model import InterestModel, StoredModelError


@pytest.fixture(scope="module")
def store():
    orders, _ = planted_orders(n=600, seed=3)
    first_orders = interests.first_order_features(orders)
    shares = interests.customer_category_shares(category_spend(orders))
    return first_orders, interests.dominant_categories(shares)


def stored(model: InterestModel, version: str | None = None) -> InterestModel:
    return InterestModel.from_stored(
        model.method,
        model.estimator_bytes(),
        version or model.sklearn_version,
        model.majority_category_id,
        model.n_train,
        model.n_customers,
    )


@pytest.mark.parametrize("method", interests.FITTED_METHODS)
def test_a_fitted_model_loads_back_and_answers_the_same(store, method):
    first_orders, dominant = store
    model = interest_model.fit(first_orders, dominant, method)
    assert model.n_train == model.n_customers == len(first_orders)
    loaded = stored(model)
    for _, row in first_orders.head(20).iterrows():
        features = row.drop("customer_id").to_dict()
        category, probabilities = loaded.predict(features)
        assert (category, probabilities) == model.predict(features)
        assert sum(probabilities.values()) == pytest.approx(1.0)


def test_another_scikit_learn_version_is_refused(store):
    model = interest_model.fit(*store, "basket_ranker")
    with pytest.raises(StoredModelError, match=r"fitted with scikit-learn 0\.0\.1"):
        stored(model, "0.0.1")


def test_a_baseline_stores_nothing_and_gives_no_probabilities(store):
    first_orders, dominant = store
    basket = first_orders.drop(columns="customer_id").head(1)
    first = interest_model.fit(first_orders, dominant, "first_basket")
    assert first.estimator_bytes() is None and first.n_train == 0
    assert stored(first).predict(basket) == (int(interests.first_basket_category(basket)[0]), None)
    majority = interest_model.fit(first_orders, dominant, "majority_category")
    expected = int(dominant["dominant_category_id"].value_counts().sort_index().idxmax())
    assert majority.majority_category_id == expected
    assert stored(majority).predict(basket) == (expected, None)


def test_above_the_limit_a_fixed_seed_sample_is_fitted():
    ids = pd.Series(range(25_000, 0, -1)).to_numpy()
    sample = interest_model.training_sample(ids, limit=1_000)
    assert len(sample) == 1_000 and (sample[:-1] < sample[1:]).all()
    assert (interest_model.training_sample(ids[::-1], limit=1_000) == sample).all()
