"""FastAPI app: score recency/frequency/monetary into a segment, list segments, look up customers.

python -m apps.api [--host 127.0.0.1] [--port 8000] [--warehouse warehouse.duckdb]
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from apps.api.errors import (
    CLUSTER_PATH,
    INVALID,
    SUCCESS,
    clip,
    cluster_error,
    describe_errors,
    error_response,
)
from apps.api.json_body import SafeJSONRoute
from apps.api.middleware import MAX_BODY_BYTES, MAX_QUERY_BYTES, CatchAll, RequestLimits
from apps.api.model_store import ModelStore
from apps.api.schemas import (
    ClusterRequest,
    ClusterResponse,
    CustomerError,
    ErrorResponse,
    HealthResponse,
)
from models_py.rfm_scoring import assign

# customer_id is a BIGINT in the warehouse: no other integer can be a customer
MIN_CUSTOMER_ID, MAX_CUSTOMER_ID = -(2**63), 2**63 - 1
CUSTOMER_NOT_FOUND = "Customer not found"

ERROR_DESCRIPTIONS = {
    404: "unknown customer",
    413: f"request too large: a body over {MAX_BODY_BYTES} bytes or a query string over"
    f" {MAX_QUERY_BYTES} bytes",
    422: "invalid input: `error` names the field and the rule",
    500: "unexpected server error: logged on the server, no details in the answer",
    503: "degraded: the last reload of the published warehouse failed; the previous model is"
    " still served",
}


class ApiError(Exception):
    """An error answer an endpoint gives on purpose (e.g. an unknown customer)."""

    def __init__(self, status: int, message: str, error: str) -> None:
        super().__init__(error)
        self.status, self.message, self.error = status, message, error


def documented(model: type[BaseModel], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries: `model` as the body of each error status."""
    return {s: {"model": model, "description": ERROR_DESCRIPTIONS[s]} for s in statuses}


def install_error_handlers(app: FastAPI) -> None:
    """Every error answers JSON in the shape of its endpoint (see apps.api.errors)."""

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        error = describe_errors(exc.errors())
        if request.url.path == CLUSTER_PATH:
            raw = exc.body if request.method == "POST" else dict(request.query_params)
            return JSONResponse(cluster_error(raw, INVALID, error), status_code=422)
        return error_response(request.url.path, 422, INVALID, error)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(request.url.path, exc.status, exc.message, exc.error)

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


def create_app(store: ModelStore) -> FastAPI:
    app = FastAPI(
        title="Customer segment scoring API",
        description="Assigns a customer's recency, frequency and monetary value to a segment of "
        "the published warehouse (marts.segment_model).",
        version="1.0.0",
    )
    app.router.route_class = SafeJSONRoute  # unparseable JSON is a 422 like any invalid input
    app.state.store = store
    app.add_middleware(RequestLimits)
    app.add_middleware(CatchAll)  # added last: the outermost, so it also guards RequestLimits
    install_error_handlers(app)

    # Scoring is a few microseconds of CPU: async handlers skip the thread pool hop.
    def score(inputs: ClusterRequest) -> ClusterResponse:
        snapshot = store.current()
        result = assign(snapshot.model, inputs.recency, inputs.frequency, inputs.monetary_value)
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
            modelRunId=snapshot.model.run_id,
            distance=result.distance,
        )

    cluster_errors = documented(ClusterResponse, 413, 422, 500)

    @app.get("/api/cluster", response_model=ClusterResponse, responses=cluster_errors)
    async def cluster_get(inputs: Annotated[ClusterRequest, Query()]) -> ClusterResponse:
        """Segment of a customer given as query parameters, e.g. `?recency=64&frequency=32&monetary_value=100924`."""
        return score(inputs)

    @app.post("/api/cluster", response_model=ClusterResponse, responses=cluster_errors)
    async def cluster_post(inputs: ClusterRequest) -> ClusterResponse:
        """Segment of a customer given as a JSON body."""
        return score(inputs)

    @app.get("/api/segments", responses=documented(ErrorResponse, 413, 422, 500))
    def segments() -> list[dict]:
        """The segment profiles of the published warehouse, with labels and suggestions."""
        return _records("select * from marts.segment_profiles order by segment_id")

    @app.get(
        "/api/customers/{customer_id}", responses=documented(CustomerError, 404, 413, 422, 500)
    )
    def customer(customer_id: int) -> dict:
        """A known customer's current segment and RFM values."""
        not_found = ApiError(404, CUSTOMER_NOT_FOUND, "customer_id: no customer with this id")
        if not MIN_CUSTOMER_ID <= customer_id <= MAX_CUSTOMER_ID:
            raise not_found  # DuckDB cannot even compare it with a BIGINT
        rows = _records(CUSTOMER_QUERY, [customer_id])
        if not rows:
            raise not_found
        return rows[0]

    def _records(sql: str, parameters: list | None = None) -> list[dict]:
        with store.current().cursor() as cursor:
            result = cursor.execute(sql, parameters or [])
            names = [column[0] for column in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    @app.get(
        "/healthz",
        response_model=HealthResponse,
        responses={
            503: {"model": HealthResponse, "description": ERROR_DESCRIPTIONS[503]},
            **documented(ErrorResponse, 413, 422, 500),
        },
    )
    def healthz(response: Response) -> HealthResponse:
        """Model run id and publish time of the warehouse being served; 503 while reloads fail."""
        snapshot = store.current()
        failure = store.last_reload_error
        if failure is not None:
            response.status_code = 503
        return HealthResponse(
            status="ok" if failure is None else "degraded",
            modelRunId=snapshot.model.run_id,
            segments=len(snapshot.model.segment_ids),
            warehousePublishedAt=snapshot.published_at.isoformat(),
            lastReloadError=failure,
        )

    return app


CUSTOMER_QUERY = """
select
    s.customer_id, s.segment_id, s.segment_label, r.rfm_segment,
    r.recency_days, r.frequency, r.monetary, r.r_score, r.f_score, r.m_score, r.as_of_date
from marts.customer_segments as s
join marts.fct_customer_rfm as r using (customer_id)
where s.customer_id = ?
"""
