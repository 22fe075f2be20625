"""Request and response shapes of the scoring API (the response keeps the shape clients integrate against)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from apps.api.response_style import Money, Score, to_camel
from scripts.stores import FIRST_STORE as EXAMPLE_STORE

MAX_RECENCY_DAYS = 36_500  # a century: anything larger is a unit mistake, not a customer
MAX_FREQUENCY = 10_000_000
MAX_MONETARY = 1e12

EXAMPLE_INPUT = {"recency": 64, "frequency": 32, "monetaryValue": 100924.0}
STORE_DESCRIPTION = (
    "the store whose segment model answers (seed `stores`); may be left out when the warehouse"
    " has only one store"
)


class RequestModel(BaseModel):
    """The inputs of a request (a JSON body, or /api/cluster's query string): each field under its
    camelCase name (`monetaryValue`: the name OpenAPI documents, the style of every answer) or its
    snake_case name (`monetary_value`, as clients sent it before); no other field. An object with
    both names of one field is refused (422): the camelCase one is read, the snake_case one refused
    as unknown, and apps.api.errors says why."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        field_title_generator=lambda name, _: name.replace("_", " ").title(),  # "Monetary Value"
    )

    @classmethod
    def sent(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The fields `raw` gives, by field name, each under whichever name it was sent (the
        camelCase one first, as validation reads it)."""
        found = {}
        for name, field in cls.model_fields.items():
            key = field.alias if field.alias in raw else name
            if key in raw:
                found[name] = raw[key]
        return found


class ClusterRequest(RequestModel):
    """A customer's recency (days), frequency (purchases) and monetary value."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_INPUT]})

    recency: int = Field(ge=0, le=MAX_RECENCY_DAYS, description="days since the last purchase")
    frequency: int = Field(ge=1, le=MAX_FREQUENCY, description="number of purchase invoices")
    monetary_value: float = Field(
        gt=0, le=MAX_MONETARY, allow_inf_nan=False, description="net value of the purchases"
    )
    store: str | None = Field(default=None, description=STORE_DESCRIPTION)

    @field_validator("recency", "frequency", "monetary_value", mode="before")
    @classmethod
    def reject_booleans(cls, value: object) -> object:
        # JSON true/false would otherwise pass as 1/0
        if isinstance(value, bool):
            raise ValueError("must be a number, not a boolean")
        return value


class InputValues(BaseModel):
    """The inputs as the client sent them (valid or not)."""

    recency: bool | int | float | str | None = None
    frequency: bool | int | float | str | None = None
    monetaryValue: bool | int | float | str | None = None


class ClusterResponse(BaseModel):
    clusterId: int | None = Field(description="segment id, as in marts.customer_segments")
    clusterLabel: str | None = Field(description="business label of the segment")
    suggestions: str | None = Field(description="marketing suggestion for the segment")
    inputValues: InputValues
    message: str
    error: str
    store: str | None = Field(default=None, description="the store whose segment model answered")
    modelRunId: str | None = Field(default=None, description="run id of the segment model used")
    distance: Score | None = Field(
        default=None, description="distance to the nearest centroid (4 significant digits)"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "clusterId": 1,
                    "clusterLabel": "At Risk",
                    "suggestions": "Win them back with a personal offer.",
                    "inputValues": {"recency": 64, "frequency": 32, "monetaryValue": 100924.0},
                    "message": "Data processed successfully",
                    "error": "",
                    "store": EXAMPLE_STORE,
                    "modelRunId": "20261122T050000Z-3f2a",
                    "distance": 0.42,
                }
            ]
        }
    )


class CustomerError(BaseModel):
    """An error answer of /api/customers/{customer_id}."""

    customerId: str | None = Field(
        description="the id as sent in the path, cut to 100 characters (null if none)"
    )
    message: str = Field(description="what went wrong, e.g. 'Customer not found'")
    error: str = Field(description="the field and the rule, e.g. 'customer_id: ...'")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customerId": "99999",
                    "message": "Customer not found",
                    "error": "customer_id: no customer with this id",
                }
            ]
        }
    )


