"""Error answers: one shape per endpoint family, and echoes of client input cut short and safe.

An error answer echoes at most ECHO_CHARS characters of any input value, with lone surrogates
(valid in JSON escapes, not encodable as UTF-8) replaced, so that an answer can always be encoded
and never grows with the request.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse

from apps.api.schemas import (
    BasketLineRequest,
    ClusterRequest,
    ClusterResponse,
    ClvRequest,
    CustomerError,
    ErrorResponse,
    InputValues,
    InterestError,
    InterestRequest,
    RecommendationError,
    RecommendationRequest,
    RequestModel,
)

SUCCESS = "Data processed successfully"
INVALID = "Invalid input"
TOO_LARGE = "Request too large"
INTERNAL = "Internal server error"
INTERNAL_DETAIL = "unexpected error; it has been logged on the server"

ECHO_CHARS = 100
MAX_REPORTED_ERRORS = 5  # a body with thousands of unknown fields gets a short answer
MAX_REPORTED_PRODUCTS = 20  # a basket's error lists at most this many unknown products
CLUSTER_PATH = "/api/cluster"
INTEREST_PATH = "/api/interest"
RECOMMENDATIONS_PATH = "/api/recommendations"
CLV_PATH = "/api/clv"
# the paths of one customer: their errors name the customer id as sent
CUSTOMER_PATH = re.compile(r"/api/(?:customers|recommendations)/([^/]+)")
# the paths that take a basket, and the body each takes
BASKET_REQUESTS = {INTEREST_PATH: InterestRequest, RECOMMENDATIONS_PATH: RecommendationRequest}
BASKET_ERRORS = {INTEREST_PATH: InterestError, RECOMMENDATIONS_PATH: RecommendationError}
LOCATIONS = ("body", "query", "path", "header", "cookie")

_short = reprlib.Repr()  # bounded depth and length, no recursion: safe on deeply nested input
_short.maxlevel = 2
_short.maxstring = _short.maxother = _short.maxlong = ECHO_CHARS


def clip(text: str, limit: int = ECHO_CHARS) -> str:
    """At most `limit` characters of `text` (then an ellipsis), lone surrogates replaced."""
    short = text if len(text) <= limit else text[:limit] + "…"
    return short.encode("utf-8", "replace").decode("utf-8")


def echo(value: Any) -> bool | int | float | str | None:
    """One input value as the client gave it, short enough to send back."""
    if value is None or isinstance(value, bool | str):
        return clip(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # JSON has no NaN or infinity
    if isinstance(value, int):
        return value if abs(value) < 10**ECHO_CHARS else clip(str(value))
    return clip(_short.repr(value))


def echo_inputs(raw: Any) -> InputValues:
    """The client's inputs for the inputValues field of every /api/cluster answer."""
    sent = ClusterRequest.sent(raw if isinstance(raw, dict) else {})
    return InputValues(
        recency=echo(sent.get("recency")),
        frequency=echo(sent.get("frequency")),
        monetaryValue=echo(sent.get("monetary_value")),
    )


def request_model(path: str, parts: Sequence) -> type[RequestModel]:
    """The model of the object of a request to `path` where an error was found (`parts`: its
    location in the body or query)."""
    if path in BASKET_REQUESTS:
        in_line = len(parts) > 1 and parts[0] == "lines"
        return BasketLineRequest if in_line else BASKET_REQUESTS[path]
    return ClvRequest if path == CLV_PATH else ClusterRequest


def unknown_field(path: str, parts: Sequence) -> str:
    """Why a field is refused as unknown: it is none of the object's fields (listed by their
    documented camelCase names), or it is the snake_case name of one sent with its camelCase name."""
    fields = request_model(path, parts).model_fields
    if parts and parts[-1] in fields:
        return f"also sent as {fields[parts[-1]].alias} (the same field): send one of the two names"
    return f"unknown parameter (allowed: {', '.join(field.alias for field in fields.values())})"


def describe_error(error: dict, path: str = CLUSTER_PATH) -> str:
    """One validation error as 'field: rule', e.g. 'recency: Input should be ...'."""
    loc = tuple(error.get("loc", ()))
    where, parts = (loc[0], loc[1:]) if loc and loc[0] in LOCATIONS else ("request", loc)
    if error.get("type") == "json_invalid":
        return f"body: invalid JSON ({clip(str(error.get('ctx', {}).get('error', '')))})"
    field = ".".join(clip(str(part)) for part in parts) or where
    if error.get("type") == "extra_forbidden":
        return f"{field}: {unknown_field(path, parts)}"
    if error.get("type") == "missing":
        return f"{field}: required"
    return f"{field}: {clip(str(error.get('msg', 'invalid')), 200)}"


def describe_errors(errors: Sequence[dict], path: str = CLUSTER_PATH) -> str:
    """The first few validation errors of a request to `path`, joined; the rest counted."""
    described = [describe_error(error, path) for error in errors[:MAX_REPORTED_ERRORS]]
    if len(errors) > MAX_REPORTED_ERRORS:
        described.append(f"and {len(errors) - MAX_REPORTED_ERRORS} more")
    return "; ".join(described)


def cluster_error(raw_inputs: Any, message: str, error: str) -> dict:
    """The /api/cluster answer without a segment: clusterId null, the inputs echoed."""
    return ClusterResponse(
        clusterId=None,
        clusterLabel=None,
        suggestions=None,
        inputValues=echo_inputs(raw_inputs),
        message=message,
        error=error,
    ).model_dump()


def error_content(path: str, message: str, error: str, inputs: Any = None) -> dict:
    """The error body for a request to `path`: each endpoint family keeps its documented shape
    (/api/cluster echoes `inputs`, the request's inputs when known; /api/interest and POST
    /api/recommendations list `inputs`, the basket's unknown product ids, when known; the paths of
    one customer name the id as sent)."""
    if path == CLUSTER_PATH:
        return cluster_error(inputs, message, error)
    if path in BASKET_ERRORS:
        products = inputs if isinstance(inputs, list) else []
        unknown = [clip(str(product)) for product in products[:MAX_REPORTED_PRODUCTS]]
        if len(products) > MAX_REPORTED_PRODUCTS:
            error += (
                f" ({len(products)} unknown products, the first {MAX_REPORTED_PRODUCTS} listed)"
            )
        shape = BASKET_ERRORS[path]
        return shape(message=message, error=error, unknownProducts=unknown).model_dump()
    if match := CUSTOMER_PATH.fullmatch(path):
        return CustomerError(customerId=clip(match[1]), message=message, error=error).model_dump()
    return ErrorResponse(message=message, error=error).model_dump()


def error_response(
    path: str,
    status: int,
    message: str,
    error: str,
    headers: dict | None = None,
    inputs: Any = None,
) -> JSONResponse:
    """A JSON error answer in the shape of `path`'s endpoint."""
    return JSONResponse(
        error_content(path, message, error, inputs), status_code=status, headers=headers
    )
