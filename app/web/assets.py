"""Our own stylesheet (and any script), served from the package: pages load nothing else."""

from __future__ import annotations

from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send


class _StaticFiles(StaticFiles):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-content-type-options", b"nosniff"),
                    (b"cache-control", b"public, max-age=3600"),
                ]
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def static_files() -> StaticFiles:
    return _StaticFiles(packages=[("app.web", "static")])