class ErrorResponse(BaseModel):
    """An error answer of any other path (unknown path, method, too large, server error)."""

    message: str
    error: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"message": "Request too large", "error": "query: longer than 4096 bytes"}]
        }
    )


class StoreHealth(BaseModel):
    """One store of the warehouse being served and its segment model."""

    store: str
    displayName: str = Field(description="the store's name for people (seed `stores`)")
    modelRunId: str = Field(description="run id of the build that fitted the store's segment model")
    segments: int = Field(description="number of segments of the store's model")
    modelFittedAt: str | None = Field(
        default=None, description="when the build that fitted the model started (UTC, ISO 8601)"
    )
    modelFitAsOfDate: str | None = Field(
        default=None, description="as-of date of the data the model was fitted on"
    )
    modelAgeDays: int | None = Field(
        default=None,
        description="days of data between the fit and the latest build's as-of date (the"
        " model is refitted when this exceeds the build's limit, 30 by default)",
    )
    lastRefitReason: str | None = Field(
        default=None,
        description="why the model was fitted: requested, no_stored_model, k_setting_changed,"
        " as_of_before_fit, model_age, feature_drift or far_from_centroids",
    )
    lastRefitDecision: str | None = Field(
        default=None, description="the same in words, with every reason that applied"
    )
    interestMethod: str | None = Field(
        default=None,
        description="the product interest method /api/interest answers with for the store"
        " (marts.interest_model: model, basket_ranker, majority_category or first_basket);"
        " null when the store has no usable stored interest model",
    )
    interestMethodReason: str | None = Field(
        default=None,
        description="why that method is served (the time split's decision), or why the store"
        " has no interest model",
    )


class HealthResponse(BaseModel):
    """The warehouse being served; `degraded` (HTTP 503) while reloading a new publish fails."""

    status: Literal["ok", "degraded"]
    stores: list[StoreHealth] = Field(
        description="every store of the warehouse (or the one asked for) with its model"
    )
    warehousePublishedAt: str = Field(description="publish time of the warehouse being served")
    lastReloadError: str | None = Field(
        description="why the last reload of the published warehouse failed (null when it did not);"
        " names no server file"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "degraded",
                    "stores": [
                        {
                            "store": EXAMPLE_STORE,
                            "displayName": "Online Retail (UK gift shop)",
                            "modelRunId": "20261122T050000Z-3f2a",
                            "segments": 5,
                            "modelFittedAt": "2026-11-22T05:00:00",
                            "modelFitAsOfDate": "2011-12-10",
                            "modelAgeDays": 3,
                            "lastRefitReason": "model_age",
                            "lastRefitDecision": "fitted 31 days of data ago (limit 30)",
                            "interestMethod": "basket_ranker",
                            "interestMethodReason": "served: at least as good as every baseline"
                            " on accuracy (0.861 >= first_basket 0.861), balanced accuracy"
                            " (0.890 >= first_basket 0.890) and macro-F1 (0.882 >= first_basket"
                            " 0.882)",
                        }
                    ],
                    "warehousePublishedAt": "2026-11-22T05:00:00+00:00",
                    "lastReloadError": "the published warehouse could not be read (IOException)",
                }
            ]
        }
    )


# --- /api/interest ------------------------------------------------------------------------------

MAX_BASKET_LINES = 500
MAX_PRODUCT_ID_CHARS = 100
MAX_REGION_CHARS = 100
MAX_QUANTITY = 1_000_000
MAX_UNIT_PRICE = 1e7

EXAMPLE_BASKET = {
    "store": EXAMPLE_STORE,
    "region": "United Kingdom",
    "orderDate": "2011-11-20",
    "lines": [
        {"productId": "85123A", "quantity": 6, "unitPrice": 2.55},
        {"productId": "22423", "quantity": 2, "unitPrice": 12.75},
        {"productId": "NOT-A-PRODUCT", "quantity": 1, "unitPrice": 1.0},
    ],
}


