"""FastAPI app: score recency/frequency/monetary into a segment, list segments, look up customers.

python -m apps.api [--host 127.0.0.1] [--port 8000] [--warehouse warehouse.duckdb]
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from apps.api.model_store import ModelStore
from apps.api.schemas import ClusterRequest, ClusterResponse
from models_py.rfm_scoring import assign

SUCCESS = "Data processed successfully"
INVALID = "Invalid input"


def _echo_inputs(raw: Any) -> dict:
    """The client's inputs as given, for the inputValues field of every answer."""
    raw = raw if isinstance(raw, dict) else {}

    def safe(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)  # JSON has no NaN or infinity
        return value if isinstance(value, int | float | str) or value is None else str(value)

    return {
        "recency": safe(raw.get("recency")),
        "frequency": safe(raw.get("frequency")),
        "monetaryValue": safe(raw.get("monetary_value")),
    }


def _describe_error(error: dict) -> str:
    field = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "body"))
    if error.get("type") == "extra_forbidden":
        return f"{field}: unknown parameter (allowed: recency, frequency, monetary_value)"
    if error.get("type") == "missing":
        return f"{field}: required"
    return f"{field or 'request'}: {error.get('msg', 'invalid')}"


def invalid_response(raw_inputs: Any, message: str) -> JSONResponse:
    body = ClusterResponse(
        clusterId=None,
        clusterLabel=None,
        suggestions=None,
        inputValues=_echo_inputs(raw_inputs),
        message=INVALID,
        error=message,
    )
    return JSONResponse(status_code=422, content=body.model_dump())


def create_app(store: ModelStore) -> FastAPI:
    app = FastAPI(
        title="Customer segment scoring API",
        description="Assigns a customer's recency, frequency and monetary value to a segment of "
        "the published warehouse (marts.segment_model).",
        version="1.0.0",
    )
    app.state.store = store

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.method == "POST":
            try:
                raw = json.loads(await request.body() or b"null")
            except ValueError:
                raw = None
        else:
            raw = dict(request.query_params)
        errors = exc.errors()
        return invalid_response(raw, "; ".join(_describe_error(e) for e in errors))

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

    @app.get(
        "/api/cluster", response_model=ClusterResponse, responses={422: {"model": ClusterResponse}}
    )
    async def cluster_get(inputs: Annotated[ClusterRequest, Query()]) -> ClusterResponse:
        """Segment of a customer given as query parameters, e.g. `?recency=64&frequency=32&monetary_value=100924`."""
        return score(inputs)

    @app.post(
        "/api/cluster", response_model=ClusterResponse, responses={422: {"model": ClusterResponse}}
    )
    async def cluster_post(inputs: ClusterRequest) -> ClusterResponse:
        """Segment of a customer given as a JSON body."""
        return score(inputs)

    @app.get("/api/segments")
    def segments() -> list[dict]:
        """The segment profiles of the published warehouse, with labels and suggestions."""
        return _records("select * from marts.segment_profiles order by segment_id")

    @app.get("/api/customers/{customer_id}", responses={404: {"description": "unknown customer"}})
    def customer(customer_id: int) -> dict:
        """A known customer's current segment and RFM values."""
        rows = _records(CUSTOMER_QUERY, [customer_id])
        if not rows:
            raise HTTPException(status_code=404, detail=f"customer {customer_id} not found")
        return rows[0]

    def _records(sql: str, parameters: list | None = None) -> list[dict]:
        with store.current().cursor() as cursor:
            result = cursor.execute(sql, parameters or [])
            names = [column[0] for column in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    @app.get("/healthz")
    def healthz() -> dict:
        """Model run id and publish time of the warehouse being served."""
        snapshot = store.current()
        return {
            "status": "ok",
            "modelRunId": snapshot.model.run_id,
            "segments": len(snapshot.model.segment_ids),
            "warehousePublishedAt": snapshot.published_at.isoformat(),
            "lastReloadError": store.last_reload_error,
        }

    return app


CUSTOMER_QUERY = """
select
    s.customer_id, s.segment_id, s.segment_label, r.rfm_segment,
    r.recency_days, r.frequency, r.monetary, r.r_score, r.f_score, r.m_score, r.as_of_date
from marts.customer_segments as s
join marts.fct_customer_rfm as r using (customer_id)
where s.customer_id = ?
"""
