"""Request-wide input guards that run before any route touches the database.

PostgreSQL refuses text containing NUL (U+0000) with an error, so a ``%00`` anywhere in a
path or query would otherwise reach the database as a 500; no identifier or filter of
this API contains one, so such a request is refused up front for every route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import Request
from pydantic import AfterValidator, AwareDatetime

from app.errors import BadRequest


async def refuse_nul_in_url(request: Request) -> None:
    """A global dependency: 400 when the decoded path or a query value holds a NUL."""
    query = request.query_params.multi_items()
    if "\x00" in request.url.path or any("\x00" in k or "\x00" in v for k, v in query):
        raise BadRequest("The URL contains a NUL character (%00); no LearnProof value has one.")


APP_GUARDS: Final[tuple[Callable[[Request], Awaitable[None]], ...]] = (refuse_nul_in_url,)
"""The app-wide dependencies of every route (`create_app`); routes that solve their own
dependencies (`VerificationRoute`) run these first."""


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date-time is outside the years 1 to 9999 once in UTC") from None


# A query-string date-time: a time zone is required (a naive one would be ambiguous) and
# the value is normalised to UTC here, so the database never sees one it cannot store.
UtcQueryDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