def _unicode_text(value: str | None) -> str | None:
    """Text that can be sent back: a lone surrogate (valid in a JSON escape) cannot be UTF-8."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be text without lone surrogates") from None
    return value


class BasketLineRequest(RequestModel):
    """One line of a first basket."""

    product_id: str = Field(
        min_length=1,
        max_length=MAX_PRODUCT_ID_CHARS,
        description="the store's product id (marts.dim_products.product_id, e.g. a stock code),"
        " as a string",
    )
    quantity: int = Field(gt=0, le=MAX_QUANTITY, description="units bought")
    unit_price: float = Field(
        gt=0, le=MAX_UNIT_PRICE, allow_inf_nan=False, description="price of one unit"
    )

    @field_validator("quantity", "unit_price", mode="before")
    @classmethod
    def reject_booleans(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("must be a number, not a boolean")
        return value

    @field_validator("product_id")
    @classmethod
    def unicode_text(cls, value: str) -> str:
        return _unicode_text(value)


class InterestRequest(RequestModel):
    """A new customer's first basket, and optionally where and when it was ordered."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_BASKET]})

    store: str | None = Field(default=None, description=STORE_DESCRIPTION)
    region: str | None = Field(
        default=None,
        max_length=MAX_REGION_CHARS,
        description="the customer's region as the store records it: its state where the store"
        " has one (e.g. 'SP'), else its country (e.g. 'United Kingdom'); unknown or left out,"
        " the model uses no region",
    )
    order_date: date | None = Field(
        default=None,
        description="the basket's date (ISO, e.g. 2011-11-20; the model uses its month); default"
        " today (UTC)",
    )
    lines: list[BasketLineRequest] = Field(
        min_length=1,
        max_length=MAX_BASKET_LINES,
        description=f"the basket: 1 to {MAX_BASKET_LINES} lines; a product may come back on"
        " several lines",
    )

    @field_validator("order_date", mode="before")
    @classmethod
    def iso_date(cls, value: object) -> object:
        # a number would pass as a Unix time; only an ISO date is meant
        if value is not None and not isinstance(value, str | date):
            raise ValueError("must be an ISO date such as 2011-11-20")
        return value

    @field_validator("store", "region")
    @classmethod
    def unicode_text(cls, value: str | None) -> str | None:
        return _unicode_text(value)


class CategoryProbability(BaseModel):
    categoryId: int
    categoryName: str
    probability: Score = Field(description="the model's probability that it becomes dominant")


class PredictedCategory(BaseModel):
    """The category the customer's spend is predicted to be dominated by."""

    categoryId: int
    categoryName: str
    probability: Score | None = Field(
        description="the served model's probability that it becomes dominant; null when the"
        " served method is a baseline, which gives no probability"
    )


class BasketCategory(BaseModel):
    """One category of the basket (its known products)."""

    categoryId: int
    categoryName: str
    value: Money = Field(description="quantity x unit price summed over its lines")
    share: Score = Field(description="its share of the basket's value")
    lines: int = Field(description="the basket's lines of it")


class NearestInterestSegment(BaseModel):
    """The interest segment whose centroid of mean shares is nearest the basket's shares."""

    interestSegmentId: int = Field(description="as in marts.customer_interest_segments")
    label: str = Field(description="its label (marts.interest_segment_profiles)")
    distance: Score = Field(description="Euclidean distance of the basket's category shares")


class InterestModelInfo(BaseModel):
    """The method that answered: the one the build's time split chose for the store, fitted by the
    build and stored in marts.interest_model (never fitted by the API)."""

    method: str = Field(
        description="model, basket_ranker, majority_category or first_basket"
        " (marts.interest_prediction_evaluation.method)"
    )
    reason: str = Field(description="why it is served (marts.interest_model.reason)")
    trainingCustomers: int = Field(
        description="the first orders it was fitted on (0 for first_basket, which fits nothing)"
    )
    eligibleCustomers: int = Field(
        description="the store's customers with a first order and a dominant category"
    )
    sampled: bool = Field(
        description="true when fitted on a fixed-seed sample of the eligible customers"
    )
    categories: int = Field(description="the categories it can predict")
    modelRunId: str | None = Field(description="run id of the build that fitted it")
    fittedAt: str | None = Field(
        default=None, description="when the build that fitted it started (UTC, ISO 8601)"
    )


