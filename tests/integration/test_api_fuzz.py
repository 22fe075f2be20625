"""The scoring API against its own OpenAPI document: schemathesis, every operation, every check,
on the generated warehouse (one store) and on a copy of it with two stores.

Bounded and reproducible: at most MAX_EXAMPLES generated cases per operation and phase,
derandomized, so the run takes seconds and fails the same way twice. One of the checks is that no
answer is a server error.

POST /api/interest and POST /api/recommendations are the operations where a request valid by the
schema may be refused: a generated basket names product ids the store does not have (or, for
/api/interest, a store without an interest model: the two-store copy's second store has no
intermediate tables), which the API answers 422 with `unknownProducts`, as documented. For them
alone, positive_data_acceptance also accepts 422.

POST /api/cluster takes its inputs from its JSON body (documented as required) or, with no body,
from the GET's query parameters (the seed's call, documented as optional query parameters), never
from both: OpenAPI cannot say "one of the two". The data checks (positive_data_acceptance,
negative_data_rejection) hold for a call with a body alone; a body with query parameters must
answer 422 instead, and a call without a body is not refused for that.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from two_stores import SECOND_STORE, STORE, copy_as_two_stores

from apps.api.app import create_app, open_warehouse
from apps.api.errors import CLUSTER_PATH, INTEREST_PATH, RECOMMENDATIONS_PATH
from apps.api.openapi import with_stores
from apps.api.schemas import ClusterRequest

# schemathesis gives each operation's item the test's own node id; tests/conftest.py gives each
# its own (the operation), so that pytest-xdist runs every one of them

MAX_EXAMPLES = 50
CONFIG = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                "include-path": path,
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "404", "422"]}
                },
            }
            for path in (INTEREST_PATH, RECOMMENDATIONS_PATH)
        ]
    }
)

# The schemas are loaded at import time, before any warehouse exists: the app's document without a
# warehouse, given the stores of the warehouse the app serves, as the app does (a test checks that
# it serves exactly these documents); the requests go to apps on the generated warehouse, a
# session fixture, and on its two-store copy. Not schemathesis.pytest.from_fixture: with pytest
# 9.2 its lazy schemas fail before running (`'Function' object has no attribute '_nodeid'`).
GENERIC = create_app(None).openapi()
DOCUMENT = with_stores(GENERIC, [STORE])
TWO_STORE_DOCUMENT = with_stores(GENERIC, [STORE, SECOND_STORE])
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
two_store_schema = schemathesis.openapi.from_dict(TWO_STORE_DOCUMENT, config=CONFIG)


@pytest.fixture(scope="module")
def api_app(generated_warehouse):
    return create_app(open_warehouse(generated_warehouse.path))


@pytest.fixture(scope="module")
def two_store_app(generated_warehouse, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz_two_stores") / "warehouse.duckdb"
    return create_app(open_warehouse(copy_as_two_stores(generated_warehouse.path, path)))


def test_the_fuzzed_documents_are_the_ones_served(api_app, two_store_app):
    assert api_app.openapi() == DOCUMENT
    assert two_store_app.openapi() == TWO_STORE_DOCUMENT


def call_and_validate(case, app) -> None:
    """Every check, but the data checks on a POST /api/cluster with its inputs in the query or
    no body (a query parameter it does not take, such as an empty name, is ignored as anywhere)."""
    operation = case.operation
    cluster = (operation.method.upper(), operation.path) == ("POST", CLUSTER_PATH)
    no_body, query = case.body is NOT_SET, bool(ClusterRequest.sent(case.query or {}))
    if not (cluster and (no_body or query)):
        case.call_and_validate(app=app)
        return
    excluded = [positive_data_acceptance, negative_data_rejection]
    response = case.call_and_validate(app=app, excluded_checks=excluded)
    if query and not no_body:
        assert response.status_code == 422, response.text  # a body and query parameters


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None)
def test_api_conforms_to_its_openapi_document(case, api_app):
    call_and_validate(case, api_app)


@two_store_schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None)
def test_two_store_api_conforms_to_its_openapi_document(case, two_store_app):
    call_and_validate(case, two_store_app)
