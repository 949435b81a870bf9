"""A batch body's items one at a time: ``{"items": [ {...}, ... ]}`` read item by item.

The body comes spooled (`app.json_middleware.spooled_body`) and a job of 50,000 items is
written to its chunk rows as its items are read, so accepting it holds one chunk's items, not
the body's (README "Batches"). The errors are the ones a body parsed whole would get: 400 for
JSON that is not strict, 422 for another shape, a member that is not an object, or a count
outside 1 to `MAX_BATCH_ITEMS`. Raised where the body goes wrong, after earlier items were
taken: the request's transaction undoes what was written of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from app.core.json_stream import JsonShapeError, array_members
from app.core.strictjson import StrictJsonError
from app.credentials.schemas import MAX_BATCH_ITEMS
from app.errors import BadRequest, InvalidInput


def items(chunks: Iterator[bytes]) -> Iterator[dict[str, Any]]:
    """Each item of the body, in order; the iteration ends only once the whole body has been
    read and found well-formed."""
    members = array_members(chunks, field="items")
    count = 0
    try:
        for member in members:
            if not isinstance(member, dict):
                raise InvalidInput(
                    f"items[{count}] must be an object shaped like the body of "
                    "POST /v1/issuers/{slug}/credentials.",
                    field=f"items[{count}]",
                )
            if count == MAX_BATCH_ITEMS:
                raise InvalidInput(
                    f"A batch holds at most {MAX_BATCH_ITEMS:,} items; send the rest in "
                    "another batch.",
                    field="items",
                )
            count += 1
            yield member
    except StrictJsonError as error:
        raise BadRequest(str(error)) from None
    except JsonShapeError as error:
        raise InvalidInput(str(error), field="body") from None
    if count == 0:
        raise InvalidInput("items must hold at least one item.", field="items")


def first(incoming: Iterator[dict[str, Any]], inline: int) -> list[dict[str, Any]]:
    """Up to ``inline + 1`` items: when no more than ``inline`` came, that is all of them and
    the body has been read to its end; otherwise the rest are still in ``incoming``."""
    return list(islice(incoming, inline + 1))