class InterestResponse(BaseModel):
    """The predicted interest of a new customer from their first basket."""

    store: str
    method: str = Field(
        description="the method that answered (as model.method): the store's served method"
    )
    predictedCategory: PredictedCategory
    probabilities: list[CategoryProbability] = Field(
        description="the 10 most likely categories, most likely first (ties: lower id); empty"
        " when the served method is a baseline"
    )
    otherCategoriesProbability: Score | None = Field(
        description="the total probability of the categories not listed (0 when all are; null"
        " for a baseline)"
    )
    basketMix: list[BasketCategory] = Field(description="largest share first")
    basketValue: Money = Field(description="value of the basket's known products")
    nearestInterestSegment: NearestInterestSegment
    unknownProducts: list[str] = Field(
        description="product ids not in the store's marts.dim_products, ignored (each once)"
    )
    orderDate: date = Field(description="the date used (today, UTC, when none was given)")
    region: str | None = Field(description="the region used (null: none)")
    regionKnown: bool = Field(
        description="whether a first order of the store's customers came from this region (only"
        " the method `model` reads the region; basket_ranker and the baselines do not)"
    )
    model: InterestModelInfo
    message: str
    error: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "store": EXAMPLE_STORE,
                    "method": "basket_ranker",
                    "predictedCategory": {
                        "categoryId": 3,
                        "categoryName": "christmas · holder · t-light",
                        "probability": 0.41,
                    },
                    "probabilities": [
                        {
                            "categoryId": 3,
                            "categoryName": "christmas · holder · t-light",
                            "probability": 0.41,
                        },
                        {
                            "categoryId": 1,
                            "categoryName": "card · wrap · birthday",
                            "probability": 0.22,
                        },
                    ],
                    "otherCategoriesProbability": 0.37,
                    "basketMix": [
                        {
                            "categoryId": 3,
                            "categoryName": "christmas · holder · t-light",
                            "value": 15.3,
                            "share": 0.375,
                            "lines": 1,
                        },
                        {
                            "categoryId": 6,
                            "categoryName": "heart · heart decoration · wicker",
                            "value": 25.5,
                            "share": 0.625,
                            "lines": 1,
                        },
                    ],
                    "basketValue": 40.8,
                    "nearestInterestSegment": {
                        "interestSegmentId": 2,
                        "label": "christmas · holder · t-light + heart · heart decoration · wicker",
                        "distance": 0.38,
                    },
                    "unknownProducts": ["NOT-A-PRODUCT"],
                    "orderDate": "2011-11-20",
                    "region": "United Kingdom",
                    "regionKnown": True,
                    "model": {
                        "method": "basket_ranker",
                        "reason": "served: at least as good as every baseline on accuracy (0.861"
                        " >= first_basket 0.861), balanced accuracy (0.890 >= first_basket 0.890)"
                        " and macro-F1 (0.882 >= first_basket 0.882)",
                        "trainingCustomers": 4321,
                        "eligibleCustomers": 4321,
                        "sampled": False,
                        "categories": 22,
                        "modelRunId": "e62e98f8-d43d-49e8-9ed9-14eadc5bf020",
                        "fittedAt": "2026-12-07T18:00:00",
                    },
                    "message": "Data processed successfully",
                    "error": "",
                }
            ]
        }
    )


