"""Status tests' shared pieces: API keys bound to the test issuer, the REC's example list."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from tests.conftest import make_key

REC_EXAMPLE_ENCODED_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def key_headers(
    session: Session, scope: Scope = Scope.revoke, issuer: str | None = "uni-example"
) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key(session, scope, issuer=issuer)}"}
