"""How the verification routes run: the body read once, the rest in the verification pool.

A verification route takes one dependency (`VerifyingDep`) and hands its work to
`run_verification`, which reads the body and then, in one of the pool's threads, opens the
read-only session, builds the verifier, runs the work and closes the session again.

Why not FastAPI dependencies for the body, the session and the verifier: FastAPI solves each
dependency of each request anew and its function-scoped generators cost an exit stack and a
hop back to the event loop; with the strict-JSON middleware's own parse of the body, that
was a third of a verification's CPU through the API (README "Figures", verification). The
strictness check is not lost: the route's own parse (`request_bodies`) uses the same strict
decoder and answers 400 the same way, under the request's work budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.requests import Request

from app.dependencies import Verifying
from app.json_middleware import parsed_by_route
from app.verification.dependencies import read_verifier
from app.verification.service import Verifier

_T = TypeVar("_T")


async def run_verification(
    request: Request, verifying: Verifying, work: Callable[[bytes, Verifier], _T]
) -> _T:
    """`work(body, verifier)` in the verification pool, under the request's work budget."""
    parsed_by_route(request)
    raw = await request.body()
    now = verifying.clock.now()

    def run() -> _T:
        with verifying.open_read_session() as session:
            return work(raw, read_verifier(session, verifying, now))

    return await verifying.state.pool.run(request, verifying.state.limits, run)
