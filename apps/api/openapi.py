"""The OpenAPI document for a warehouse's stores: every `store` input lists them, required when several.

The framework documents `store` as any string; the warehouse being served knows better, and the
document says so: the enum of its stores, and required wherever leaving it out is an error (a
warehouse with several stores). On /healthz `store` only narrows the list, so it stays optional.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

HEALTH_PATH = "/healthz"
STORE = "store"
# the JSON bodies with a `store` field
REQUEST_SCHEMAS = ("ClusterRequest", "InterestRequest", "RecommendationRequest")


def _store_schema(schema: dict[str, Any], stores: Sequence[str], nullable: bool) -> dict:
    """`schema` (a string or null) narrowed to the stores, keeping its title and description."""
    kept = {k: v for k, v in schema.items() if k not in ("anyOf", "type", "enum")}
    choice = {"type": "string", "enum": list(stores)}
    return {**kept, "anyOf": [choice, {"type": "null"}]} if nullable else {**kept, **choice}


def with_stores(document: dict[str, Any], stores: Sequence[str]) -> dict[str, Any]:
    """A copy of `document` whose `store` query parameters and body fields list `stores`."""
    document = copy.deepcopy(document)
    several = len(stores) > 1
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == STORE and parameter["in"] == "query":
                    parameter["required"] = several and path != HEALTH_PATH
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
