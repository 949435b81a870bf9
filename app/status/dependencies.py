"""What routes that change statuses need to re-sign the lists in their own transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.issuers.router import KeyRingDep
from app.status.publishing import ListSigning


async def get_list_signing(request: Request, keyring: KeyRingDep) -> ListSigning:
    settings: Settings = request.app.state.settings
    return ListSigning(
        keyring=keyring,
        public_url=settings.public_url,
        ttl_seconds=settings.status_list_ttl_seconds,
    )


ListSigningDep = Annotated[ListSigning, Depends(get_list_signing)]