class InterestError(BaseModel):
    """An error answer of /api/interest."""

    message: str = Field(description="what went wrong, e.g. 'Invalid input'")
    error: str = Field(description="the field and the rule, e.g. 'lines: ...'")
    unknownProducts: list[str] = Field(
        default_factory=list,
        description="the basket's product ids the store does not know, when the basket was read"
        " (at most 20, in the order of the lines)",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message": "Invalid input",
                    "error": "lines: no product of the basket is in the store's catalogue"
                    " (marts.dim_products)",
                    "unknownProducts": ["NOT-A-PRODUCT"],
                }
            ]
        }
    )


# --- /api/recommendations -----------------------------------------------------------------------

MAX_RECOMMENDATIONS = 10  # dbt var recommendations_per_customer

EXAMPLE_RECOMMENDATION_BASKET = {
    "store": EXAMPLE_STORE,
    "lines": EXAMPLE_BASKET["lines"],
    "limit": 5,
}
EXAMPLE_CUSTOMER_RECOMMENDATIONS = [
    {
        "rank": 1,
        "productId": "20724",
        "description": "RED RETROSPOT CHARLOTTE BAG",
        "categoryId": 6,
        "categoryName": "retrospot · bag · bag retrospot",
        "score": 0.529,
        "reason": "bought_with:20719",
    },
    {
        "rank": 2,
        "productId": "21212",
        "description": "PACK OF 72 RETROSPOT CAKE CASES",
        "categoryId": 8,
        "categoryName": "cake · cases · stand",
        "score": 0.495,
        "reason": "bought_with:84991",
    },
]
EXAMPLE_BASKET_RECOMMENDATIONS = [
    {
        "rank": 1,
        "productId": "22699",
        "description": "ROSES REGENCY TEACUP AND SAUCER",
        "categoryId": 1,
        "categoryName": "tea · notebook · clock",
        "score": 0.247,
        "reason": "bought_with:22423",
    },
    {
        "rank": 2,
        "productId": "21733",
        "description": "RED HANGING HEART T-LIGHT HOLDER",
        "categoryId": 5,
        "categoryName": "christmas · holder · t-light",
        "score": 0.229,
        "reason": "bought_with:85123A",
    },
]


class RecommendedProduct(BaseModel):
    """One recommended product."""

    rank: int = Field(description="1 = the strongest recommendation")
    productId: str = Field(description="the store's product id (marts.dim_products)")
    description: str | None
    categoryId: int | None = Field(description="as in marts.product_categories")
    categoryName: str | None
    score: Score = Field(
        description="bought_with: the confidence of the best association rule (the share of the"
        " antecedent's baskets that also hold the product); popular_in_segment /"
        " popular_in_category: the share of the segment's (of all) customers who bought it"
    )
    reason: str = Field(
        description="why: 'bought_with:<product_id>' (bought with that product of the customer's),"
        " 'popular_in_segment' or 'popular_in_category' (the customer's dominant category)"
    )


class CustomerRecommendationsResponse(BaseModel):
    """A known customer's next-best products, as marts.customer_recommendations publishes them."""

    store: str
    customerId: int
    segmentId: int | None = Field(description="the customer's segment (null: none)")
    segmentLabel: str | None
    recommendations: list[RecommendedProduct] = Field(description="in rank order, at most 10")
    message: str
    error: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "store": EXAMPLE_STORE,
                    "customerId": 12347,
                    "segmentId": 1,
                    "segmentLabel": "Top customers",
                    "recommendations": EXAMPLE_CUSTOMER_RECOMMENDATIONS,
                    "message": "Data processed successfully",
                    "error": "",
                }
            ]
        }
    )


