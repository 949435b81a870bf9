"""The status capability as other packages use it: allocation at issuance, bit changes by
list id and index, and the published lists.

The work is split by responsibility (``allocation``, ``changes``, ``publishing``, with row
naming and locking in ``lists``); this module is the one entry point other packages import.
Revoking a credential (the record, its audit and events) is ``app/credentials/lifecycle.py``.
"""

from __future__ import annotations

from app.status.allocation import allocate_entries, reserve_entries, reserve_indexes, status_entry
from app.status.changes import set_bits
from app.status.lists import list_url, parse_public_id
from app.status.publishing import (
    HEAD,
    ListHead,
    ListSigning,
    PublishedList,
    build_list_credential,
    head_parameters,
    published_list,
    republish,
)

__all__ = [
    "HEAD",
    "ListHead",
    "ListSigning",
    "PublishedList",
    "allocate_entries",
    "build_list_credential",
    "head_parameters",
    "list_url",
    "parse_public_id",
    "published_list",
    "republish",
    "reserve_entries",
    "reserve_indexes",
    "set_bits",
    "status_entry",
]
