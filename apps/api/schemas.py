"""Request and response shapes of the scoring API (the response keeps the shape clients integrate against)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_RECENCY_DAYS = 36_500  # a century: anything larger is a unit mistake, not a customer
MAX_FREQUENCY = 10_000_000
MAX_MONETARY = 1e12

EXAMPLE_INPUT = {"recency": 64, "frequency": 32, "monetary_value": 100924.0}
STORE_DESCRIPTION = (
    "the store whose segment model answers (seed `stores`); may be left out when the warehouse"
    " has only one store"
)


class ClusterRequest(BaseModel):
    """A customer's recency (days), frequency (purchases) and monetary value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_INPUT]})

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
    distance: float | None = Field(default=None, description="distance to the nearest centroid")

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
                    "store": "online_retail",
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
    modelRunId: str = Field(description="run id of the store's segment model")
    segments: int = Field(description="number of segments of the store's model")


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
                            "store": "online_retail",
                            "displayName": "Online Retail (UK gift shop)",
                            "modelRunId": "20261122T050000Z-3f2a",
                            "segments": 5,
                        }
                    ],
                    "warehousePublishedAt": "2026-11-22T05:00:00+00:00",
                    "lastReloadError": "the published warehouse could not be read (IOException)",
                }
            ]
        }
    )