class RecommendationRequest(RequestModel):
    """A new customer's basket."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RECOMMENDATION_BASKET]})

    store: str | None = Field(default=None, description=STORE_DESCRIPTION)
    lines: list[BasketLineRequest] = Field(
        min_length=1,
        max_length=MAX_BASKET_LINES,
        description=f"the basket: 1 to {MAX_BASKET_LINES} lines; a product may come back on"
        " several lines",
    )
    limit: int = Field(
        default=MAX_RECOMMENDATIONS,
        ge=1,
        le=MAX_RECOMMENDATIONS,
        description=f"how many products to recommend (1 to {MAX_RECOMMENDATIONS})",
    )

    @field_validator("limit", mode="before")
    @classmethod
    def reject_booleans(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("must be a number, not a boolean")
        return value

    @field_validator("store")
    @classmethod
    def unicode_text(cls, value: str | None) -> str | None:
        return _unicode_text(value)


class BasketRecommendationsResponse(BaseModel):
    """A new customer's next-best products from their basket."""

    store: str
    recommendations: list[RecommendedProduct] = Field(
        description="in rank order: products bought with the basket's, then the most popular of"
        " its segment, then of its dominant category; never a product of the basket"
    )
    segmentId: int = Field(
        description="the segment the basket falls in: the store's segment model on recency 0,"
        " frequency 1 and the basket's value"
    )
    segmentLabel: str
    dominantCategoryId: int = Field(
        description="the category of the basket's largest value (ties: the lower id)"
    )
    basketValue: Money = Field(description="value of the basket's known products")
    unknownProducts: list[str] = Field(
        description="product ids not in the store's marts.dim_products, ignored (each once)"
    )
    message: str
    error: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "store": EXAMPLE_STORE,
                    "recommendations": EXAMPLE_BASKET_RECOMMENDATIONS,
                    "segmentId": 3,
                    "segmentLabel": "Potential Loyalist",
                    "dominantCategoryId": 8,
                    "basketValue": 40.8,
                    "unknownProducts": ["NOT-A-PRODUCT"],
                    "message": "Data processed successfully",
                    "error": "",
                }
            ]
        }
    )


class RecommendationError(InterestError):
    """An error answer of POST /api/recommendations."""


class ClvRequest(RequestModel):
    """A customer's purchase history as the lifetime value models read it, in days, counting one
    purchase per day: repeat purchase days (x), the days from the first purchase to the last
    (t_x) and from the first purchase to today (T), and the mean spend of the repeat purchase
    days."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"frequency": 4, "recency": 200, "T": 300, "monetaryValue": 350.0,
                          "store": EXAMPLE_STORE}]
        },
    )  # fmt: skip

    frequency: int = Field(
        ge=0, le=MAX_FREQUENCY, description="x: purchase days after the first (0: none)"
    )
    recency: int = Field(
        ge=0, le=MAX_RECENCY_DAYS, description="t_x: days from the first purchase to the last"
    )
    T: int = Field(
        ge=0, le=MAX_RECENCY_DAYS, description="T: days from the first purchase to today"
    )
    monetary_value: float | None = Field(
        default=None, ge=0, le=MAX_MONETARY, allow_inf_nan=False,
        description="mean spend of the repeat purchase days; not needed without any",
        validate_default=True,
    )  # fmt: skip
    store: str | None = Field(default=None, description=STORE_DESCRIPTION)

    @field_validator("frequency", "recency", "T", "monetary_value", mode="before")
    @classmethod
    def reject_booleans(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("must be a number, not a boolean")
        return value

    # each rule on the field it names, checked against the fields before it
    @field_validator("recency")
    @classmethod
    def no_recency_without_repeat(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("frequency") == 0 and value != 0:
            raise ValueError("must be 0 without a repeat purchase (frequency 0)")
        return value

    @field_validator("T")
    @classmethod
    def not_before_the_last_purchase(cls, value: int, info: ValidationInfo) -> int:
        recency, frequency = info.data.get("recency"), info.data.get("frequency")
        if recency is not None and value < recency:
            raise ValueError(
                f"must be at least recency ({recency}): today is after the last purchase"
            )
        if frequency is not None and value < frequency:
            raise ValueError(
                f"must be at least frequency ({frequency}): one purchase day a day at most"
            )
        return value

    @field_validator("monetary_value")
    @classmethod
    def spend_of_repeat_purchases(cls, value: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("frequency") and not value:
            raise ValueError("required and above 0 with repeat purchases (frequency above 0)")
        return value


class ClvResponse(BaseModel):
    """A customer's lifetime value scores from the store's served models."""

    store: str = Field(description="the store whose models answered")
    purchaseModel: str = Field(
        description="the store's served repeat-purchase model (marts.clv_holdout_evaluation)"
    )
    pAlive: Score = Field(description="probability the customer is still a customer")
    churnRisk: Score = Field(description="probability of no purchase in the next churnDays days")
    churnDays: int
    expectedPurchases30d: Score = Field(description="expected purchase days in the next 30 days")
    expectedPurchases90d: Score
    expectedPurchases365d: Score
    expectedSpendPerPurchase: Money = Field(
        description="Gamma-Gamma expected spend per purchase day"
    )
    predictedClv: Money = Field(
        description="expected spend over the next horizonDays days, discounted at"
        " annualDiscountRate a year"
    )
    horizonDays: int
    annualDiscountRate: float
    modelRunId: str = Field(description="the build that fitted the models")


# --- warehouse rows as answers (/api/segments, /api/customers/{id}) -----------------------------


class WarehouseRow(BaseModel):
    """A row of the warehouse as an answer: its snake_case columns as camelCase keys
    (apps.api.response_style). A column the mart gains is passed on, in camelCase, unrounded."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")


