"""Kept-alive connections end after about `LEARNPROOF_REQUESTS_PER_CONNECTION` requests.

`learnproof serve --workers N` runs N processes that accept from one listening socket. A
client that opens its connections all at once (a connection pool, a proxy, a load test) can
see all of them accepted by one process: measured with 16 kept-alive clients and two
workers, 16/0 and 13/3 splits, one process working on one core while the other idled, for as
long as the connections lived. Closing a connection now and then (nginx's
`keepalive_requests`, Node's `maxRequestsPerSocket`) lets its client reconnect, and a new
connection goes to whichever process gets to its accept first, the less busy one more often:
the same clients then spread across the processes (7/9, 6/10 measured).

Which response ends its connection is drawn at random (on average one in N): an ASGI app
cannot tell one connection from another behind a proxy (the client address is the
forwarded one). The response carries ``Connection: close``; HTTP/1.1 clients reconnect on
their own.
"""

from __future__ import annotations

import random

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ConnectionReuseMiddleware:
    def __init__(self, app: ASGIApp, *, requests_per_connection: int) -> None:
        self.app = app
        self.chance = 1 / requests_per_connection if requests_per_connection > 0 else 0.0
        # Not for security: only spreads reconnections.
        self.draw = random.Random()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.draw.random() >= self.chance:
            await self.app(scope, receive, send)
            return

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"
                ]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing_send)
