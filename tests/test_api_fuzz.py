"""The scoring API against its own OpenAPI document: schemathesis, every operation, every check.

Bounded and reproducible: at most MAX_EXAMPLES generated cases per operation and phase,
derandomized, so the run takes seconds and fails the same way twice. One of the checks is that no
answer is a server error.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import settings

from apps.api.app import create_app
from apps.api.model_store import ModelStore

MAX_EXAMPLES = 50

# The schema is loaded at import time, from the app's OpenAPI document, which does not depend on
# the warehouse (no store is needed to render it); the requests go to an app on the generated
# warehouse, a session fixture. Not schemathesis.pytest.from_fixture: with pytest 9.2 its lazy
# schemas fail before running (`'Function' object has no attribute '_nodeid'`).
schema = schemathesis.openapi.from_dict(create_app(store=None).openapi())


@pytest.fixture(scope="module")
def api_app(generated_warehouse):
    return create_app(ModelStore(generated_warehouse.path))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None)
def test_api_conforms_to_its_openapi_document(case, api_app):
    case.call_and_validate(app=api_app)
