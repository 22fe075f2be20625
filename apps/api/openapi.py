"""The OpenAPI document as served: POST /api/cluster lists its query parameters, and every `store`
input lists the warehouse's stores, required when several.

A POST /api/cluster with no body takes the GET's query parameters (the seed's call); the framework
documents only the body, so the document lists the GET's parameters on the POST too, each optional.
The framework documents `store` as any string; the warehouse being served knows better, and the
document says so: the enum of its stores, and required wherever leaving it out is an error (a
warehouse with several stores). On /healthz `store` only narrows the list, and beside a JSON body
(POST /api/cluster) the body may give it, so there it stays optional.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from apps.api.errors import CLUSTER_PATH

HEALTH_PATH = "/healthz"
STORE = "store"
# the JSON bodies with a `store` field
REQUEST_SCHEMAS = ("ClusterRequest", "InterestRequest", "RecommendationRequest")
SEED_QUERY = "only with no JSON body (the seed's call), which answers as GET; with a body, 422"


def _store_schema(schema: dict[str, Any], stores: Sequence[str], nullable: bool) -> dict:
    """`schema` (a string or null) narrowed to the stores, keeping its title and description."""
    kept = {k: v for k, v in schema.items() if k not in ("anyOf", "type", "enum")}
    choice = {"type": "string", "enum": list(stores)}
    return {**kept, "anyOf": [choice, {"type": "null"}]} if nullable else {**kept, **choice}


def with_seed_query(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` where POST /api/cluster lists the query parameters of GET, each
    optional: the seed's call, a POST with no body, takes its inputs from them."""
    document = copy.deepcopy(document)
    cluster = document["paths"][CLUSTER_PATH]
    cluster["post"]["parameters"] = [
        {
            **parameter,
            "required": False,
            "description": f"{parameter.get('description', parameter['name'])}; {SEED_QUERY}",
        }
        for parameter in cluster["get"]["parameters"]
    ]
    return document


def with_stores(document: dict[str, Any], stores: Sequence[str]) -> dict[str, Any]:
    """A copy of `document` whose `store` query parameters and body fields list `stores`."""
    document = copy.deepcopy(document)
    several = len(stores) > 1
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == STORE and parameter["in"] == "query":
                    # optional beside a body, which may give it instead
                    parameter["required"] = (
                        several and path != HEALTH_PATH and "requestBody" not in operation
                    )
                    parameter["schema"] = _store_schema(parameter["schema"], stores, False)
    schemas = document.get("components", {}).get("schemas", {})
    for name in REQUEST_SCHEMAS:
        request = schemas.get(name)
        if request is not None:
            properties = request["properties"]
            properties[STORE] = _store_schema(properties[STORE], stores, nullable=not several)
            if several:
                request["required"] = [*request.get("required", []), STORE]
    return document