class SegmentProfile(WarehouseRow):
    """One segment of a store: its row of marts.segment_profiles."""

    store: str
    segment_id: int = Field(description="segment number (marts.segment_model)")
    segment_label: str = Field(description="business label, unique across segments")
    dominant_rfm_segment: str | None = Field(description="named RFM segment most common in it")
    segment_position: str | None = Field(description="centroid position in words")
    customers: int = Field(description="customers in the segment")
    share_of_customers: Score | None = Field(description="customers / all segmented customers")
    revenue: Money | None = Field(description="sum of monetary over its customers")
    share_of_revenue: Score | None = Field(description="revenue / all segmented customers' revenue")
    mean_recency_days: Score | None
    median_recency_days: Score | None
    mean_frequency: Score | None
    median_frequency: Score | None
    mean_monetary: Money | None
    median_monetary: Money | None
    suggested_action: str | None = Field(description="short action (seed segment_playbook)")
    suggestion: str | None = Field(description="marketing suggestion (seed segment_playbook)")
    model_run_id: str | None = Field(description="the build that produced the row")


class CustomerResponse(WarehouseRow):
    """A known customer of a store: segment and RFM (marts.customer_segments,
    marts.fct_customer_rfm) and lifetime value (marts.customer_lifetime_value; null for a
    customer with no purchase, or a warehouse built without it)."""

    store: str
    customer_id: int
    segment_id: int | None
    segment_label: str | None
    rfm_segment: str | None
    recency_days: int | None = Field(description="days since the last purchase")
    frequency: int | None = Field(description="purchase invoices")
    monetary: Money | None = Field(description="net value of the purchases")
    r_score: int | None
    f_score: int | None
    m_score: int | None
    as_of_date: date | None
    churn_risk: Score | None = None
    p_alive: Score | None = None
    expected_purchases_90d: Score | None = None
    expected_purchases_365d: Score | None = None
    predicted_clv: Money | None = None
    value_tier: str | None = None
    clv_model: str | None = Field(default=None, description="the store's served purchase model")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "store": EXAMPLE_STORE,
                    "customerId": 12347,
                    "segmentId": 1,
                    "segmentLabel": "Top customers",
                    "rfmSegment": "Champions",
                    "recencyDays": 2,
                    "frequency": 7,
                    "monetary": 4310.0,
                    "rScore": 5,
                    "fScore": 5,
                    "mScore": 5,
                    "asOfDate": "2011-12-10",
                    "churnRisk": 0.1023,
                    "pAlive": 0.9871,
                    "expectedPurchases90d": 1.822,
                    "expectedPurchases365d": 6.512,
                    "predictedClv": 3712.45,
                    "valueTier": "high",
                    "clvModel": "bg_nbd",
                }
            ]
        }
    )
