"""How uvicorn serves the API: the settings `python -m apps.api` passes it, and why."""

from __future__ import annotations

from typing import Any

# An idle keep-alive connection stays open this long. HTTP/1.1 gives a client no warning before
# a server closes an idle connection, so whichever side gives up on it first must be the client:
# a server closing it at the moment a client reuses it fails that request at the connection
# level ("Server disconnected without sending a response", ReadError). uvicorn's default (5 s)
# is exactly httpx's pool expiry (5 s), and the server's clock starts earlier (when it sends the
# answer, the client's when it has read it), so such requests failed under load. 75 s outlasts
# the pools of common clients (httpx 5 s, aiohttp 15 s) and load balancers' idle timeouts (60 s).
KEEP_ALIVE_SECONDS = 75

# uvicorn's listen backlog: connections the kernel queues before the server accepts them (it is
# also capped by net.core.somaxconn). Above the 1,000 concurrent clients the load test and bench
# use, so that a burst of new connections waits rather than being refused.
BACKLOG = 2048


def server_settings(keep_alive: float = KEEP_ALIVE_SECONDS) -> dict[str, Any]:
    """uvicorn.run's connection settings. No limit_concurrency (it answers 503 beyond it) and no
    limit_max_requests (it recycles workers, closing their connections)."""
    return {
        "timeout_keep_alive": keep_alive,
        "backlog": BACKLOG,
        "limit_concurrency": None,
        "limit_max_requests": None,
    }
