"""ASGI middleware of the scoring API: bounded requests, and a JSON 500 that keeps the connection.

Both answer in the shape of the endpoint the request was for (apps.api.errors.error_content).
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from apps.api.errors import INTERNAL, INTERNAL_DETAIL, INVALID, TOO_LARGE, clip, error_response

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # a scoring request is under 100 bytes
MAX_QUERY_BYTES = 4096
MAX_QUERY_PARAMS = 20

Refusal = tuple[int, str, str]  # status, message, error


class ClientGone(Exception):
    """The client disconnected before sending its whole body."""


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number, if the request has a usable one."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None


def count_params(query: bytes) -> int:
    """Number of name=value pairs in a query string, counted as Starlette parses them."""
    return sum(1 for pair in query.split(b"&") if pair)


async def send_error(scope: Scope, receive: Receive, send: Send, refusal: Refusal) -> None:
    """Answer with an error in the shape of the endpoint, without the app."""
    status, message, error = refusal
    await error_response(scope["path"], status, message, error)(scope, receive, send)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the app the already read body, then the server's own messages."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()  # e.g. http.disconnect while the app answers
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


class RequestLimits:
    """Refuse requests over the limits before the app reads them: 413 or 422, input not echoed.

    The body is read here, never more than max_body bytes of it, and replayed to the app: a body
    declared larger (Content-Length) is refused unread, a streamed (chunked) one as soon as it
    passes the limit. The server discards the rest and keeps the connection.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = MAX_BODY_BYTES,
        max_query: int = MAX_QUERY_BYTES,
        max_params: int = MAX_QUERY_PARAMS,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_query = max_query
        self.max_params = max_params

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.check_head(scope)
        if refusal is None:
            try:
                body = await self.read_body(receive)
            except ClientGone:
                return  # nobody to answer
            if body is None:
                refusal = self.body_too_large()
        if refusal is not None:
            await send_error(scope, receive, send, refusal)
            return
        await self.app(scope, replay(body, receive), send)

    def check_head(self, scope: Scope) -> Refusal | None:
        """The refusal of a request whose query string or declared body is over the limits."""
        query = scope.get("query_string", b"")
        if len(query) > self.max_query:
            return 413, TOO_LARGE, f"query: longer than {self.max_query} bytes"
        if count_params(query) > self.max_params:
            return 422, INVALID, f"query: more than {self.max_params} parameters"
        length = declared_length(scope)
        if length is not None and length > self.max_body:
            return self.body_too_large()
        return None

    def body_too_large(self) -> Refusal:
        return 413, TOO_LARGE, f"body: larger than {self.max_body} bytes"

    async def read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes max_body bytes."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


class CatchAll:
    """Answer any unhandled error with a JSON 500 that names nothing internal, and log it.

    Not an `exception_handler(Exception)`: Starlette re-raises after such a handler answers (for
    servers to log), and uvicorn then closes the keep-alive connection, so that the client's next
    request on it fails. Here the error is logged and not re-raised.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception:
            log.exception("unexpected error answering %s %s", scope["method"], clip(scope["path"]))
            if started:
                raise  # too late for an answer: the server closes the connection
            await send_error(scope, receive, send, (500, INTERNAL, INTERNAL_DETAIL))
