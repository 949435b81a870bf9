"""Bitstring Status List checks (BSL v1.0 §2.1, §3.2): the entry, then its bit in the list.

Pure: the status list credential arrives already fetched and verified (see `service.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from app.status.bitstring import MIN_ENTRIES, Bitstring, EncodedListError
from app.verification.checks import as_list, issuer_id
from app.verification.report import (
    RANGE_ERROR,
    STATUS_LIST_LENGTH_ERROR,
    STATUS_VERIFICATION_ERROR,
    Check,
)

STATUS_ENTRY: Final = "BitstringStatusListEntry"
STATUS_LIST_CREDENTIAL: Final = "BitstringStatusListCredential"
_INDEX = re.compile(r"^(0|[1-9][0-9]{0,18})$")


def status_entry_problem(entry: Any) -> str:
    """Why a BitstringStatusListEntry is malformed (BSL §2.1), or ""."""
    if not isinstance(entry, Mapping):
        return "a credentialStatus entry is not an object"
    if not isinstance(entry.get("statusPurpose"), str) or not entry["statusPurpose"]:
        return "the status entry has no statusPurpose"
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not _INDEX.match(index):
        return f"statusListIndex {index!r} is not a non-negative integer written as a string"
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or ":" not in url:
        return "the status entry has no statusListCredential URL"
    if entry.get("id") is not None and entry.get("id") == url:
        return "the status entry's id must not be the status list URL"
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 16:
        return f"statusSize {size!r} is not an integer between 1 and 16"
    messages = entry.get("statusMessage")
    if size > 1 and len(as_list(messages)) != 2**size:
        return f"statusSize {size} needs {2**size} statusMessage entries"
    if messages is not None:
        return _messages_problem(as_list(messages), size)
    return ""


_HEX: Final = re.compile(r"^0x[0-9a-fA-F]+$")


def _messages_problem(messages: list[Any], size: int) -> str:
    """BSL §2.1: each statusMessage has a hex `status` (within statusSize bits) and a message."""
    seen: set[int] = set()
    for message in messages:
        if not isinstance(message, Mapping):
            return "each statusMessage must be an object with status and message"
        status = message.get("status")
        if not isinstance(status, str) or not _HEX.match(status) or len(status) > 8:
            return f"statusMessage status {status!r} is not a hexadecimal value such as '0x1'"
        value = int(status, 16)
        if value >= 2**size:
            return f"statusMessage status {status} does not fit in statusSize {size}"
        if value in seen:
            return f"statusMessage status {status} is listed twice"
        seen.add(value)
        if not isinstance(message.get("message"), str):
            return f"statusMessage {status} has no message text"
    return ""


def _status_message(entry: Mapping[str, Any], value: int) -> str | None:
    for message in as_list(entry.get("statusMessage")):
        status = message.get("status") if isinstance(message, Mapping) else None
        if isinstance(status, str) and _HEX.match(status) and int(status, 16) == value:
            text = message.get("message")
            return text if isinstance(text, str) else None
    return None


def _references(entry: Mapping[str, Any]) -> str:
    """The entry's statusReference(s): where the issuer explains its status values."""
    refs = [r for r in as_list(entry.get("statusReference")) if isinstance(r, str)]
    return f" (explained at {', '.join(refs)})" if refs else ""


def list_ownership_problem(status_list: Mapping[str, Any], url: str, issuer: Any) -> str:
    """Why a verified status list may not decide this credential's status, or "".

    A list signed by anyone else could mark any credential valid, so, as
    @digitalbazaar/vc-bitstring-status-list does by default, the list credential must be
    issued by the credential's own issuer, and be the list published at the URL it came from.
    """
    list_issuer = issuer_id(status_list)
    if not isinstance(issuer, str) or list_issuer != issuer:
        return (
            f"the status list {url} is issued by {list_issuer or 'no one'}, not by the "
            f"credential's issuer {issuer}, so it cannot speak for this credential"
        )
    list_id = status_list.get("id")
    if list_id != url:
        return f"the status list fetched from {url} names itself {list_id!r}, not {url}"
    return ""


def _read_status(bits: Bitstring, index: int, size: int) -> int:
    value = 0
    for offset in range(size):
        value = (value << 1) | int(bits.get(index * size + offset))
    return value


def _decode(encoded: str, max_bytes: int) -> Bitstring:
    return Bitstring.decode(encoded, max_bytes=max_bytes)


def evaluate_status(
    entry: Mapping[str, Any],
    status_list: Mapping[str, Any],
    max_bytes: int,
    *,
    decode: Callable[[str, int], Bitstring] = _decode,
) -> Check:
    """The entry's status in an already verified status list credential (BSL §3.2 steps 4-7).

    ``decode`` expands the ``encodedList`` (a cache may reuse an earlier expansion).
    """
    purpose, size = entry["statusPurpose"], entry.get("statusSize", 1)
    if STATUS_LIST_CREDENTIAL not in as_list(status_list.get("type")):
        reason = f"{entry['statusListCredential']} is not a BitstringStatusListCredential"
        return Check("status", "failed", reason, STATUS_VERIFICATION_ERROR)
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, Mapping) or not isinstance(subject.get("encodedList"), str):
        reason = "the status list has no encodedList"
        return Check("status", "failed", reason, STATUS_VERIFICATION_ERROR)
    if purpose not in as_list(subject.get("statusPurpose")):
        reason = (
            f"the status list is not for {purpose!r} (it serves {subject.get('statusPurpose')!r})"
        )
        return Check("status", "failed", reason, STATUS_VERIFICATION_ERROR)
    try:
        bits = decode(subject["encodedList"], max_bytes)
    except EncodedListError as error:
        return Check(
            "status",
            "failed",
            f"the status list cannot be read: {error}",
            STATUS_VERIFICATION_ERROR,
        )
    entries = len(bits) // size
    if entries < MIN_ENTRIES:
        reason = f"the status list has only {entries} entries, fewer than the {MIN_ENTRIES} the "
        reason += "Bitstring Status List standard requires to protect holders' privacy"
        return Check("status", "failed", reason, STATUS_LIST_LENGTH_ERROR)
    index = int(entry["statusListIndex"])
    if index >= entries:
        reason = f"statusListIndex {index} is outside the status list ({entries} entries)"
        return Check("status", "failed", reason, RANGE_ERROR)
    value = _read_status(bits, index, size)
    message = _status_message(entry, value)
    said = f" (status {hex(value)}: {message})" if message and size > 1 else ""
    references = _references(entry)
    if purpose == "revocation":
        if value:
            reason = f"revoked: the issuer has revoked this credential{said}{references}"
            return Check("status", "failed", reason)
        return Check("status", "passed", "not revoked (checked against the issuer's status list)")
    if purpose == "suspension":
        if value:
            reason = f"suspended: the issuer has suspended this credential{said}{references}"
            return Check("status", "failed", reason)
        return Check("status", "passed", "not suspended (checked against the issuer's status list)")
    # Other purposes ("message", "refresh", …) inform; they do not fail the credential.
    if message is None and entry.get("statusMessage") is not None:
        reason = f"{purpose} status is {hex(value)}, which its statusMessage does not describe"
        return Check("status", "warning", reason + references)
    reason = f"{purpose} status is {hex(value)}" + (f": {message}" if message else "")
    return Check("status", "passed", reason + references)
