"""The status capability as other packages use it: allocation at issuance, status changes,
and the published lists.

The work is split by responsibility (``allocation``, ``changes``, ``publishing``, with row
naming and locking in ``lists``); this module is the one entry point other packages import.
"""

from __future__ import annotations

from app.status.allocation import allocate_entries, reserve_indexes, status_entry
from app.status.changes import (
    StatusAction,
    StatusTarget,
    bulk_change,
    change_status,
    find_credential,
    find_vc_api_credential,
    set_status,
)
from app.status.lists import list_url, parse_public_id
from app.status.publishing import PublishedList, build_list_credential, published_list

__all__ = [
    "PublishedList",
    "StatusAction",
    "StatusTarget",
    "allocate_entries",
    "build_list_credential",
    "bulk_change",
    "change_status",
    "find_credential",
    "find_vc_api_credential",
    "list_url",
    "parse_public_id",
    "published_list",
    "reserve_indexes",
    "set_status",
    "status_entry",
]
