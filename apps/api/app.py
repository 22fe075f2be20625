"""FastAPI app: score recency/frequency/monetary into a store's segment, list its segments, look up
its customers, predict a new customer's product interest from their first basket, recommend
products to a known customer or to a new one from their basket.

python -m apps.api [--host 127.0.0.1] [--port 8000] [--warehouse warehouse.duckdb]
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import Body, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from apps.api.errors import (
    CLUSTER_PATH,
    CLV_PATH,
    INTEREST_PATH,
    INVALID,
    RECOMMENDATIONS_PATH,
    SUCCESS,
    clip,
    cluster_error,
    describe_errors,
    error_response,
)
from apps.api.json_body import SafeJSONRoute
from apps.api.middleware import MAX_BODY_BYTES, MAX_QUERY_BYTES, CatchAll, RequestLimits
from apps.api.openapi import HEALTH_PATH, STORE, with_seed_query, with_stores
from apps.api.response_style import camel_keys
from apps.api.schemas import (
    STORE_DESCRIPTION,
    BasketCategory,
    BasketRecommendationsResponse,
    CategoryProbability,
    ClusterRequest,
    ClusterResponse,
    ClvRequest,
    ClvResponse,
    CustomerError,
    CustomerRecommendationsResponse,
    CustomerResponse,
    ErrorResponse,
    HealthResponse,
    InterestError,
    InterestModelInfo,
    InterestRequest,
    InterestResponse,
    NearestInterestSegment,
    PredictedCategory,
    RecommendationError,
    RecommendationRequest,
    RecommendedProduct,
    SegmentProfile,
    StoreHealth,
)
from apps.clv_models import ClvModelUnavailable, score_values, store_clv_model
from apps.interest_models import (
    TOP_PROBABILITIES,
    BasketLine,
    BasketPrediction,
    InterestModels,
    InterestModelUnavailable,
    NoKnownProduct,
    StoreInterestModel,
    interest_models,
    predict_basket,
)
from apps.recommendations import (
    Recommendation,
    RecommendationsUnavailable,
    basket_recommendations,
    customer_recommendations,
    is_customer,
)
from apps.segment_models import StoreModel, score, store_models
from apps.stores import StoreChoiceError, choose_store, stores
from apps.warehouse import PublishedWarehouse, Snapshot

# customer_id is a BIGINT in the warehouse: no other integer can be a customer
MIN_CUSTOMER_ID, MAX_CUSTOMER_ID = -(2**63), 2**63 - 1
CUSTOMER_NOT_FOUND = "Customer not found"
NO_RECOMMENDATIONS = "No recommendations"
StoreParam = Annotated[str | None, Query(description=STORE_DESCRIPTION)]

ERROR_DESCRIPTIONS = {
    404: "unknown customer",
    413: f"request too large: a body over {MAX_BODY_BYTES} bytes or a query string over"
    f" {MAX_QUERY_BYTES} bytes",
    422: "invalid input, a missing store where there are several, or an unknown store: `error`"
    " names the field and the rule",
    500: "unexpected server error: logged on the server, no details in the answer",
    503: "degraded: the last reload of the published warehouse failed; the previous model is"
    " still served",
}


INTEREST_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": InterestError, "description": ERROR_DESCRIPTIONS[413]},
    422: {
        "model": InterestError,
        "description": "invalid input; a missing store where there are several, an unknown store"
        " or a store without a usable stored product interest model (no marts.interest_model,"
        " no row for the store, fitted with another scikit-learn version: `error` says which); a"
        " basket with no product the store knows (`unknownProducts` lists them): `error` names"
        " the field and the rule",
    },
    500: {"model": InterestError, "description": ERROR_DESCRIPTIONS[500]},
}


NO_RECOMMENDATION_MARTS = (
    "a warehouse built before the recommendation marts (rebuild with `make run`)"
)
CUSTOMER_RECOMMENDATION_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {
        "model": CustomerError,
        "description": "unknown customer, or a customer of the store without purchases",
    },
    413: {"model": CustomerError, "description": ERROR_DESCRIPTIONS[413]},
    422: {
        "model": CustomerError,
        "description": f"{ERROR_DESCRIPTIONS[422]}; {NO_RECOMMENDATION_MARTS}",
    },
    500: {"model": CustomerError, "description": ERROR_DESCRIPTIONS[500]},
}
RECOMMENDATION_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": RecommendationError, "description": ERROR_DESCRIPTIONS[413]},
    422: {
        "model": RecommendationError,
        "description": "invalid input; a missing store where there are several, or an unknown"
        " store; a basket with no product the store knows (`unknownProducts` lists them);"
        f" {NO_RECOMMENDATION_MARTS}: `error` names the field and the rule",
    },
    500: {"model": RecommendationError, "description": ERROR_DESCRIPTIONS[500]},
}


class ApiError(Exception):
    """An error answer an endpoint gives on purpose (e.g. an unknown customer); `inputs` are the
    request's inputs, echoed by /api/cluster (by /api/interest: the unknown product ids)."""

    def __init__(
        self,
        status: int,
        message: str,
        error: str,
        inputs: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.status, self.message, self.error, self.inputs = status, message, error, inputs
        self.headers = headers


def documented(model: type[BaseModel], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries: `model` as the body of each error status."""
    return {s: {"model": model, "description": ERROR_DESCRIPTIONS[s]} for s in statuses}


def install_error_handlers(app: FastAPI) -> None:
    """Every error answers JSON in the shape of its endpoint (see apps.api.errors)."""

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        error = describe_errors(exc.errors(), request.url.path)
        if request.url.path == CLUSTER_PATH:
            raw = exc.body if request.method == "POST" else dict(request.query_params)
            return JSONResponse(cluster_error(raw, INVALID, error), status_code=422)
        return error_response(request.url.path, 422, INVALID, error)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(
            request.url.path, exc.status, exc.message, exc.error, exc.headers, inputs=exc.inputs
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # the framework's own answers: unknown path (404), method not allowed (405)
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": allowed_methods(app, request.url.path)}
        message = HTTPStatus(exc.status_code).phrase
        return error_response(
            request.url.path, exc.status_code, message, clip(str(exc.detail)), headers
        )


def allowed_methods(app: FastAPI, path: str) -> str:
    """The Allow header of `path`: the methods of every route of the path (Starlette names only
    the first route's, e.g. GET but not POST for /api/cluster)."""
    methods = {
        method
        for route in app.routes
        if isinstance(route, APIRoute) and route.path_regex.fullmatch(path)
        for method in route.methods
    }
    return ", ".join(sorted(methods))


def segment_profiles(snapshot: Snapshot, store: str) -> list[dict]:
    """A store's rows of marts.segment_profiles (/api/segments), read once per snapshot."""
    return snapshot.memo(
        ("segment_profiles", store), lambda: records(snapshot, SEGMENTS_QUERY, [store])
    )


def load_models(snapshot: Snapshot) -> None:
    """What opening a publish loads before it is served: every store's segment model (a publish
    without a usable one is not served) and segment profiles, and every store's stored product
    interest model (a store without a usable one answers /api/interest with why;
    apps.interest_models). Nothing is fitted."""
    for store in store_models(snapshot):
        segment_profiles(snapshot, store)
    interest_models(snapshot)


def open_warehouse(
    path: str | os.PathLike, check_interval: float = 1.0, watch: bool = False
) -> PublishedWarehouse:
    """The published warehouse as the API serves it: a publish is swapped in only once every
    store's segment model and stored interest model is loaded (load_models). `watch`: new
    publishes are looked for and opened on a thread of their own, never in a request."""
    return PublishedWarehouse(path, check_interval, require=load_models, watch=watch)


def interest_model(snapshot: Snapshot, store: str) -> StoreInterestModel:
    """The store's stored interest model: 422 saying why when the store has none."""
    try:
        return interest_models(snapshot).get(store)
    except InterestModelUnavailable as exc:
        raise ApiError(
            422, INVALID, f"store: no product interest model for store {store!r}: {exc}"
        ) from exc


def interest_response(model: StoreInterestModel, result: BasketPrediction) -> InterestResponse:
    """The /api/interest answer for one basket's prediction."""

    def probability(category_id: int, value: float) -> dict:
        return {
            "categoryId": category_id,
            "categoryName": model.category_name(category_id),
            "probability": value,
        }

    probabilities = dict(result.probabilities)
    listed = result.probabilities[:TOP_PROBABILITIES]
    return InterestResponse(
        store=model.store,
        method=model.method,
        predictedCategory=PredictedCategory(
            **probability(result.predicted_category, probabilities.get(result.predicted_category))
        ),
        probabilities=[CategoryProbability(**probability(c, p)) for c, p in listed],
        otherCategoriesProbability=sum(p for _, p in result.probabilities[TOP_PROBABILITIES:])
        if probabilities
        else None,
        basketMix=[
            BasketCategory(
                categoryId=item.category_id,
                categoryName=model.category_name(item.category_id),
                value=item.value,
                share=item.share,
                lines=item.lines,
            )
            for item in result.mix
        ],
        basketValue=result.basket_value,
        nearestInterestSegment=NearestInterestSegment(
            interestSegmentId=result.nearest_segment,
            label=result.nearest_segment_label,
            distance=result.nearest_segment_distance,
        ),
        unknownProducts=list(result.unknown_products),
        orderDate=result.order_date,
        region=result.region,
        regionKnown=result.region_known,
        model=InterestModelInfo(
            method=model.method,
            reason=model.reason,
            trainingCustomers=model.training_customers,
            eligibleCustomers=model.eligible_customers,
            sampled=model.sampled,
            categories=model.categories,
            modelRunId=model.model_run_id,
            fittedAt=model.fitted_at.isoformat() if model.fitted_at else None,
        ),
        message=SUCCESS,
        error="",
    )


def recommended(items: tuple[Recommendation, ...]) -> list[RecommendedProduct]:
    return [
        RecommendedProduct(
            rank=item.rank,
            productId=item.product_id,
            description=item.description,
            categoryId=item.category_id,
            categoryName=item.category_name,
            score=item.score,
            reason=item.reason,
        )
        for item in items
    ]


def no_recommendations(store: str, exc: RecommendationsUnavailable) -> ApiError:
    return ApiError(422, INVALID, f"store: no recommendations for store {store!r}: {exc}")


def store_model(snapshot: Snapshot, requested: str | None, inputs: Any = None) -> StoreModel:
    """The model of the store a request means; 422 when it names none of several, or an unknown one."""
    models = store_models(snapshot)
    try:
        return models[choose_store(requested, list(models))]
    except StoreChoiceError as exc:
        raise ApiError(422, INVALID, f"store: {exc}", inputs) from exc


def records(snapshot: Snapshot, sql: str, parameters: list) -> list[dict]:
    """The rows of one query as dicts."""
    with snapshot.cursor() as cursor:
        result = cursor.execute(sql, parameters)
        names = [column[0] for column in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def basket_lines(lines) -> list[BasketLine]:
    """A request's basket lines as the interest and recommendation rules read them."""
    return [BasketLine(line.product_id, line.quantity, line.unit_price) for line in lines]


def no_known_product(exc: NoKnownProduct) -> ApiError:
    """422 for a basket none of whose products the store knows, listing them."""
    return ApiError(
        422,
        INVALID,
        "lines: no product of the basket is in the store's catalogue (marts.dim_products)",
        exc.unknown,
    )


def refuse_store_in_query(request: Request, inputs: Any = None) -> None:
    """422 for a `store` query parameter on a POST, which would be ignored (the store is the JSON
    body's field); `inputs` are echoed as the endpoint's error shape does."""
    if STORE in request.query_params:
        raise ApiError(
            422,
            INVALID,
            "store: give the store as the JSON body's `store` field, not in the query string",
            inputs,
        )


def cluster_query_inputs(request: Request) -> ClusterRequest:
    """The /api/cluster inputs of a POST without a body: its query parameters, validated as GET
    validates them (the same 422 answers)."""
    raw = dict(request.query_params)
    try:
        return ClusterRequest.model_validate(raw)
    except ValidationError as exc:
        errors = [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors, body=raw) from exc


def refuse_query_with_body(request: Request, inputs: Any) -> None:
    """422 for a POST /api/cluster with a JSON body and inputs in the query string too: one of
    them would be ignored."""
    fields = ClusterRequest.model_fields  # named as documented (camelCase)
    given = [fields[name].alias for name in ClusterRequest.sent(request.query_params)]
    if given:
        raise ApiError(
            422,
            INVALID,
            f"{given[0]}: give the inputs either as the JSON body or as query parameters (with"
            " no body), not both",
            inputs,
        )


def create_app(warehouse: PublishedWarehouse | None) -> FastAPI:
    """The API on `warehouse` (see open_warehouse); None only renders the OpenAPI document."""
    app = FastAPI(
        title="Customer segment scoring API",
        description="Assigns a customer's recency, frequency and monetary value to a segment of "
        "a store of the published warehouse (marts.segment_model), predicts a new customer's "
        "product interest from their first basket (/api/interest), and recommends products to a "
        "known customer or to a new one from their basket (/api/recommendations).",
        version="2.0.0",
    )
    app.router.route_class = SafeJSONRoute  # unparseable JSON is a 422 like any invalid input
    app.state.warehouse = warehouse
    app.add_middleware(RequestLimits)
    app.add_middleware(CatchAll)  # added last: the outermost, so it also guards RequestLimits
    install_error_handlers(app)
    install_store_document(app, warehouse)

    # Scoring is a few microseconds of CPU: async handlers skip the thread pool hop.
    def cluster(inputs: ClusterRequest) -> ClusterResponse:
        chosen = store_model(warehouse.current(), inputs.store, inputs.model_dump())
        result = score(chosen, inputs.recency, inputs.frequency, inputs.monetary_value)
        return ClusterResponse(
            clusterId=result.segment_id,
            clusterLabel=result.label,
            suggestions=result.suggestion,
            inputValues={
                "recency": inputs.recency,
                "frequency": inputs.frequency,
                "monetaryValue": inputs.monetary_value,
            },
            message=SUCCESS,
            error="",
            store=chosen.store,
            modelRunId=chosen.model.run_id,
            distance=result.distance,
        )

    cluster_errors = documented(ClusterResponse, 413, 422, 500)

    @app.get(CLUSTER_PATH, response_model=ClusterResponse, responses=cluster_errors)
    async def cluster_get(inputs: Annotated[ClusterRequest, Query()]) -> ClusterResponse:
        """Segment of a customer given as query parameters, e.g. `?recency=64&frequency=32&monetaryValue=100924&store=<store>` (`monetary_value` is read too)."""
        return cluster(inputs)

    # The body is documented as required (the way to call it); a POST without a body reads the
    # inputs from the query string, as the seed's clients send them.
    @app.post(
        CLUSTER_PATH,
        response_model=ClusterResponse,
        responses=cluster_errors,
        openapi_extra={"requestBody": {"required": True}},
    )
    async def cluster_post(
        request: Request, inputs: Annotated[ClusterRequest, Body()] = None
    ) -> ClusterResponse:
        """Segment of a customer given as a JSON body; the store is its `store` field. As the
        seed's clients call it, a POST without a body takes the GET's query parameters instead
        (`POST /api/cluster?recency=64&frequency=32&monetary_value=100924&store=<store>`, listed
        below) and answers as GET; a body together with query parameters answers 422."""
        if inputs is None:
            return cluster(cluster_query_inputs(request))
        refuse_query_with_body(request, inputs.model_dump())
        return cluster(inputs)

    @app.post(INTEREST_PATH, response_model=InterestResponse, responses=INTEREST_ERRORS)
    def interest(inputs: InterestRequest, request: Request) -> InterestResponse:
        """Predict a new customer's product interest from their first basket: the category their
        spend will be dominated by (with the probability of each category), the basket's
        category mix, and the nearest interest segment. Unknown product ids are listed in
        `unknownProducts` and ignored; a basket with no known product answers 422. The store is
        the body's `store` field."""
        refuse_store_in_query(request)
        snapshot = warehouse.current()
        chosen = store_model(snapshot, inputs.store).store
        model = interest_model(snapshot, chosen)
        lines = basket_lines(inputs.lines)
        order_date = inputs.order_date or datetime.now(UTC).date()
        try:
            result = predict_basket(model, lines, inputs.region, order_date)
        except NoKnownProduct as exc:
            raise no_known_product(exc) from exc
        return interest_response(model, result)

    @app.get(
        RECOMMENDATIONS_PATH + "/{customer_id}",
        response_model=CustomerRecommendationsResponse,
        responses=CUSTOMER_RECOMMENDATION_ERRORS,
    )
    def recommendations_of_customer(
        customer_id: int, store: StoreParam = None
    ) -> CustomerRecommendationsResponse:
        """A known customer's next-best products in a store, in rank order, as
        marts.customer_recommendations publishes them: products bought with theirs
        (`bought_with:<product_id>`), then the most popular of their segment, then of the
        category they spent most on; never a product they bought."""
        snapshot = warehouse.current()
        chosen = store_model(snapshot, store).store
        not_found = ApiError(404, CUSTOMER_NOT_FOUND, "customer_id: no customer with this id")
        if not MIN_CUSTOMER_ID <= customer_id <= MAX_CUSTOMER_ID:
            raise not_found  # DuckDB cannot even compare it with a BIGINT
        try:
            found = customer_recommendations(snapshot, chosen, customer_id)
        except RecommendationsUnavailable as exc:
            raise no_recommendations(chosen, exc) from exc
        if found is None:
            if is_customer(snapshot, chosen, customer_id):
                raise ApiError(
                    404,
                    NO_RECOMMENDATIONS,
                    "customer_id: the customer has no purchase to recommend from",
                )
            raise not_found
        return CustomerRecommendationsResponse(
            store=found.store,
            customerId=found.customer_id,
            segmentId=found.segment_id,
            segmentLabel=found.segment_label,
            recommendations=recommended(found.recommendations),
            message=SUCCESS,
            error="",
        )

    @app.post(
        RECOMMENDATIONS_PATH,
        response_model=BasketRecommendationsResponse,
        responses=RECOMMENDATION_ERRORS,
    )
    def recommendations_for_basket(
        inputs: RecommendationRequest, request: Request
    ) -> BasketRecommendationsResponse:
        """Recommend products to a new customer from their basket, by the rule of the published
        recommendations: products bought with the basket's (the strongest association rules of its
        products, as many of each and from as many products, the lowest ids, as the build's dbt
        vars association_max_rules_per_product and recommendation_max_customer_products say;
        score = the best rule's confidence), then the most popular products of the segment the
        basket falls in (recency 0, frequency 1, the basket's value), then of the basket's
        dominant category; never a product of the basket. Unknown product ids are listed in
        `unknownProducts` and ignored; a basket with no known product answers 422. The store is
        the body's `store` field."""
        refuse_store_in_query(request)
        snapshot = warehouse.current()
        chosen = store_model(snapshot, inputs.store)
        lines = basket_lines(inputs.lines)
        try:
            result = basket_recommendations(snapshot, chosen, lines, inputs.limit)
        except RecommendationsUnavailable as exc:
            raise no_recommendations(chosen.store, exc) from exc
        except NoKnownProduct as exc:
            raise no_known_product(exc) from exc
        return BasketRecommendationsResponse(
            store=result.store,
            recommendations=recommended(result.recommendations),
            segmentId=result.segment_id,
            segmentLabel=result.segment_label,
            dominantCategoryId=result.dominant_category_id,
            basketValue=result.basket_value,
            unknownProducts=list(result.unknown_products),
            message=SUCCESS,
            error="",
        )

    # In memory once a publish is open (load_models): async, no thread pool hop.
    @app.post(
        CLV_PATH, response_model=ClvResponse, responses=documented(ErrorResponse, 413, 422, 500)
    )
    async def clv_post(inputs: ClvRequest, request: Request) -> ClvResponse:
        """A customer's churn risk, expected purchases and predicted lifetime value from their
        purchase history given as x (frequency), t_x (recency) and T, in days, scored by the
        store's served models (marts.clv_model)."""
        refuse_store_in_query(request)
        snapshot = warehouse.current()
        chosen = store_model(snapshot, inputs.store).store
        try:
            model = store_clv_model(snapshot, chosen)
        except ClvModelUnavailable as exc:
            raise ApiError(422, INVALID, str(exc)) from exc
        scores = score_values(
            model, inputs.frequency, inputs.recency, inputs.T, inputs.monetary_value or 0.0
        )
        if not all(math.isfinite(value) for value in scores.values()):
            raise ApiError(
                422,
                INVALID,
                f"frequency: store {chosen}'s {model.purchase_fit.model} model cannot score"
                f" {inputs.frequency:,} repeat purchase days (its numbers overflow)",
            )
        return ClvResponse(
            store=chosen,
            purchaseModel=model.purchase_fit.model,
            pAlive=scores["p_alive"],
            churnRisk=scores["churn_risk"],
            churnDays=model.churn_days,
            expectedPurchases30d=scores["expected_purchases_30d"],
            expectedPurchases90d=scores["expected_purchases_90d"],
            expectedPurchases365d=scores["expected_purchases_365d"],
            expectedSpendPerPurchase=scores["expected_spend_per_purchase"],
            predictedClv=scores["predicted_clv"],
            horizonDays=model.horizon_days,
            annualDiscountRate=model.annual_discount_rate,
            modelRunId=model.model_run_id,
        )

    @app.get(
        "/api/segments",
        response_model=list[SegmentProfile],
        responses=documented(ErrorResponse, 413, 422, 500),
    )
    async def segments(store: StoreParam = None) -> list[SegmentProfile]:
        """The segment profiles of a store, with labels and suggestions: the rows of
        marts.segment_profiles with camelCase keys, money to cents, the rest to 4 significant
        digits."""
        snapshot = warehouse.current()
        chosen = store_model(snapshot, store).store
        return [
            SegmentProfile.model_validate(camel_keys(row))
            for row in segment_profiles(snapshot, chosen)
        ]

    @app.get(
        "/api/customers/{customer_id}",
        response_model=CustomerResponse,
        responses=documented(CustomerError, 404, 413, 422, 500),
    )
    def customer(customer_id: int, store: StoreParam = None) -> CustomerResponse:
        """A known customer's current segment and RFM values in a store, and their churn risk,
        expected purchases and predicted lifetime value (null for a customer with no purchase,
        or a warehouse built without them)."""
        snapshot = warehouse.current()
        chosen = store_model(snapshot, store).store
        not_found = ApiError(404, CUSTOMER_NOT_FOUND, "customer_id: no customer with this id")
        if not MIN_CUSTOMER_ID <= customer_id <= MAX_CUSTOMER_ID:
            raise not_found  # DuckDB cannot even compare it with a BIGINT
        query = (
            CUSTOMER_QUERY
            if snapshot.has_table("customer_lifetime_value")
            else CUSTOMER_QUERY_WITHOUT_CLV
        )
        rows = records(snapshot, query, [chosen, customer_id])
        if not rows:
            raise not_found
        return CustomerResponse.model_validate(camel_keys(rows[0]))

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        """The interactive documentation."""
        return RedirectResponse(app.docs_url, status_code=307)

    # In memory, as /api/segments: async.
    @app.get(
        HEALTH_PATH,
        response_model=HealthResponse,
        responses={
            503: {"model": HealthResponse, "description": ERROR_DESCRIPTIONS[503]},
            **documented(ErrorResponse, 413, 422, 500),
        },
    )
    async def healthz(response: Response, store: StoreParam = None) -> HealthResponse:
        """Every store's model run id (or the one store asked for) and the publish time of the
        warehouse being served; 503 while reloads fail."""
        snapshot = warehouse.current()
        models = store_models(snapshot)
        listed = list(models) if store is None else [store_model(snapshot, store).store]
        names = stores(snapshot)
        failure = warehouse.last_reload_error
        if failure is not None:
            response.status_code = 503
        interest = interest_models(snapshot)
        return HealthResponse(
            status="ok" if failure is None else "degraded",
            stores=[store_health(name, names[name], models[name], interest) for name in listed],
            warehousePublishedAt=snapshot.published_at.isoformat(),
            lastReloadError=failure,
        )

    return app


def store_health(
    store: str, display_name: str, model: StoreModel, interest: InterestModels
) -> StoreHealth:
    """A store's model as /healthz reports it: its run, size, age and why it was fitted; and the
    product interest method it serves and why (or why it has none)."""
    try:
        served = interest.get(store)
        interest_method, interest_reason = served.method, served.reason
    except InterestModelUnavailable as exc:
        interest_method, interest_reason = None, f"no product interest model: {exc}"
    lifecycle = model.lifecycle
    return StoreHealth(
        store=store,
        displayName=display_name,
        modelRunId=model.model.run_id,
        segments=model.model.k,
        modelFittedAt=lifecycle.fitted_at.isoformat()
        if lifecycle and lifecycle.fitted_at
        else None,
        modelFitAsOfDate=str(lifecycle.fit_as_of_date)
        if lifecycle and lifecycle.fit_as_of_date
        else None,
        modelAgeDays=lifecycle.age_days if lifecycle else None,
        lastRefitReason=lifecycle.refit_reason if lifecycle else None,
        lastRefitDecision=lifecycle.refit_decision if lifecycle else None,
        interestMethod=interest_method,
        interestMethodReason=interest_reason,
    )


def install_store_document(app: FastAPI, warehouse: PublishedWarehouse | None) -> None:
    """Serve the OpenAPI document with POST /api/cluster's query parameters and the served
    warehouse's stores (apps.api.openapi)."""
    generic = app.openapi  # the framework's document, built once and cached

    def openapi() -> dict[str, Any]:
        document = with_seed_query(generic())
        if warehouse is None:
            return document
        return with_stores(document, list(store_models(warehouse.current())))

    app.openapi = openapi


SEGMENTS_QUERY = "select * from marts.segment_profiles where store = ? order by segment_id"
CUSTOMER_QUERY_WITHOUT_CLV = """
select
    s.store, s.customer_id, s.segment_id, s.segment_label, r.rfm_segment,
    r.recency_days, r.frequency, r.monetary, r.r_score, r.f_score, r.m_score, r.as_of_date
from marts.customer_segments as s
join marts.fct_customer_rfm as r using (store, customer_id)
where s.store = ? and s.customer_id = ?
"""
# the same with the customer's lifetime value (marts.customer_lifetime_value), rounded by
# CustomerResponse as every answer is (apps.api.response_style)
CUSTOMER_QUERY = """
select
    s.store, s.customer_id, s.segment_id, s.segment_label, r.rfm_segment,
    r.recency_days, r.frequency, r.monetary, r.r_score, r.f_score, r.m_score, r.as_of_date,
    v.churn_risk, v.p_alive, v.expected_purchases_90d, v.expected_purchases_365d,
    v.predicted_clv, v.value_tier, v.purchase_model as clv_model
from marts.customer_segments as s
join marts.fct_customer_rfm as r using (store, customer_id)
left join marts.customer_lifetime_value as v using (store, customer_id)
where s.store = ? and s.customer_id = ?
"""
