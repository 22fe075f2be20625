"""Request fields under their camelCase and their snake_case names (apps.api.schemas.RequestModel),
and the error that names a field sent under both (apps.api.errors)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from apps.api.errors import describe_errors, echo_inputs
from apps.api.schemas import ClusterRequest, ClvRequest, InterestRequest, RecommendationRequest

# (model, path, body in snake_case, the same in camelCase)
BODIES = [
    (
        ClusterRequest,
        "/api/cluster",
        {"recency": 64, "frequency": 32, "monetary_value": 100924.0},
        {"recency": 64, "frequency": 32, "monetaryValue": 100924.0},
    ),
    (
        ClvRequest,
        "/api/clv",
        {"frequency": 4, "recency": 200, "T": 300, "monetary_value": 350.0},
        {"frequency": 4, "recency": 200, "T": 300, "monetaryValue": 350.0},
    ),
    (
        InterestRequest,
        "/api/interest",
        {
            "order_date": "2011-11-20",
            "lines": [{"product_id": "a", "quantity": 1, "unit_price": 2}],
        },
        {"orderDate": "2011-11-20", "lines": [{"productId": "a", "quantity": 1, "unitPrice": 2}]},
    ),
    (
        RecommendationRequest,
        "/api/recommendations",
        {"lines": [{"product_id": "a", "quantity": 1, "unit_price": 2}], "limit": 3},
        {"lines": [{"productId": "a", "quantity": 1, "unitPrice": 2}], "limit": 3},
    ),
]


def refusal(model, path: str, body: dict) -> str:
    """The `error` a request to `path` with `body` answers (its validation errors described)."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return describe_errors([{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()], path)


@pytest.mark.parametrize(("model", "path", "snake", "camel"), BODIES)
def test_both_names_read_the_same_inputs(model, path, snake, camel):
    assert model.model_validate(camel) == model.model_validate(snake)


def test_a_field_under_both_names_is_refused_naming_it():
    # every top-level field with two names, sent under both
    refused = []
    for model, path, snake, _ in BODIES:
        for name, value in snake.items():
            alias = model.model_fields[name].alias
            if alias != name:
                error = refusal(model, path, {**snake, alias: value})
                assert (
                    error
                    == f"{name}: also sent as {alias} (the same field): send one of the two names"
                )
                refused.append(name)
    assert refused == ["monetary_value", "monetary_value", "order_date"]


def test_a_basket_line_field_under_both_names_is_refused_naming_it():
    line = {"product_id": "a", "productId": "a", "quantity": 1, "unit_price": 2}
    error = refusal(InterestRequest, "/api/interest", {"lines": [line]})
    assert error.startswith("lines.0.product_id: also sent as productId (the same field)")


def test_unknown_and_missing_fields_are_named_as_documented():
    error = refusal(ClusterRequest, "/api/cluster", {"recency": 1, "frequency": 2, "coupon": "x"})
    assert error == (
        "monetaryValue: required; coupon: unknown parameter (allowed: recency, frequency,"
        " monetaryValue, store)"
    )


def test_cluster_inputs_are_echoed_under_either_name():
    camel = echo_inputs({"recency": 1, "frequency": 2, "monetaryValue": 3.5})
    assert camel == echo_inputs({"recency": 1, "frequency": 2, "monetary_value": 3.5})
    assert camel.monetaryValue == 3.5
