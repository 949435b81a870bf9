"""What routes that change statuses need to re-sign the lists in their own transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.dependencies import KeyRingDep, SettingsDep, UrlsDep
from app.status.publishing import ListSigning


async def get_list_signing(
    settings: SettingsDep, urls: UrlsDep, keyring: KeyRingDep
) -> ListSigning:
    return ListSigning(
        keyring=keyring,
        urls=urls,
        ttl_seconds=settings.status_list_ttl_seconds,
    )


ListSigningDep = Annotated[ListSigning, Depends(get_list_signing)]
