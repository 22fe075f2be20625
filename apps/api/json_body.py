"""JSON request bodies whose every parse failure is invalid input (422), never a 500 or a 400.

FastAPI turns a json.JSONDecodeError into a validation error but any other exception of the
parser into a bare 400, and Python's parser raises others: RecursionError for deep nesting
(100,000 `[`), ValueError for integers over 4,300 digits, UnicodeDecodeError for bytes that are
not UTF-8. Those become JSONDecodeErrors here, with a short reason that echoes no input.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


def parse_json(body: bytes) -> Any:
    """The parsed body; any failure as a JSONDecodeError naming the reason, not the input."""
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise
    except RecursionError as exc:
        raise json.JSONDecodeError("nested too deeply", "", 0) from exc
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError("not UTF-8 text", "", 0) from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise json.JSONDecodeError("a value too long to read", "", 0) from exc


class SafeJSONRequest(Request):
    """A request whose .json() fails only with JSONDecodeError."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class SafeJSONRoute(APIRoute):
    """A route that parses JSON bodies with SafeJSONRequest."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def safe_handler(request: Request) -> Response:
            return await handler(SafeJSONRequest(request.scope, request.receive))

        return safe_handler
